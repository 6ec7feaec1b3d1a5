/** A loopback JWKS endpoint for the peers that fetch their keys from a URL (Logto's, Auth0's). */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** Serves `{ keys }` at `/jwks` on 127.0.0.1 and a port of its own; answers the URL. */
export async function serveJwks(keys: readonly JWK[]): Promise<{ uri: string; server: Server }> {
  const body = JSON.stringify({ keys });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, server };
}
