/**
 * Client authentication at a token endpoint: `client_secret_basic`, `client_secret_post`
 * (RFC 6749 §2.3.1) and `private_key_jwt` (RFC 7523 §2.2). Credentials are read once at compile
 * time; the secret or key then lives only inside the returned closure, so no object a caller can
 * log or serialise holds it.
 * @module
 */
import { importJWK, importPKCS8, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { OptionError } from '../errors.js';
import { basicAuthorization } from '../lib/basic-auth.js';
import { readEnv, secretProblem, type EnvSource } from '../lib/env.js';
import type { DownstreamEntry } from '../manifest/schema.js';

/** What one token request carries to authenticate the client: headers and form parameters. */
export interface ClientAuthentication {
  readonly headers: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Produces the authentication of one token request to `tokenEndpoint` (a fresh assertion each
 * time for `private_key_jwt`).
 */
export type ClientAuthenticator = (tokenEndpoint: string) => Promise<ClientAuthentication>;

/** Lifetime of a `private_key_jwt` assertion, in seconds: one request's worth. */
const ASSERTION_LIFETIME_SEC = 60;

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Builds the client authentication of a downstream entry, reading its secret or private key now:
 * a missing or empty variable, an unreadable file or a key that is not a private key stops here,
 * with a message naming the variable or file and never its contents.
 *
 * @example
 * ```ts
 * const authenticate = await loadClientAuthenticator('notes-api', entry, { env: process.env, cwd: process.cwd() });
 * const { headers, params } = await authenticate('https://as.example.com/token');
 * ```
 * @throws {OptionError} naming the variable or file that is missing, empty or unusable
 */
export async function loadClientAuthenticator(
  name: string,
  entry: Pick<DownstreamEntry, 'clientId' | 'clientAuth'>,
  context: { readonly env: EnvSource; readonly cwd: string },
): Promise<ClientAuthenticator> {
  const at = `downstream.${name}.clientAuth`;
  const { clientId, clientAuth } = entry;
  const fromEnv = (variable: string, what: string): string => {
    const problem = secretProblem(context.env, variable);
    if (problem) throw new OptionError(`${at}: environment variable ${variable} (${what}) is ${problem}`);
    return readEnv(context.env, variable)!;
  };

  if (clientAuth.method !== 'private_key_jwt') {
    const secret = fromEnv(clientAuth.secretEnv, 'the client secret');
    if (clientAuth.method === 'client_secret_post') {
      const params = Object.freeze({ client_id: clientId, client_secret: secret });
      return () => Promise.resolve({ headers: {}, params });
    }
    const headers = Object.freeze({ authorization: basicAuthorization(clientId, secret) });
    return () => Promise.resolve({ headers, params: {} });
  }

  let text: string;
  let source: string;
  if (clientAuth.keyFile !== undefined) {
    // node:path and node:fs are looked up here, not imported: the module stays Web-API only.
    const path = process.getBuiltinModule('node:path').resolve(context.cwd, clientAuth.keyFile);
    source = `key file ${path}`;
    try {
      text = await process.getBuiltinModule('node:fs/promises').readFile(path, 'utf8');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new OptionError(
        `${at}.keyFile: cannot read ${path} (${typeof code === 'string' ? code : 'error'})`,
      );
    }
  } else if (clientAuth.keyEnv !== undefined) {
    source = `environment variable ${clientAuth.keyEnv}`;
    text = fromEnv(clientAuth.keyEnv, 'the private key');
  } else {
    throw new OptionError(`${at}: private_key_jwt needs "keyFile" or "keyEnv"`);
  }
  if (text.trim() === '') throw new OptionError(`${at}: the ${source} is empty`);
  const { key, alg, kid } = await importPrivateKey(
    text,
    clientAuth.alg,
    clientAuth.kid,
    `${at}: the ${source}`,
  );

  return async (tokenEndpoint) => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}), typ: 'JWT' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenEndpoint)
      .setJti(crypto.randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SEC)
      .sign(key);
    return {
      headers: {},
      params: {
        client_id: clientId,
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: assertion,
      },
    };
  };
}

/** Imports a PKCS#8 PEM or a private JWK (JSON); refuses public and symmetric keys. */
async function importPrivateKey(
  text: string,
  alg: string | undefined,
  kid: string | undefined,
  what: string,
): Promise<{ key: CryptoKey | KeyObject; alg: string; kid: string | undefined }> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: JWK;
    try {
      jwk = JSON.parse(trimmed) as JWK;
    } catch {
      throw new OptionError(`${what} is neither a PKCS#8 PEM private key nor a JWK in JSON`);
    }
    if (jwk.kty === 'oct')
      throw new OptionError(`${what} is a symmetric key; private_key_jwt needs a private key`);
    if (typeof jwk.d !== 'string')
      throw new OptionError(`${what} is a public JWK; give the private key (with "d")`);
    const chosen = alg ?? (typeof jwk.alg === 'string' ? jwk.alg : 'RS256');
    try {
      const key = await importJWK(jwk, chosen);
      if (key instanceof Uint8Array) throw new Error('symmetric');
      return { key, alg: chosen, kid: kid ?? (typeof jwk.kid === 'string' ? jwk.kid : undefined) };
    } catch {
      throw new OptionError(`${what} cannot be used with algorithm ${chosen}`);
    }
  }
  if (!trimmed.startsWith('-----BEGIN PRIVATE KEY-----'))
    throw new OptionError(
      `${what} is neither a PKCS#8 PEM private key ("BEGIN PRIVATE KEY") nor a JWK in JSON`,
    );
  const chosen = alg ?? 'RS256';
  try {
    return { key: await importPKCS8(trimmed, chosen), alg: chosen, kid };
  } catch {
    throw new OptionError(`${what} cannot be used with algorithm ${chosen}`);
  }
}
