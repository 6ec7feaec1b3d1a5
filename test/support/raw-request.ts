/**
 * Test support: a raw HTTP/1.1 client over a socket, for request lines and bodies that
 * `node:http`'s client refuses to send (control bytes, absolute-form, unfinished bodies).
 */
import { connect } from 'node:net';

/** What to send: the request line's method and target, header lines, and body bytes. */
export interface RawRequest {
  readonly method?: string;
  readonly target: string;
  /** Header lines as `Name: value`; `Host` and `Connection: close` are added. */
  readonly headers?: readonly string[];
  /** The `Host` header's value (default `mcp.example.com`); `null` sends none. */
  readonly host?: string | null;
  /** Body bytes written after the header block (may be shorter than a declared Content-Length). */
  readonly body?: string | Buffer;
}

/**
 * Sends one request byte for byte and resolves the status code as soon as the status line
 * arrives (0 when the server hung up without one). Rejects after 5 s without an answer.
 */
export function rawExchange(port: number, request: RawRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () =>
      socket.destroy(new Error(`no answer to ${JSON.stringify(request.target)}`)),
    );
    socket.on('connect', () => {
      const head = [
        `${request.method ?? 'GET'} ${request.target} HTTP/1.1`,
        ...(request.host === null ? [] : [`Host: ${request.host ?? 'mcp.example.com'}`]),
        ...(request.headers ?? []),
        'Connection: close',
        '',
        '',
      ].join('\r\n');
      socket.write(Buffer.from(head, 'latin1'));
      if (request.body !== undefined) socket.write(request.body);
    });
    // Resolved on the status line: a bypassed request may open an event stream that never ends.
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (status) {
        resolve(Number(status[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(0));
  });
}

/** A GET (or, with `body`, a JSON POST) of `target`, with an optional bearer token. */
export function rawStatus(port: number, target: string, token?: string, body?: string): Promise<number> {
  return rawExchange(port, {
    method: body === undefined ? 'GET' : 'POST',
    target,
    headers: [
      'Accept: application/json, text/event-stream',
      ...(token ? [`Authorization: Bearer ${token}`] : []),
      ...(body === undefined
        ? []
        : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]),
    ],
    ...(body === undefined ? {} : { body }),
  });
}
