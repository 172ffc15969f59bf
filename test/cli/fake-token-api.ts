import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A token as the collector's token API answers it (the trust contract in docs/API.md). */
export interface ContractToken {
  id: string;
  secret: string;
  role: 'probe';
  probeId: string;
  app: string;
  region: string;
  name: string | null;
  expiresAt: number | null;
  createdAt: number;
}

export interface FakeTokenApi {
  url: string;
  /** Every token minted, revoked ones included. */
  minted: ContractToken[];
  revoked: string[];
  close(): Promise<void>;
}

const FIELDS = new Set(['role', 'probeId', 'app', 'region', 'name', 'expiresAt']);

/**
 * The collector's probe-token routes as the contract between `deploy` and the collector defines them:
 * POST /v1/tokens {role:'probe', probeId, app, region, name?} -> 201 token with `secret`, DELETE
 * /v1/tokens/:id -> 204, admin bearer token, 400 naming the field for a bad body.
 */
export async function startFakeTokenApi(adminToken: string): Promise<FakeTokenApi> {
  const minted: ContractToken[] = [];
  const revoked: string[] = [];
  let seq = 0;
  const server = createServer(async (req, res) => {
    const reply = (status: number, body?: unknown): void => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${adminToken}`)
      return reply(401, { error: 'admin token required' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'POST' && req.url === '/v1/tokens') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
      if (unknown.length > 0) return reply(400, { error: `unknown field(s): ${unknown.join(', ')}` });
      for (const f of ['probeId', 'app', 'region'])
        if (typeof body[f] !== 'string') return reply(400, { error: `${f}: required for a probe token` });
      if (body.role !== 'probe') return reply(400, { error: 'role: must be probe' });
      seq++;
      const token: ContractToken = {
        id: `tok_${seq}`,
        secret: `secret-${seq}-${String(body.probeId)}`,
        role: 'probe',
        probeId: String(body.probeId),
        app: String(body.app),
        region: String(body.region),
        name: typeof body.name === 'string' ? body.name : null,
        expiresAt: null,
        createdAt: Date.now(),
      };
      minted.push(token);
      return reply(201, token);
    }
    const del = req.method === 'DELETE' ? /^\/v1\/tokens\/([^/]+)$/.exec(req.url ?? '') : null;
    if (del) {
      const id = decodeURIComponent(del[1] ?? '');
      if (!minted.some((t) => t.id === id) || revoked.includes(id))
        return reply(404, { error: `id: no token "${id}"` });
      revoked.push(id);
      return reply(204);
    }
    reply(404, { error: 'not found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    minted,
    revoked,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
