import { existsSync, unlinkSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { FLY_HEADERS, hostPort, type RegionCode } from '@flyprobe/shared';
import type { EdgeConfig, EdgeState } from './config.ts';
import { chooseServedRegion, type RouteChoice } from './route.ts';
import { ulid } from './ulid.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);
const VIA = '1.1 fly.io';
const HEALTH_TIMEOUT_MS = 1000;

export interface RunningEdge {
  state(): EdgeState;
  close(): Promise<void>;
}

/**
 * The lab's fly-proxy for one region: HTTP/1.1, h2c (gRPC) and raw TCP on the anycast address (and the
 * Flycast address, handled alike), forwarded to the target machine of the chosen region over the
 * emulated backhaul.
 */
export async function startEdge(config: EdgeConfig): Promise<RunningEdge> {
  const healthy = new Set<RegionCode>();
  const served: Record<RegionCode, number> = {};
  let override: RegionCode | null = null;
  let refused = 0;
  let backendErrors = 0;
  const addressOf = new Map(config.targets.map((t) => [t.region, t.address]));
  const portsOf = new Map(config.targets.map((t) => [t.region, t.ports ?? config.targetPorts]));
  const backhaul: Record<RegionCode, number> = { ...(config.backhaulDelayMs ?? {}) };
  const portOf = (r: RegionCode, kind: keyof EdgeConfig['targetPorts']) =>
    (portsOf.get(r) ?? config.targetPorts)[kind];
  /** Loopback labs: the backhaul round trip the emulator would otherwise add. */
  const backhaulWait = (r: RegionCode): Promise<void> | undefined => {
    const ms = backhaul[r] ?? 0;
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, 2 * ms)) : undefined;
  };
  const targetRegions = config.targets.map((t) => t.region);

  const choose = (force?: string, prefer?: string): RouteChoice =>
    chooseServedRegion({ edge: config.region, targetRegions, healthy, force, prefer, override });
  const requestId = () => `${ulid()}-${config.region}`;
  const count = (r: RegionCode) => {
    served[r] = (served[r] ?? 0) + 1;
  };

  // Backhaul connections are pooled, as fly-proxy's are, so a request pays one backhaul round trip.
  const agents = new Map<RegionCode, http.Agent>();
  const agentFor = (r: RegionCode) => {
    let a = agents.get(r);
    if (!a) {
      a = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 16 });
      agents.set(r, a);
    }
    return a;
  };

  const onRequest: http.RequestListener = (req, res) => {
    const force = header(req.headers, FLY_HEADERS.forceRegion);
    const prefer = header(req.headers, FLY_HEADERS.preferRegion);
    const route = choose(force, prefer);
    const rid = requestId();
    if (!route.ok) {
      refused++;
      res.writeHead(route.status, { 'content-type': 'text/plain', [FLY_HEADERS.requestId]: rid, via: VIA });
      res.end(`${route.message}\n`);
      return;
    }
    count(route.region);
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers))
      if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    Object.assign(headers, {
      host: req.headers.host ?? config.listen,
      [FLY_HEADERS.region]: config.region,
      [FLY_HEADERS.clientIp]: req.socket.remoteAddress ?? '',
      'x-forwarded-for': req.socket.remoteAddress ?? '',
      'fly-forwarded-port': String(config.ports.http),
      via: VIA,
    });
    const forward = () => {
      const upstream = http.request(
        {
          host: addressOf.get(route.region),
          port: portOf(route.region, 'http'),
          method: req.method,
          path: req.url,
          headers,
          agent: agentFor(route.region),
        },
        (up) => {
          const out: OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(up.headers))
            if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
          out[FLY_HEADERS.requestId] = rid;
          out.via = VIA;
          out.server = 'Fly/lab';
          res.writeHead(up.statusCode ?? 502, out);
          up.pipe(res);
          up.on('error', () => res.destroy());
        },
      );
      upstream.on('error', (err) => {
        backendErrors++;
        if (res.headersSent) res.destroy();
        else {
          res.writeHead(502, { 'content-type': 'text/plain', [FLY_HEADERS.requestId]: rid, via: VIA });
          res.end(`backend ${route.region}: ${err.message}\n`);
        }
      });
      req.pipe(upstream);
    };
    const wait = backhaulWait(route.region);
    if (wait) {
      req.pause();
      void wait.then(forward);
    } else forward();
  };

  const sessions = new Map<RegionCode, http2.ClientHttp2Session>();
  const sessionFor = (r: RegionCode) => {
    const existing = sessions.get(r);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const address = addressOf.get(r) as string;
    const s = http2.connect(`http://${hostPort(address, portOf(r, 'grpc'))}`);
    s.on('error', () => {
      backendErrors++;
    });
    s.on('close', () => {
      if (sessions.get(r) === s) sessions.delete(r);
    });
    sessions.set(r, s);
    return s;
  };

  const onStream = (stream: http2.ServerHttp2Stream, reqHeaders: http2.IncomingHttpHeaders): void => {
    const rid = requestId();
    const route = choose(
      header(reqHeaders, FLY_HEADERS.forceRegion),
      header(reqHeaders, FLY_HEADERS.preferRegion),
    );
    if (!route.ok) {
      refused++;
      // gRPC UNAVAILABLE (14) as a trailers-only answer.
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '14',
          'grpc-message': route.message,
          [FLY_HEADERS.requestId]: rid,
        },
        { endStream: true },
      );
      return;
    }
    count(route.region);
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(reqHeaders))
      if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers[FLY_HEADERS.region] = config.region;
    headers[FLY_HEADERS.clientIp] = stream.session?.socket?.remoteAddress ?? '';
    let up: http2.ClientHttp2Stream;
    try {
      up = sessionFor(route.region).request(headers);
    } catch {
      backendErrors++;
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    let trailers: IncomingHttpHeaders = {};
    up.on('response', (h) => {
      const out: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(h)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
      out[FLY_HEADERS.requestId] = rid;
      if (stream.closed) return;
      stream.respond(out, { waitForTrailers: true });
    });
    up.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => {
      const out: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(trailers)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
      stream.sendTrailers(out);
    });
    up.pipe(stream);
    stream.pipe(up);
    up.on('close', () => {
      if (!stream.closed && up.rstCode && up.rstCode !== http2.constants.NGHTTP2_NO_ERROR)
        stream.close(up.rstCode);
      else if (!stream.headersSent && !stream.closed) {
        backendErrors++;
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      }
    });
    up.on('error', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (!up.closed) up.close(stream.rstCode || http2.constants.NGHTTP2_CANCEL);
    });
  };

  // TCP has no headers: the edge can only pick the served region.
  const onConnection = (client: net.Socket): void => {
    const route = choose();
    client.on('error', () => undefined);
    if (!route.ok) {
      refused++;
      client.destroy();
      return;
    }
    count(route.region);
    const backend = net.connect({ host: addressOf.get(route.region), port: portOf(route.region, 'tcp') });
    backend.on('error', () => {
      backendErrors++;
      client.destroy();
    });
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    client.pipe(backend);
    backend.pipe(client);
  };

  // The same proxy behind every address it holds, as fly-proxy serves anycast and Flycast alike.
  const listeners = [config.listen, ...(config.flycast ? [config.flycast] : [])].map((address) => {
    const httpServer = http.createServer(onRequest);
    httpServer.keepAliveTimeout = 5000;
    const h2Server = http2.createServer();
    h2Server.on('stream', onStream);
    return { address, httpServer, h2Server, tcpServer: net.createServer(onConnection) };
  });

  const check = (r: RegionCode) =>
    new Promise<void>((resolve) => {
      const s = net.connect({ host: addressOf.get(r), port: portOf(r, 'http') });
      const done = (ok: boolean) => {
        clearTimeout(timer);
        s.destroy();
        if (ok) healthy.add(r);
        else healthy.delete(r);
        resolve();
      };
      const timer = setTimeout(() => done(false), HEALTH_TIMEOUT_MS);
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
    });
  const checkAll = () => Promise.all(targetRegions.map(check));
  let checking = false;
  const healthTimer = setInterval(() => {
    if (checking) return;
    checking = true;
    void checkAll().finally(() => {
      checking = false;
    });
  }, config.healthIntervalMs);
  await checkAll();

  const state = (): EdgeState => ({
    region: config.region,
    healthy: [...healthy].sort(),
    override,
    served: { ...served },
    refused,
    backendErrors,
  });
  const control = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/state') return reply(200, state());
    if (req.method === 'PUT' && req.url === '/override') {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        try {
          const r = (JSON.parse(body) as { region?: unknown }).region;
          if (r !== null && (typeof r !== 'string' || !targetRegions.includes(r)))
            return reply(400, { error: `region: must be null or one of ${targetRegions.join(', ')}` });
          override = r;
          reply(200, state());
        } catch {
          reply(400, { error: 'body: must be JSON {"region": code | null}' });
        }
      });
      return;
    }
    if (req.method === 'PUT' && req.url === '/delay') {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        try {
          const { region, ms } = JSON.parse(body) as { region?: unknown; ms?: unknown };
          if (typeof region !== 'string' || !targetRegions.includes(region))
            return reply(400, { error: `region: must be one of ${targetRegions.join(', ')}` });
          if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
            return reply(400, { error: 'ms: must be a number >= 0' });
          backhaul[region] = ms;
          reply(200, state());
        } catch {
          reply(400, { error: 'body: must be JSON {"region": code, "ms": number}' });
        }
      });
      return;
    }
    reply(404, { error: 'GET /state, PUT /override or PUT /delay' });
  });

  if (existsSync(config.control)) unlinkSync(config.control);
  await Promise.all([
    ...listeners.flatMap((l) => [
      listen(l.httpServer, l.address, config.ports.http),
      listen(l.h2Server, l.address, config.ports.grpc),
      listen(l.tcpServer, l.address, config.ports.tcp),
    ]),
    new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.listen(config.control, resolve);
    }),
  ]);

  return {
    state,
    async close() {
      clearInterval(healthTimer);
      for (const s of sessions.values()) s.destroy();
      for (const a of agents.values()) a.destroy();
      for (const l of listeners) l.httpServer.closeAllConnections();
      const servers = [...listeners.flatMap((l) => [l.httpServer, l.h2Server, l.tcpServer]), control];
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
