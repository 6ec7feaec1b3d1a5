/**
 * `mcp-auth-config/sdk` as an application uses it, type-checked (not run) by `adapters.test.ts`:
 * the options of `sdkV1TokenVerifier` / `sdkV2TokenVerifier` take the installed SDKs' own error
 * classes, and the verifiers fit those SDKs' bearer gates; misuse is a type error.
 */
import { requireBearerAuth as v2ExpressGate } from '@modelcontextprotocol/express';
import * as errors from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { requireBearerAuth as v1Gate } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { OAuthError, requireBearerAuth as v2FetchGate } from '@modelcontextprotocol/server';
import { compile } from '../../../src/index.js';
import {
  sdkV1TokenVerifier,
  sdkV2TokenVerifier,
  type SdkTokenVerifier,
  type SdkV1VerifierOptions,
  type SdkV2VerifierOptions,
} from '../../../src/sdk/index.js';

const auth = await compile({
  issuers: { main: { issuer: 'https://auth.example.com' } },
  resources: [{ resource: 'https://api.example.com/mcp', authorizationServers: ['main'] }],
});

const v1: SdkTokenVerifier = sdkV1TokenVerifier(auth, { errors });
v1Gate({ verifier: v1, resourceMetadataUrl: v1.resourceMetadataUrl, requiredScopes: v1.requiredScopes });
const v1Options: SdkV1VerifierOptions = {
  errors,
  resource: 'https://api.example.com/mcp',
  perToolScopes: 'not-enforced',
};
sdkV1TokenVerifier(auth, v1Options);

const v2 = sdkV2TokenVerifier(auth, { OAuthError, resource: undefined, perToolScopes: undefined });
v2ExpressGate({
  verifier: v2,
  resourceMetadataUrl: v2.resourceMetadataUrl,
  requiredScopes: v2.requiredScopes,
});
v2FetchGate({ verifier: v2, resourceMetadataUrl: v2.resourceMetadataUrl });
const v2Options: SdkV2VerifierOptions = { OAuthError, resource: 'https://api.example.com/mcp' };
sdkV2TokenVerifier(auth, v2Options);

// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
sdkV1TokenVerifier(compile('mcp-auth.config.json'), { errors });
// @ts-expect-error the runtime is required, not the promise compile() returns: await it first.
sdkV2TokenVerifier(compile('mcp-auth.config.json'), { OAuthError });
// @ts-expect-error v1 needs the SDK's error classes.
sdkV1TokenVerifier(auth, {});
// @ts-expect-error v1 needs the options.
sdkV1TokenVerifier(auth);
// @ts-expect-error v1 takes the module of error classes as `errors`, not v2's `OAuthError`.
sdkV1TokenVerifier(auth, { OAuthError });
// @ts-expect-error v2 takes `OAuthError`, not v1's `errors`.
sdkV2TokenVerifier(auth, { errors });
// @ts-expect-error an error class the gates understand has `toResponseObject()`.
sdkV2TokenVerifier(auth, { OAuthError: Error });
// @ts-expect-error the only acknowledgement is "not-enforced".
sdkV1TokenVerifier(auth, { errors, perToolScopes: true });
// @ts-expect-error no such option: it is `resource`.
sdkV2TokenVerifier(auth, { OAuthError, resourceUrl: 'https://api.example.com/mcp' });
// @ts-expect-error the verifier's values are read-only.
v1.requiredScopes = [];
