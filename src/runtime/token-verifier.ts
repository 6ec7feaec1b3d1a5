/**
 * The verifier behind {@link McpAuth.tokenVerifier}: one resource's token checks plus its
 * `token.requiredScopes`, for hosts whose own bearer gate calls `verifyAccessToken(token)` and
 * never shows us the request. Per-tool scopes need the JSON-RPC body, so such a verifier cannot
 * enforce them: creating one for a resource that has them is refused unless acknowledged.
 * @module
 */
import { OptionError, TokenError } from '../errors.js';
import type { AuthInfo } from '../verify/auth-info.js';
import { heldScopes, missingScopes } from '../verify/scopes.js';
import type { OAuthTokenVerifier } from './mcp-auth.js';
import type { CompiledResource } from './resource.js';

/**
 * Options of {@link McpAuth.tokenVerifier}.
 *
 * @example
 * ```ts
 * auth.tokenVerifier({ resource: 'https://api.example.com/mcp', perToolScopes: 'not-enforced' });
 * ```
 */
export interface TokenVerifierOptions {
  /** The resource to verify for. Default: the only resource. */
  readonly resource?: string | undefined;
  /**
   * Acknowledges that the resource's `tools.<name>.requiredScopes` will NOT be enforced (the
   * verifier never sees the request body). Without it, a resource with per-tool scopes is refused.
   */
  readonly perToolScopes?: 'not-enforced' | undefined;
}

/** Checks options and refuses, with the alternative, a resource whose per-tool scopes would be lost. */
export function checkTokenVerifierOptions(resource: CompiledResource, options: TokenVerifierOptions): void {
  const ack = options.perToolScopes;
  if (ack !== undefined && ack !== 'not-enforced') {
    throw new OptionError('tokenVerifier: options.perToolScopes must be "not-enforced" when given');
  }
  if (resource.toolScopes.size > 0 && ack !== 'not-enforced') {
    const tools = [...resource.toolScopes.keys()].join(', ');
    throw new OptionError(
      `tokenVerifier: resource "${resource.resource}" has per-tool scopes (${tools}), which a token verifier ` +
        'cannot enforce: it sees the token, never the tools/call body. Protect the endpoint with an adapter ' +
        "instead (requireAuth from 'mcp-auth-config/express', the Fastify plugin, createNodeHandler, " +
        'withMcpAuth, or auth.authenticate(request, { tool })), or pass { perToolScopes: "not-enforced" } ' +
        'to accept that only token.requiredScopes is checked.',
    );
  }
}

/** The same refusal, without the upstream `cause` chain (hosts log thrown errors with stacks). */
function bare(err: TokenError): TokenError {
  return new TokenError(err.code, err.reason, {
    requiredScopes: err.requiredScopes,
    ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
  });
}

/** The resource a verifier is for: the one named, else the only one. */
function pickResource(resources: readonly CompiledResource[], wanted: string | undefined): CompiledResource {
  if (wanted === undefined) {
    if (resources.length === 1) return resources[0]!;
    throw new OptionError('tokenVerifier: give { resource } when the manifest has several resources');
  }
  const found = resources.find((r) => r.resource === wanted);
  if (!found) {
    throw new OptionError(
      `resource "${wanted}" is not in the manifest (known: ${resources.map((r) => r.resource).join(', ')})`,
    );
  }
  return found;
}

/**
 * A frozen verifier for one of the compiled resources (`options.resource`, default the only one):
 * the token checks of its verifier, then its `token.requiredScopes` (with the scope hierarchy).
 * Throws only `TokenError`s, without `cause`.
 */
export function createTokenVerifier(
  resources: readonly CompiledResource[],
  options: TokenVerifierOptions = {},
): OAuthTokenVerifier {
  const resource = pickResource(resources, options.resource);
  checkTokenVerifierOptions(resource, options);
  const required = resource.requiredScopes;
  return Object.freeze({
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let auth: AuthInfo;
      try {
        auth = await resource.verifier.verifyAccessToken(token);
      } catch (err) {
        throw err instanceof TokenError ? bare(err) : new TokenError('invalid_token', 'rejected');
      }
      if (required.length) {
        if (missingScopes(heldScopes(auth, resource.scopeHierarchy), required).length) {
          throw new TokenError('insufficient_scope', 'scope', { requiredScopes: required });
        }
      }
      return auth;
    },
  });
}
