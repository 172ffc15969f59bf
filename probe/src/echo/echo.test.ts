import { connect as h2connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { echoResponse } from '@flyprobe/shared';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoClientConstructor } from '../checks/testing/grpc-client.ts';
import { echoApp, echoIdentityFromEnv, type RunningEcho } from './index.ts';
import { startLoopbackEcho } from './testing/loopback-echo.ts';

const identity = {
  region: 'fra',
  machineId: 'e286de4f711e86',
  app: 'my-target',
  startedAt: Date.now() - 5000,
  imageRef: 'registry.fly.io/my-target:deployment-1',
};
let echo: RunningEcho;

beforeAll(async () => {
  echo = await startLoopbackEcho(identity);
});
afterAll(async () => {
  await echo.close();
});

function expectIdentity(body: Record<string, unknown>): void {
  expect(body.region).toBe('fra');
  expect(body.machineId).toBe(identity.machineId);
  expect(body.app).toBe('my-target');
  expect(body.startedAt).toBe(identity.startedAt);
  expect(body.imageRef).toBe(identity.imageRef);
  expect(typeof body.requestId).toBe('string');
}

describe('startEchoServer', () => {
  it('binds ephemeral ports', () => {
    for (const p of [echo.httpPort, echo.tcpPort, echo.grpcPort]) expect(p).toBeGreaterThan(0);
    expect(new Set([echo.httpPort, echo.tcpPort, echo.grpcPort]).size).toBe(3);
  });

  it('answers HTTP/1.1 with the echo JSON, the edge region and a request id header', async () => {
    const before = Date.now();
    const res = await fetch(`http://127.0.0.1:${echo.httpPort}/echo`, { headers: { 'fly-region': 'LHR' } });
    const body = echoResponse.parse(await res.json());
    expectIdentity(body);
    expect(body.protocol).toBe('http');
    expect(body.edgeRegion).toBe('lhr');
    expect(body.receivedAt).toBeGreaterThanOrEqual(before);
    expect(res.headers.get('x-flyprobe-request-id')).toBe(body.requestId);
    const health = await fetch(`http://127.0.0.1:${echo.httpPort}/healthz`);
    expect(await health.text()).toBe('ok');
  });

  it('answers h2c with prior knowledge on the same port', async () => {
    const session = h2connect(`http://127.0.0.1:${echo.httpPort}`);
    try {
      const body = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = session.request({ ':path': '/echo', 'fly-region': 'sjc' });
        let text = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => {
          text += c;
        });
        req.on('end', () => resolve(JSON.parse(text)));
        req.on('error', reject);
      });
      expectIdentity(body);
      expect(body.edgeRegion).toBe('sjc');
    } finally {
      session.close();
    }
  });

  it('echoes TCP lines with the nonce first and the echo JSON after it', async () => {
    const socket = netConnect(echo.tcpPort, '127.0.0.1');
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let buf = '';
        socket.on('data', (c) => {
          buf += c.toString();
          if (buf.split('\n').length > 2) resolve(buf.split('\n').slice(0, 2));
        });
        socket.on('error', reject);
        socket.write('abc123\nsecond\n');
      });
      const [first, second] = lines.map((l) => {
        const space = l.indexOf(' ');
        return { nonce: l.slice(0, space), body: echoResponse.parse(JSON.parse(l.slice(space + 1))) };
      });
      expect(first?.nonce).toBe('abc123');
      expect(second?.nonce).toBe('second');
      expect(first?.body.protocol).toBe('tcp');
      expectIdentity(first?.body ?? {});
      expect(first?.body.requestId).not.toBe(second?.body.requestId);
    } finally {
      socket.destroy();
    }
  });

  it('serves gRPC Ping and a bounded Ticks stream', async () => {
    const Ctor = echoClientConstructor();
    const client = new Ctor(`127.0.0.1:${echo.grpcPort}`, credentials.createInsecure());
    try {
      const md = new Metadata();
      md.set('fly-region', 'nrt');
      const reply = await new Promise<Record<string, unknown>>((resolve, reject) =>
        (client as unknown as Record<string, (...a: unknown[]) => void>).Ping?.(
          { nonce: 'n1' },
          md,
          (err: Error | null, r: Record<string, unknown>) => (err ? reject(err) : resolve(r)),
        ),
      );
      expect(reply.nonce).toBe('n1');
      expect(reply.edgeRegion).toBe('nrt');
      expectIdentity(reply);
      const ticks: { seq: number }[] = [];
      await new Promise<void>((resolve, reject) => {
        const call = (client as unknown as Record<string, (...a: unknown[]) => NodeJS.EventEmitter>).Ticks?.({
          intervalMs: 1,
          maxTicks: 3,
        });
        call?.on('data', (t: { seq: number }) => ticks.push(t));
        call?.on('end', resolve);
        call?.on('error', reject);
      });
      expect(ticks.map((t) => t.seq)).toEqual([1, 2, 3]);
    } finally {
      client.close();
    }
  });
});

describe('echoApp', () => {
  it('mounts under a prefix in a user app', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('user home'));
    app.route('/flyprobe', echoApp(identity));
    const res = await app.request('/flyprobe/echo', { headers: { 'fly-region': 'ord' } });
    const body = echoResponse.parse(await res.json());
    expect(body.edgeRegion).toBe('ord');
    expect(await (await app.request('/')).text()).toBe('user home');
    expect(await (await app.request('/flyprobe/healthz')).text()).toBe('ok');
  });

  it('omits an edge region that is not a region code', async () => {
    const res = await echoApp(identity).request('/echo', { headers: { 'fly-region': 'not a region' } });
    expect(echoResponse.parse(await res.json()).edgeRegion).toBeUndefined();
  });
});

describe('echoIdentityFromEnv', () => {
  it('reads the Fly environment with FLYPROBE_* overrides', () => {
    const id = echoIdentityFromEnv({
      FLY_REGION: 'ams',
      FLYPROBE_REGION: 'lhr',
      FLY_MACHINE_ID: '148ed193b95389',
      FLY_APP_NAME: 'app1',
      FLY_IMAGE_REF: 'registry.fly.io/app1:v2',
    });
    expect(id).toMatchObject({
      region: 'lhr',
      machineId: '148ed193b95389',
      app: 'app1',
      imageRef: 'registry.fly.io/app1:v2',
    });
    expect(id.startedAt).toBeLessThanOrEqual(Date.now());
    expect(id.startedAt).toBeGreaterThan(Date.now() - process.uptime() * 1000 - 1000);
  });

  it('names the variable that is missing or malformed', () => {
    expect(() => echoIdentityFromEnv({})).toThrow(/FLY_REGION/);
    expect(() => echoIdentityFromEnv({ FLYPROBE_REGION: 'Amsterdam' })).toThrow(/FLYPROBE_REGION/);
    expect(() => echoIdentityFromEnv({ FLY_REGION: 'ams', FLY_MACHINE_ID: 'bad id!' })).toThrow(
      /FLY_MACHINE_ID/,
    );
  });
});
