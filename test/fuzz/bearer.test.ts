/**
 * Property tests of the Authorization parser: whatever arrives, the outcome is a token that obeys
 * the b64token grammar and the length cap, or a TokenError with an intake code; never another
 * exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/errors.js';
import { extractBearer } from '../../src/verify/bearer.js';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const b64tokenChar = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split(''),
);
const b64token = fc
  .tuple(fc.string({ unit: b64tokenChar, minLength: 1, maxLength: 80 }), fc.nat({ max: 3 }))
  .map(([body, pad]) => body + '='.repeat(pad));
const headerText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', 'Bearer\t', ''),
      fc.string({ maxLength: 3 }),
      fc.string({ maxLength: 60 }),
    )
    .map(([s, sep, t]) => `${s}${sep}${t}`),
);

describe('extractBearer (fuzz)', () => {
  it('returns a grammatical token within the cap, or throws an intake TokenError, for any input', () => {
    fc.assert(
      fc.property(
        fc.array(headerText, { maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        (authorization, queryToken, bodyToken, maxLength) => {
          let token: string;
          try {
            token = extractBearer({ authorization, queryToken, bodyToken }, maxLength);
          } catch (err) {
            expect(err).toBeInstanceOf(TokenError);
            const { code, reason } = err as TokenError;
            expect([
              'missing_token',
              'invalid_request',
              reason === 'token_too_long' && 'invalid_token',
            ]).toContain(code);
            return;
          }
          expect(authorization).toHaveLength(1);
          expect(queryToken || bodyToken).toBe(false);
          expect(token).toMatch(B64TOKEN);
          expect(token.length).toBeLessThanOrEqual(maxLength);
          expect(authorization[0]!.endsWith(token)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('extracts any b64token with any scheme case and any number of spaces', () => {
    fc.assert(
      fc.property(
        b64token,
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        (token, upper, spaces) => {
          const scheme = [...'bearer'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
          expect(extractBearer({ authorization: [`${scheme}${' '.repeat(spaces)}${token}`] }, 8192)).toBe(
            token,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses two headers, or a header plus a query/body token, whatever they hold', () => {
    fc.assert(
      fc.property(b64token, b64token, (a, b) => {
        for (const sources of [
          { authorization: [`Bearer ${a}`, `Bearer ${b}`] },
          { authorization: [`Bearer ${a}`], queryToken: true },
          { authorization: [`Bearer ${a}`], bodyToken: true },
        ]) {
          expect(() => extractBearer(sources, 8192)).toThrow(
            expect.objectContaining({ code: 'invalid_request', reason: 'multiple_credentials' }),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('treats a query or body token alone as no credentials', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom<string[]>([], ['']), (query, authorization) => {
        expect(() => extractBearer({ authorization, queryToken: query, bodyToken: !query }, 8192)).toThrow(
          expect.objectContaining({ code: 'missing_token' }),
        );
      }),
      { numRuns: 50 },
    );
  });
});
