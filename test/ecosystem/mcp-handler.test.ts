/**
 * mcp-handler 2.x recipe (examples/mcp-handler.ts, run from the packed package), served through
 * @hono/node-server as a Next.js route would serve it: our fetch wrapper in front, the identity on
 * `request.auth`. The fetch adapter reads a clone of the body, so per-tool step-up is enforced.
 * Next.js itself is not run.
 */
import type * as Recipe from '../../examples/mcp-handler.js';
import { describeRecipe } from './checks.js';
import { loadRecipe } from './packed.js';

const { start } = await loadRecipe<typeof Recipe>('mcp-handler');

describeRecipe('mcp-handler', { start: (auth) => start(auth), modernProtocol: true });
