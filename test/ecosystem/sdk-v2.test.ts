/**
 * SDK v2 recipe (examples/sdk-v2.ts): `createMcpHandler` + `toNodeHandler` on Express behind our
 * `requireAuth`; tools read `ctx.http?.authInfo`. Express parses the body first, so per-tool
 * step-up is enforced.
 */
import { start } from '../../examples/sdk-v2.js';
import { describeRecipe } from './checks.js';

describeRecipe('SDK v2 (createMcpHandler + Express requireAuth)', {
  start: (auth) => start(auth),
  modernProtocol: true,
});
