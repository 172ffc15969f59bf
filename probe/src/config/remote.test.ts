import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProbeConfig, probeConfig } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestReceiver } from '../reporter/testing/ingest-receiver.ts';
import { effectiveConfig, RemoteConfig } from './remote.ts';

let rx: IngestReceiver;
const dir = mkdtempSync(join(tmpdir(), 'flyprobe-remote-'));
beforeAll(async () => {
  rx = await IngestReceiver.start();
});
afterAll(async () => {
  await rx.close();
  rmSync(dir, { recursive: true, force: true });
});

const doc = (revision: string, intervalMs = 15_000) => ({
  schemaVersion: 1 as const,
  revision,
  targets: [{ name: 'web', host: 'web.fly.dev', intervalMs }],
});

describe('remote config', () => {
  it('applies new documents, treats 304 as unchanged, refuses invalid ones and keeps the last good', async () => {
    const applied: ProbeConfig[] = [];
    const logs: string[] = [];
    const rc = new RemoteConfig({
      collector: { url: rx.url, token: 't' },
      apply: (c) => applied.push(c),
      pollMs: () => 60_000,
      cacheDir: dir,
      log: (_level, m) => logs.push(m),
    });
    rx.setConfig(doc('r1'), 'e1');
    expect(await rc.pollOnce()).toBe('applied');
    expect(rx.configRequests.at(-1)).toEqual({ ifNoneMatch: undefined, status: 200 });
    expect(await rc.pollOnce()).toBe('unchanged');
    expect(rx.configRequests.at(-1)).toEqual({ ifNoneMatch: '"e1"', status: 304 });
    rx.setConfig(doc('r2', 1_000), 'e2');
    expect(await rc.pollOnce()).toBe('applied');
    expect(applied.map((c) => c.revision)).toEqual(['r1', 'r2']);
    expect(applied[1]?.targets[0]?.intervalMs).toBe(1_000);

    rx.setConfig(doc('r3', 5), 'e3');
    expect(await rc.pollOnce()).toBe('invalid');
    expect(logs.at(-1)).toContain('targets[0].intervalMs');
    expect(rc.config?.revision).toBe('r2');
    // The refused document is not re-judged until it changes.
    expect(await rc.pollOnce()).toBe('unchanged');
    rx.setConfig('{not json', 'e4');
    expect(await rc.pollOnce()).toBe('invalid');
    expect(applied).toHaveLength(2);

    // A restart finds the last good config cached.
    const again = new RemoteConfig({
      collector: { url: rx.url, token: 't' },
      apply: () => undefined,
      pollMs: () => 60_000,
      cacheDir: dir,
    });
    expect((await again.loadCached())?.revision).toBe('r2');
  });

  it('reports an unreachable collector as an error', async () => {
    const rc = new RemoteConfig({
      collector: { url: 'http://127.0.0.1:1', token: 't' },
      apply: () => undefined,
      pollMs: () => 60_000,
    });
    expect(await rc.pollOnce()).toBe('error');
  });

  it('merges local static targets under the remote config', () => {
    const local = probeConfig.parse({
      schemaVersion: 1,
      revision: 'local',
      targets: [
        { name: 'web', host: 'local' },
        { name: 'lab', host: 'lab' },
      ],
    });
    const remote = probeConfig.parse(doc('r9'));
    const merged = effectiveConfig(local, remote);
    expect(merged.revision).toBe('r9');
    expect(merged.targets.map((t) => [t.name, t.host])).toEqual([
      ['web', 'web.fly.dev'],
      ['lab', 'lab'],
    ]);
    expect(effectiveConfig(local, undefined)).toBe(local);
  });
});
