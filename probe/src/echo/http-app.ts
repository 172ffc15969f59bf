import { FLY_HEADERS } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { EchoIdentity } from './identity.ts';
import { echoReply, REQUEST_ID_HEADER } from './reply.ts';

/**
 * The HTTP echo as a Hono app: `GET /` and `GET /echo` answer with the echo JSON, `/healthz` with `ok`.
 * Mount it in an existing app with `app.route('/flyprobe', echoApp(identity))`.
 */
export function echoApp(identity: EchoIdentity): Hono {
  const app = new Hono();
  const echo = (c: import('hono').Context) => {
    const body = echoReply(identity, 'http', c.req.header(FLY_HEADERS.region));
    c.header(REQUEST_ID_HEADER, body.requestId);
    c.header('cache-control', 'no-store');
    return c.json(body);
  };
  app.get('/', echo);
  app.get('/echo', echo);
  app.get('/healthz', (c) => c.text('ok'));
  return app;
}
