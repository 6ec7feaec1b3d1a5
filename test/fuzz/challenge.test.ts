/**
 * Property tests of the challenge builder: any input yields a header in the RFC 6750 character
 * set that the MCP SDK's naive parser reads back exactly as a strict parser does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError, type TokenErrorCode, type TokenErrorReason } from '../../src/errors.js';
import { ERROR_DESCRIPTIONS, buildChallenge, errorResponse } from '../../src/verify/challenge.js';

const GRAMMAR =
  /^Bearer( [a-z_]+="[\x20\x21\x23-\x5B\x5D-\x7E]*")(, [a-z_]+="[\x20\x21\x23-\x5B\x5D-\x7E]*")*$/;

/** The MCP TypeScript SDK's reader (client/auth.js extractFieldFromWwwAuth), verbatim. */
function sdkField(header: string, fieldName: string): string | null {
  const match = header.match(new RegExp(`${fieldName}=(?:"([^"]+)"|([^\\s,]+))`));
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** A strict parser of the grammar above. */
function strictParams(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of header.slice('Bearer '.length).matchAll(/(?:^|, )([a-z_]+)="([^"]*)"/g))
    out.set(m[1]!, m[2]!);
  return out;
}

const anyText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'scope=x',
    'resource_metadata="https://evil"',
    'a", error="x',
    'scopescope==y',
    '\\"',
    ' , ',
  ),
);
const printable = fc.string({
  unit: fc.constantFrom(...'abcXYZ019:/._-~!#$%&()*+;<>?@[]^`{|}'.split('')),
  minLength: 1,
  maxLength: 30,
});

describe('buildChallenge (fuzz)', () => {
  it('always yields the grammar, and the naive SDK parser agrees with a strict one', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('invalid_request', 'invalid_token', 'insufficient_scope'), {
          nil: undefined,
        }),
        fc.option(anyText, { nil: undefined }),
        fc.option(fc.array(anyText, { maxLength: 4 }), { nil: undefined }),
        fc.oneof(fc.webUrl(), anyText),
        (error, errorDescription, scope, resourceMetadata) => {
          const header = buildChallenge({ error, errorDescription, scope, resourceMetadata });
          if (header === 'Bearer') return; // nothing survived sanitising: a bare scheme, still valid
          expect(header).toMatch(GRAMMAR);
          const strict = strictParams(header);
          for (const name of ['error', 'scope', 'resource_metadata']) {
            expect(sdkField(header, name)).toBe(strict.get(name) ?? null);
          }
          expect(header.split(' ')[0]).toBe('Bearer');
          expect(header).not.toContain('scope=""');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips clean values exactly', () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 4 }), fc.webUrl(), (scope, url) => {
        fc.pre(!/=/.test(url));
        const header = buildChallenge({ error: 'insufficient_scope', scope, resourceMetadata: url });
        expect(sdkField(header, 'scope')).toBe(scope.join(' '));
        expect(sdkField(header, 'resource_metadata')).toBe(url);
        expect(sdkField(header, 'error')).toBe('insufficient_scope');
      }),
      { numRuns: 300 },
    );
  });

  it('errorResponse: every code and reason gives a fixed description and a parseable challenge (none on 503)', () => {
    const codes: TokenErrorCode[] = [
      'missing_token',
      'invalid_request',
      'invalid_token',
      'insufficient_scope',
      'unavailable',
    ];
    const reasons = Object.keys(ERROR_DESCRIPTIONS) as TokenErrorReason[];
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.constantFrom(...reasons),
        fc.array(anyText, { maxLength: 3 }),
        fc.webUrl(),
        (code, reason, scopes, url) => {
          const res = errorResponse(new TokenError(code, reason), { resourceMetadata: url, scopes });
          const body = JSON.parse(res.body) as { error_description: string };
          expect(body.error_description).toBe(ERROR_DESCRIPTIONS[reason]);
          expect(res.headers['cache-control']).toBe('no-store');
          if (code === 'unavailable') {
            expect(res.status).toBe(503);
            expect(res.headers['www-authenticate']).toBeUndefined();
            expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          } else {
            expect(res.headers['www-authenticate']).toMatch(GRAMMAR);
            if (code === 'missing_token') expect(res.headers['www-authenticate']).not.toContain('error=');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
