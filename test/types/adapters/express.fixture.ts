/**
 * `mcp-auth-config/express` as an application uses it, type-checked (not run) by
 * `adapters.test.ts`: `metadataRouter(auth)` and `requireAuth(auth, options)` mount on an
 * Express 5 application; misuse is a type error.
 */
import express from 'express';
import { compile, type AuthenticateOptions } from '../../../src/index.js';
import { metadataRouter, requireAuth, type ExpressMiddleware } from '../../../src/adapters/express.js';

const auth = await compile({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});
const app = express();

app.use(metadataRouter(auth));
app.post('/mcp', express.json(), requireAuth(auth), (_req, res) => void res.json({}));
app.post(
  '/admin',
  requireAuth(auth, { resource: 'https://api.example.com/mcp', scopes: ['admin'], tool: 'delete_note' }),
  (_req, res) => void res.end(),
);
const options: AuthenticateOptions = { scopes: undefined, showErrorDetails: true };
const middleware: ExpressMiddleware = requireAuth(auth, options);
app.use('/mcp', middleware);
app.use(
  requireAuth(auth, {
    verifyToken: async (token) => ({
      token,
      clientId: 'app',
      scopes: [],
      issuer: 'https://auth.example.com',
      subject: undefined,
      audience: [],
      claims: {},
    }),
  }),
);

// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
requireAuth(compile('mcp-auth.config.json'));
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
metadataRouter(compile('mcp-auth.config.json'));
// @ts-expect-error requireAuth needs the runtime.
requireAuth();
// @ts-expect-error no such option: route scopes are `scopes`.
requireAuth(auth, { scope: ['admin'] });
// @ts-expect-error scopes are a list.
requireAuth(auth, { scopes: 'admin' });
// @ts-expect-error `protectAll` is an option of the node and fetch handlers, not of a route.
requireAuth(auth, { protectAll: true });
// @ts-expect-error the router takes the runtime only.
metadataRouter(auth, { scopes: ['admin'] });
// @ts-expect-error a custom verifier resolves to the caller's identity.
requireAuth(auth, { verifyToken: async (token: string) => token });
