/**
 * Hono + @hono/mcp recipe (examples/hono-mcp.ts, run from the packed package): our fetch
 * middleware in front, the identity on `c.get('auth')`. The fetch adapter reads a clone of the
 * body, so per-tool step-up is enforced.
 */
import type * as Recipe from '../../examples/hono-mcp.js';
import { describeRecipe } from './checks.js';
import { loadRecipe } from './packed.js';

const { start } = await loadRecipe<typeof Recipe>('hono-mcp');

describeRecipe('Hono + @hono/mcp', { start: (auth) => start(auth) });
