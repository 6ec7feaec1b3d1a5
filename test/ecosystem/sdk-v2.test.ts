/**
 * SDK v2 recipe (examples/sdk-v2.ts, run from the packed package): `createMcpHandler` +
 * `toNodeHandler` on Express behind our `requireAuth`; tools read `ctx.http?.authInfo`. Express
 * parses the body first, so per-tool step-up is enforced.
 */
import type * as Recipe from '../../examples/sdk-v2.js';
import { describeRecipe } from './checks.js';
import { loadRecipe } from './packed.js';

const { start } = await loadRecipe<typeof Recipe>('sdk-v2');

describeRecipe('SDK v2 (createMcpHandler + Express requireAuth)', {
  start: (auth) => start(auth),
  modernProtocol: true,
});
