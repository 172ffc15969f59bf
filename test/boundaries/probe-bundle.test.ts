import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProbeSettings } from '@flyprobe/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbeBundle } from '../../probe/build.ts';
import { startLoopbackEcho } from '../../probe/src/echo/testing/loopback-echo.ts';
import { IngestReceiver } from '../../probe/src/reporter/testing/ingest-receiver.ts';
import { imageNodeFlags, spawnShipped } from '../bench/probe-shipped.ts';

const MODULE_LIST = fileURLToPath(new URL('testing/module-list.mjs', import.meta.url));
/**
 * What an ESM import of node:http (or https, crypto) evaluates through the builtin's lazy getters in
 * Node 24, and the probe never uses: the bundle must reach builtins through require() (probe/build.ts).
 */
const NOT_LOADED = ['internal/deps/undici/undici', 'zlib', 'internal/webstreams/readablestream'];

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flyprobe-bundle-test-'));
  bundle = await buildProbeBundle(join(dir, 'dist'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled probe role', () => {
  it('runs http, tcp and grpc checks without loading the builtins an ESM import would drag in', async () => {
    const echo = await startLoopbackEcho({
      region: 'iad',
      machineId: 'bundle-target',
      startedAt: Date.now(),
    });
    const rx = await IngestReceiver.start();
    try {
      const config = join(dir, 'probe.toml');
      writeFileSync(
        config,
        `bind = "127.0.0.1"\n[echo]\nenabled = false\n[metrics]\nport = 0\n[report]\nintervalMs = 200\n[[targets]]\nname = "t"\nhost = "127.0.0.1"\npaths = ["anycast"]\nprotocols = ["http", "tcp", "grpc"]\nintervalMs = 200\nhttp = { port = ${echo.httpPort} }\ntcp = { port = ${echo.tcpPort} }\ngrpc = { port = ${echo.grpcPort}, streams = 1 }\n`,
      );
      const list = join(dir, 'modules.txt');
      const probe = spawnShipped(bundle, [...imageNodeFlags(), '--import', MODULE_LIST], rx, 'iad-bundle', {
        FLYPROBE_REGION: 'iad',
        FLYPROBE_MACHINE_ID: 'bundle',
        FLYPROBE_CONFIG: config,
        FLYPROBE_TEST_MODULE_LIST: list,
      });
      try {
        const protocols = () =>
          new Set(
            rx.batches.flatMap((b) => b.results.filter((r) => r.outcome === 'ok').map((r) => r.protocol)),
          );
        await rx.waitFor(() => protocols().size === 3, 60_000, 'ok results for http, tcp and grpc');
      } finally {
        await probe.stop();
      }
      const loaded = readFileSync(list, 'utf8').split('\n').filter(Boolean);
      // The list is real: the checks' own builtins are in it.
      expect(loaded).toEqual(expect.arrayContaining(['http', 'http2', 'net', 'dns']));
      expect(loaded.filter((m) => NOT_LOADED.includes(m))).toEqual([]);
    } finally {
      await rx.close();
      await echo.close();
    }
  });

  it("leaves zod's translations out of the bundle (English messages only)", () => {
    // ASCII text of zod's German messages (esbuild escapes the rest), read from zod so it cannot go stale.
    const shared = fileURLToPath(new URL('../../shared/package.json', import.meta.url));
    const zod = dirname(createRequire(shared).resolve('zod'));
    const german = /Eingabe: erwartet/.exec(readFileSync(join(zod, 'v4', 'locales', 'de.js'), 'utf8'))?.[0];
    expect(german).toBeDefined();
    const out = dirname(dirname(bundle));
    const chunks = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.mjs'))
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
    expect(chunks.some((c) => c.includes('too_small'))).toBe(true);
    expect(chunks.filter((c) => c.includes(german as string))).toEqual([]);
  });

  it('refuses a bad config file with the same field errors as the source (zod messages intact)', () => {
    const config = join(dir, 'bad.toml');
    writeFileSync(config, '[[targets]]\nname = ""\nhost = "127.0.0.1"\ntimeoutMs = -1\n');
    const env = { FLYPROBE_REGION: 'iad', FLYPROBE_MACHINE_ID: 'bundle', FLYPROBE_CONFIG: config };
    const expected = (() => {
      try {
        loadProbeSettings(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the bad config was accepted');
    })();
    expect(expected).toContain('targets[0].name');
    const run = spawnSync(process.execPath, [...imageNodeFlags(), bundle, 'probe'], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`flyprobe probe: ${expected}\n`);
  });
});
