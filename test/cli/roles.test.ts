import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flyprobe/shared/testing';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, startCli } from './testing/run-cli.ts';

/** The role sub-commands start the real collector, probe agent and echo server from environment variables. */
describe('flyprobe collector / probe / echo', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-roles-'));
  const started: CliProcess[] = [];
  afterAll(() => {
    for (const p of started) p.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collector: serves /healthz from FLYPROBE_* settings, --port overrides, SIGTERM stops it with exit 0', async () => {
    const p = startCli(['collector', '--port', '0'], {
      FLYPROBE_DB: join(dir, 'c.db'),
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: '1', // overridden by --port 0
      FLYPROBE_ADMIN_TOKEN: 'admin-secret-roles-test',
    });
    started.push(p);
    const [, url] = await p.waitForLine(/^flyprobe collector: listening on (http:\/\/127\.0\.0\.1:\d+)$/);
    const res = await request(`${url}/healthz`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const done = await p.signal('SIGTERM');
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('flyprobe collector: SIGTERM, stopping');
  });

  it('collector: logs the address it is bound to, [::] when bound to ::', async () => {
    const p = startCli(['collector', '--port', '0', '--host', '::'], {
      FLYPROBE_DB: join(dir, 'v6.db'),
      FLYPROBE_ADMIN_TOKEN: 'admin-secret-roles-test',
    });
    started.push(p);
    const [, port] = await p.waitForLine(/^flyprobe collector: listening on http:\/\/\[::\]:(\d+)$/);
    const res = await request(`http://127.0.0.1:${port}/healthz`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect((await p.signal('SIGTERM')).code).toBe(0);
  });

  it('collector: a bad setting is one line naming the variable, exit 1', async () => {
    const r = await runCli(['collector'], { FLYPROBE_DB: join(dir, 'x.db'), FLYPROBE_PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flyprobe collector: .*FLYPROBE_PORT: must be an integer/);
  });

  it('echo: answers HTTP with the Fly identity and stops on SIGINT with exit 0', async () => {
    const p = startCli(
      ['echo', '--bind', '127.0.0.1', '--http-port', '0', '--tcp-port', '0', '--grpc-port', '0'],
      {
        FLY_REGION: 'fra',
        FLY_MACHINE_ID: 'e2e0123456789a',
        FLY_APP_NAME: 'echo-app',
      },
    );
    started.push(p);
    const [, httpPort] = await p.waitForLine(
      /^flyprobe echo: serving on 127\.0\.0\.1: http (\d+), tcp \d+, grpc \d+$/,
    );
    const res = await request(`http://127.0.0.1:${httpPort}/`);
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(await res.body.json())).toContain('fra');
    const done = await p.signal('SIGINT');
    expect(done.code).toBe(0);
  });

  it('echo: a bad port variable is named, exit 1', async () => {
    const r = await runCli(['echo'], { FLYPROBE_ECHO_TCP_PORT: '70000' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'flyprobe echo: FLYPROBE_ECHO_TCP_PORT must be a port number from 0 to 65535, got "70000"\n',
    );
  });

  it('probe: runs from FLY_REGION / FLY_MACHINE_ID, serves /healthz, flushes and exits 0 on SIGTERM', async () => {
    const [http, tcp, grpc, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const p = startCli(['probe'], {
      FLY_REGION: 'syd',
      FLY_MACHINE_ID: 'abcdef01234567',
      FLYPROBE_BIND: '127.0.0.1',
      FLYPROBE_ECHO_HTTP_PORT: String(http),
      FLYPROBE_ECHO_TCP_PORT: String(tcp),
      FLYPROBE_ECHO_GRPC_PORT: String(grpc),
      FLYPROBE_METRICS_PORT: String(metricsPort),
      FLYPROBE_SPOOL_DIR: join(dir, 'spool'),
    });
    started.push(p);
    const [, probeId, metrics] = await p.waitForLine(
      /^flyprobe probe: (\S+) in syd running \(.*metrics (\d+)\)$/,
      90_000,
    );
    expect(probeId).toBe('syd-abcdef01234567');
    expect(Number(metrics)).toBe(metricsPort);
    const res = await request(`http://127.0.0.1:${metrics}/healthz`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const done = await p.signal('SIGTERM');
    expect(done.code).toBe(0);
  });

  it('probe: a missing region is named, exit 1', async () => {
    const r = await runCli(['probe'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flyprobe probe: FLYPROBE_REGION: required/);
  });
});
