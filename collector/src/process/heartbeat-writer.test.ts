import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../store/index.ts';
import type { Store } from '../store/store.ts';
import { heartbeat, probeIdentity } from '../testing/fixtures.ts';
import { HeartbeatWriter } from './heartbeat-writer.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flyprobe-heartbeats-'));
  store = await openSqliteStore({ path: join(dir, 'hb.db') });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const lastSeen = async (probeId: string) =>
  (await store.listProbes()).find((p) => p.probeId === probeId)?.lastSeen;

describe('HeartbeatWriter', () => {
  it('writes the first heartbeat at once, coalesces a burst, and flushes the latest', async () => {
    const w = new HeartbeatWriter(store, silentLogger, 60_000);
    const id = probeIdentity('p-burst', 'iad');
    const t0 = Date.now();
    await w.record(id, heartbeat({ at: t0 }), t0);
    expect(await lastSeen('p-burst')).toBe(t0);
    for (let i = 1; i <= 5; i++) await w.record(id, heartbeat({ at: t0 + i }), t0 + i);
    expect(await lastSeen('p-burst')).toBe(t0);
    await w.flush();
    expect(await lastSeen('p-burst')).toBe(t0 + 5);
  });

  it('writes a change of the degraded flag or identity at once', async () => {
    const w = new HeartbeatWriter(store, silentLogger, 60_000);
    const t0 = Date.now();
    await w.record(probeIdentity('p-flag', 'iad'), heartbeat(), t0);
    await w.record(
      probeIdentity('p-flag', 'iad'),
      heartbeat({ degraded: true, degradedReason: 'lag' }),
      t0 + 1,
    );
    expect((await store.listProbes()).find((p) => p.probeId === 'p-flag')).toMatchObject({
      degraded: true,
      lastSeen: t0 + 1,
    });
    await w.record(
      probeIdentity('p-flag', 'iad', { bootId: 'boot-2' }),
      heartbeat({ degraded: true, degradedReason: 'lag' }),
      t0 + 2,
    );
    expect((await store.listProbes()).find((p) => p.probeId === 'p-flag')).toMatchObject({
      bootId: 'boot-2',
      lastSeen: t0 + 2,
    });
  });

  it('writes the pending heartbeat when the interval ends', async () => {
    const w = new HeartbeatWriter(store, silentLogger, 50);
    const id = probeIdentity('p-timer', 'iad');
    const t0 = Date.now();
    await w.record(id, heartbeat(), t0);
    await w.record(id, heartbeat(), t0 + 10);
    await expect.poll(() => lastSeen('p-timer'), { timeout: 5000 }).toBe(t0 + 10);
  });
});
