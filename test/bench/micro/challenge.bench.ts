/** The challenge builder and the error responses built on it. */
import { bench, describe } from 'vitest';
import { TokenError } from '../../../src/errors.js';
import { buildChallenge, errorResponse } from '../../../src/verify/challenge.js';

const resourceMetadata = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
const expired = new TokenError('invalid_token', 'expired');

describe('challenges', () => {
  bench('buildChallenge: no credentials', () => {
    buildChallenge({ scope: ['read:notes'], resourceMetadata });
  });
  bench('buildChallenge: insufficient_scope, 3 scopes', () => {
    buildChallenge({
      error: 'insufficient_scope',
      errorDescription: 'The access token lacks a required scope',
      scope: ['read:notes', 'write:notes', 'admin'],
      resourceMetadata,
    });
  });
  bench('errorResponse: expired token (401)', () => {
    errorResponse(expired, { resourceMetadata, scopes: ['read:notes'] });
  });
});
