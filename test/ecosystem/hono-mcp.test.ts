/**
 * Hono + @hono/mcp recipe (examples/hono-mcp.ts): our fetch middleware in front, the identity on
 * `c.get('auth')`. The fetch adapter reads a clone of the body, so per-tool step-up is enforced.
 */
import { start } from '../../examples/hono-mcp.js';
import { describeRecipe } from './checks.js';

describeRecipe('Hono + @hono/mcp', { start: (auth) => start(auth) });
