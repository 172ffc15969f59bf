import { type ProbeConfigInput, probeConfig } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanContext } from './build-plan.ts';

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  self: { probeId: 'iad-1', region: 'iad' },
  resolver: 'fdaa::3',
  discoveredRegions: new Map(),
  echoPorts: { http: 8080, tcp: 7070, grpc: 50051 },
  ...over,
});

const config = (input: Partial<ProbeConfigInput>) =>
  probeConfig.parse({ schemaVersion: 1, revision: 'r', targets: [], ...input });

/** A target with an app, a public host in two regions, HTTPS publicly and a private HTTP port. */
const web = {
  name: 'web',
  app: 'web-app',
  host: 'web.fly.dev',
  regions: ['fra', 'syd'],
  http: { port: 443, tls: true },
  privatePorts: { http: 8080 },
};

describe('buildPlan', () => {
  it('expands targets x paths x protocols x regions', () => {
    const plan = buildPlan(
      config({
        targets: [web],
      }),
      ctx(),
    );
    const keys = plan.checks.map((c) => c.key).sort();
    // anycast: 3 protocols; pinned: http + grpc per region (raw TCP cannot be pinned); private: 3 per region.
    expect(keys).toHaveLength(3 + 2 * 2 + 3 * 2);
    const pinned = plan.checks.find((c) => c.key === 'grpc|web|pinned|syd|');
    expect(pinned?.spec).toMatchObject({
      host: 'web.fly.dev',
      targetRegion: 'syd',
      headers: { 'fly-force-region': 'syd' },
    });
    const priv = plan.checks.find((c) => c.key === 'http|web|private|fra|');
    expect(priv?.spec).toMatchObject({
      host: 'fra.web-app.internal',
      port: 8080,
      tls: false,
      resolver: 'fdaa::3',
    });
    const any = plan.checks.find((c) => c.key === 'http|web|anycast||');
    expect(any?.spec).toMatchObject({
      host: 'web.fly.dev',
      port: 443,
      tls: true,
      httpPath: '/echo',
      targetRegion: undefined,
    });
    expect(any?.spec.resolver).toBeUndefined();
    // One tick stream per (grpc path, region) by default.
    expect(plan.streams.map((s) => s.key).sort()).toEqual([
      'stream|web|anycast||0',
      'stream|web|pinned|fra|0',
      'stream|web|pinned|syd|0',
      'stream|web|private|fra|0',
      'stream|web|private|syd|0',
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('plans flycast once per protocol to <app>.flycast over 6PN on the public ports, in plaintext', () => {
    const plan = buildPlan(
      config({
        targets: [
          { ...web, paths: ['flycast'], grpc: { port: 50051, tls: true } },
          { name: 'db', flycastHost: 'fdaa:0:1:0:1::2', paths: ['flycast'], protocols: ['tcp'] },
        ],
      }),
      ctx(),
    );
    expect(plan.warnings).toEqual([]);
    // Like anycast, one check per protocol: fly-proxy picks the region, none is asked for.
    expect(plan.checks.map((c) => c.key).sort()).toEqual([
      'grpc|web|flycast||',
      'http|web|flycast||',
      'tcp|db|flycast||',
      'tcp|web|flycast||',
    ]);
    const http = plan.checks.find((c) => c.key === 'http|web|flycast||');
    expect(http?.spec).toMatchObject({ host: 'web-app.flycast', port: 443, tls: false, resolver: 'fdaa::3' });
    expect(http?.spec.targetRegion).toBeUndefined();
    const grpc = plan.checks.find((c) => c.key === 'grpc|web|flycast||')?.spec;
    expect(grpc).toMatchObject({ host: 'web-app.flycast', tls: false });
    expect(grpc && 'headers' in grpc ? grpc.headers : undefined).toBeUndefined();
    expect(plan.checks.find((c) => c.key === 'tcp|db|flycast||')?.spec.host).toBe('fdaa:0:1:0:1::2');
    expect(plan.streams.map((s) => s.key)).toEqual(['stream|web|flycast||0']);
  });

  it('uses discovered regions when a target lists none, and warns when it cannot plan a path', () => {
    const input = config({
      targets: [{ name: 'api', app: 'api-app', paths: ['anycast', 'private'], protocols: ['tcp'] }],
    });
    const none = buildPlan(input, ctx());
    expect(none.checks).toEqual([]);
    expect(none.warnings).toEqual([
      'targets.api: path anycast needs host',
      'targets.api: path private needs regions (none configured or discovered)',
    ]);
    const found = buildPlan(input, ctx({ discoveredRegions: new Map([['api-app', ['ams', 'nrt']]]) }));
    expect(found.checks.map((c) => c.spec.host)).toEqual(['ams.api-app.internal', 'nrt.api-app.internal']);
  });

  it('probes every mesh peer except itself', () => {
    const plan = buildPlan(
      config({
        mesh: {
          enabled: true,
          protocols: ['http', 'tcp'],
          peers: [
            { probeId: 'iad-1', region: 'iad', address: '[fdaa::1]:8080' },
            { probeId: 'fra-1', region: 'fra', address: '[fdaa::2]:8080' },
            { probeId: 'syd-1', region: 'syd', address: 'syd.example:9000', tcpAddress: 'syd.example:7777' },
          ],
        },
      }),
      ctx(),
    );
    expect(plan.checks.map((c) => [c.key, c.spec.host, c.spec.port])).toEqual([
      ['http|mesh|mesh|fra|fra-1', 'fdaa::2', 8080],
      ['tcp|mesh|mesh|fra|fra-1', 'fdaa::2', 7070],
      ['http|mesh|mesh|syd|syd-1', 'syd.example', 9000],
      ['tcp|mesh|mesh|syd|syd-1', 'syd.example', 7777],
    ]);
  });

  it('keeps the first of two targets with the same name and says so', () => {
    const plan = buildPlan(
      config({
        targets: [
          { name: 'a', host: 'x', paths: ['anycast'], protocols: ['tcp'] },
          { name: 'a', host: 'y', paths: ['anycast'], protocols: ['tcp'] },
        ],
      }),
      ctx(),
    );
    expect(plan.checks.map((c) => c.spec.host)).toEqual(['x']);
    expect(plan.warnings[0]).toMatch(/duplicate check tcp\|a/);
  });
});
