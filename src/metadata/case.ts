/**
 * snake_case on the wire, camelCase in the JS API. Conversion is shallow (metadata values are
 * strings, arrays and booleans) and keeps unknown fields.
 * @module
 */

/** `token_endpoint` → `tokenEndpoint`. */
export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `tokenEndpoint` → `token_endpoint`. */
export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function mapKeys(
  value: Readonly<Record<string, unknown>>,
  map: (key: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // defineProperty: a "__proto__" key stays an own property and never reaches the prototype.
    Object.defineProperty(out, map(key), {
      value: child,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Converts a snake_case metadata document to camelCase keys.
 *
 * @example
 * ```ts
 * toCamelCase({ token_endpoint: 'https://as.example/token' }); // { tokenEndpoint: 'https://as.example/token' }
 * ```
 */
export function toCamelCase(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return mapKeys(value, camelKey);
}

/**
 * Converts camelCase metadata to the snake_case wire form.
 *
 * @example
 * ```ts
 * toSnakeCase({ jwksUri: 'https://as.example/jwks' }); // { jwks_uri: 'https://as.example/jwks' }
 * ```
 */
export function toSnakeCase(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return mapKeys(value, snakeKey);
}
