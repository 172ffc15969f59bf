import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bearer-token gate in front of a real Alertmanager (what oauth2-proxy or an ingress does: Alertmanager's
 * own web config knows only basic auth). Forwards authorized requests, answers 401 to the rest.
 */
export async function startBearerProxy(
  upstream: string,
  token: string,
): Promise<{ url: string; refused: () => number; close(): Promise<void> }> {
  let refused = 0;
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      refused++;
      res.writeHead(401, { 'content-type': 'text/plain' }).end('bearer token required\n');
      return;
    }
    const fwd = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.once('error', (e) => res.writeHead(502).end(String(e)));
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
