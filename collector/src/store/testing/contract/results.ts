import type { Heartbeat, TargetConfig } from '@flyprobe/shared';
import { targetConfig } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import type { StoreHarness } from '../dialects.ts';
import { probeIdentity, result, rollupSamples, T0 } from '../fixtures.ts';

const heartbeat = (degraded: boolean): Heartbeat => ({
  at: T0,
  uptimeS: 10,
  rssBytes: 50_000_000,
  heapUsedBytes: 20_000_000,
  eventLoopDelayMs: { p50: 1, p99: 4, max: 9 },
  bufferDepth: 0,
  bufferBytes: 0,
  dropped: {},
  missedRuns: 0,
  degraded,
  ...(degraded && { degradedReason: 'event loop lag' }),
});

/** Registers this part of the store contract for one dialect. */
export function resultsContract(h: StoreHarness): void {
  describe('results', { timeout: 60_000 }, () => {
    it('keeps results, probes, tokens and targets across close and reopen', async () => {
      const db = await h.database('persist');
      const store = await db.open();
      const probe = probeIdentity('fra');
      const rich = result(1, {
        path: 'anycast',
        targetRegion: undefined,
        edgeRegion: 'fra',
        servedRegion: 'ams',
        servedMachine: 'abc123',
        degraded: false,
        traceId: '0123456789abcdef0123456789abcdef',
        echo: {
          region: 'ams',
          machineId: 'abc123',
          startedAt: T0 - 5000,
          receivedAt: T0 + 1000,
          requestId: 'r1',
          edgeRegion: 'fra',
        },
      });
      const failed = result(2, {
        outcome: 'timeout',
        latencyMs: undefined,
        failedPhase: 'ttfb',
        errorMessage: 'no answer',
      });
      const { inserted, duplicate } = await store.insertResults(probe, [rich, failed], T0 + 5000);
      expect(duplicate).toBe(0);
      expect(inserted.map((r) => r.seq)).toEqual([1, 2]);
      const { secret: token } = await store.createToken({
        role: 'probe',
        probeId: 'fra-1',
        app: 'probes',
        region: 'fra',
        name: 'fra probe',
      });
      const targets: TargetConfig[] = [
        targetConfig.parse({ name: 'web', host: 'web.fly.dev', regions: ['ams', 'fra'] }),
      ];
      const { revision } = await store.putTargets(targets);
      await store.recordProbe(probe, heartbeat(false), T0 + 5000);
      await store.close();

      const reopened = await db.open();
      const listed = await reopened.listResults({ limit: 10 });
      // Faithful round trip: the wire result comes back exactly, plus the store's fields.
      expect(listed).toEqual([
        {
          ...failed,
          targetRegion: 'ams',
          id: inserted[1]!.id,
          probeId: 'fra-1',
          bootId: 'boot-1',
          probeRegion: 'fra',
          receivedAt: T0 + 5000,
        },
        {
          ...stripUndefined(rich),
          id: inserted[0]!.id,
          probeId: 'fra-1',
          bootId: 'boot-1',
          probeRegion: 'fra',
          receivedAt: T0 + 5000,
        },
      ]);
      expect((await reopened.findTokenBySecret(token))?.probeId).toBe('fra-1');
      expect(await reopened.getTargets()).toEqual({ revision, targets });
      expect((await reopened.listProbes()).map((p) => p.probeId)).toEqual(['fra-1']);
      expect((await reopened.insertResults(probe, [rich], T0 + 9000)).duplicate).toBe(1);
      await reopened.close();
    });

    it('stores concurrent duplicate batches once and counts the rest as duplicates', async () => {
      const store = await (await h.database('dupes')).open();
      const probe = probeIdentity('ord');
      const batch = Array.from({ length: 300 }, (_, i) => result(i));
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => store.insertResults(probe, batch, T0)),
      );
      expect(outcomes.reduce((n, o) => n + o.inserted.length, 0)).toBe(300);
      expect(outcomes.reduce((n, o) => n + o.duplicate, 0)).toBe(4 * 300);
      // A repeat within one batch is a duplicate too, and the same seq under a new boot id is a new result.
      const again = await store.insertResults(probe, [result(1000), result(1000)], T0);
      expect([again.inserted.length, again.duplicate]).toEqual([1, 1]);
      const reboot = await store.insertResults({ ...probe, bootId: 'boot-2' }, [result(0)], T0);
      expect(reboot.inserted.length).toBe(1);
      expect((await store.listResults({ probeId: 'ord-1', limit: 10_000 })).length).toBe(302);
      expect(await rollupSamples(store, 3_600_000)).toBe(302);
      await store.close();
    });

    it('commits concurrent batches together, and a failing batch does not fail its neighbours', async () => {
      const store = await (await h.database('group')).open();
      const broken = { ...result(1), target: null } as unknown as ReturnType<typeof result>;
      const [good, bad, other] = await Promise.allSettled([
        store.insertResults(probeIdentity('fra'), [result(0), result(1)], T0),
        store.insertResults(probeIdentity('ams'), [result(0), broken], T0),
        store.insertResults(probeIdentity('sin'), [result(0)], T0),
      ]);
      expect(good).toMatchObject({ status: 'fulfilled', value: { duplicate: 0 } });
      expect(other).toMatchObject({ status: 'fulfilled' });
      expect(bad).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringMatching(/not[ -]null/i) },
      });
      // The failed batch left nothing behind, not even its first (valid) result.
      expect((await store.listResults({ limit: 10 })).map((r) => r.probeRegion).sort()).toEqual([
        'fra',
        'fra',
        'sin',
      ]);
      const cells = await store.matrix({
        target: 'web',
        path: 'pinned',
        protocol: 'http',
        metric: 'loss',
        from: T0,
        to: T0 + 3_600_000,
      });
      expect(cells.reduce((n, c) => n + c.samples, 0)).toBe(3);
      await store.close();
    });

    it('filters listResults by probe, region, target, path, protocol and time, newest first', async () => {
      const store = await (await h.database('list')).open();
      await store.insertResults(
        probeIdentity('fra'),
        [result(0), result(1, { protocol: 'tcp' }), result(2, { target: 'api' })],
        T0,
      );
      await store.insertResults(probeIdentity('sin'), [result(0, { path: 'private' })], T0);
      const seqs = async (f: Parameters<typeof store.listResults>[0]) =>
        (await store.listResults(f)).map((r) => `${r.probeRegion}${r.seq}`);
      expect(await seqs({ limit: 10 })).toEqual(['fra2', 'fra1', 'sin0', 'fra0']);
      expect(await seqs({ probeRegion: 'fra', protocol: 'http', limit: 10 })).toEqual(['fra2', 'fra0']);
      expect(await seqs({ target: 'web', path: 'pinned', limit: 10 })).toEqual(['fra1', 'fra0']);
      expect(await seqs({ probeId: 'sin-1', limit: 10 })).toEqual(['sin0']);
      expect(await seqs({ from: T0 + 1000, to: T0 + 2000, limit: 10 })).toEqual(['fra1']);
      expect(await seqs({ limit: 1 })).toEqual(['fra2']);
      await store.close();
    });
  });

  describe('registry, tokens and targets', { timeout: 60_000 }, () => {
    it('records probes, keeping the last health when a batch has no heartbeat', async () => {
      const store = await (await h.database('probes')).open();
      const probe = probeIdentity('syd', { echoAddress: '[fdaa::3]:8080' });
      await store.recordProbe(probe, heartbeat(true), T0);
      await store.recordProbe({ ...probe, version: '0.2.0', bootId: 'boot-2' }, undefined, T0 + 60_000);
      const [p] = await store.listProbes();
      expect(p).toMatchObject({
        probeId: 'syd-1',
        region: 'syd',
        version: '0.2.0',
        bootId: 'boot-2',
        firstSeen: T0,
        lastSeen: T0 + 60_000,
        degraded: true,
        degradedReason: 'event loop lag',
        echoAddress: '[fdaa::3]:8080',
      });
      expect(p?.health).toMatchObject({ rssBytes: 50_000_000 });
      await store.recordProbe(probe, heartbeat(false), T0 + 120_000);
      expect((await store.listProbes())[0]).toMatchObject({ degraded: false, degradedReason: null });
      await store.close();
    });

    it('keeps only a hash of token secrets and finds, lists and revokes tokens', async () => {
      const db = await h.database('tokens');
      const store = await db.open();
      const admin = await store.createToken({ role: 'admin', name: 'ops' });
      expect(admin.secret).toMatch(/^fp_admin_[A-Za-z0-9_-]{43}$/);
      const stored = (await db.rows('SELECT secret_hash FROM tokens')).map((r) =>
        Buffer.from(r[0] as Uint8Array),
      );
      expect(stored.every((h) => h.length === 32 && !h.toString('latin1').includes(admin.secret))).toBe(true);
      expect(await store.findTokenBySecret(admin.secret)).toEqual(admin.record);
      expect(await store.findTokenBySecret(`${admin.secret}x`)).toBeUndefined();
      await expect(store.createToken({ role: 'read', probeId: 'x' })).rejects.toThrow(/probeId/);
      const bound = await store.createToken({
        role: 'probe',
        probeId: 'fra-1',
        app: 'probes',
        region: 'fra',
        expiresAt: T0 + 86_400_000,
      });
      expect(await store.findTokenBySecret(bound.secret)).toEqual(bound.record);
      expect(bound.record).toMatchObject({
        probeId: 'fra-1',
        app: 'probes',
        region: 'fra',
        expiresAt: T0 + 86_400_000,
      });
      await expect(store.createToken({ role: 'probe', probeId: 'fra-1' })).rejects.toThrow(
        /probeId, app and region/,
      );
      const boot = await store.ensureToken({
        secret: 'operator-chosen-secret-1',
        role: 'admin',
        name: 'bootstrap-admin',
      });
      const rotated = await store.ensureToken({
        secret: 'operator-chosen-secret-2',
        role: 'admin',
        name: 'bootstrap-admin',
      });
      expect(rotated.id).toBe(boot.id);
      expect(await store.findTokenBySecret('operator-chosen-secret-1')).toBeUndefined();
      expect((await store.findTokenBySecret('operator-chosen-secret-2'))?.id).toBe(boot.id);
      expect((await store.listTokens()).map((t) => t.id).sort()).toEqual(
        [admin.record.id, bound.record.id, boot.id].sort(),
      );
      expect(await store.revokeToken(admin.record.id)).toBe(true);
      expect(await store.revokeToken(admin.record.id)).toBe(false);
      expect(await store.findTokenBySecret(admin.secret)).toBeUndefined();
      await store.close();
    });

    it('versions the targets document by the hash of its JSON', async () => {
      const store = await (await h.database('targets')).open();
      const empty = await store.getTargets();
      expect(empty.targets).toEqual([]);
      const a = [targetConfig.parse({ name: 'web', host: 'web.fly.dev' })];
      const b = [targetConfig.parse({ name: 'web', host: 'web.fly.dev', intervalMs: 5000 })];
      const ra = await store.putTargets(a);
      expect(ra.revision).not.toBe(empty.revision);
      expect((await store.putTargets(a)).revision).toBe(ra.revision);
      const rb = await store.putTargets(b);
      expect(rb.revision).not.toBe(ra.revision);
      expect(await store.getTargets()).toEqual({ revision: rb.revision, targets: b });
      await store.close();
    });

    it('refuses calls after close with a clear error', async () => {
      const store = await (await h.database('closed')).open();
      await store.close();
      await store.close();
      await expect(store.listProbes()).rejects.toThrow(/store is closed/);
    });
  });
}

function stripUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
