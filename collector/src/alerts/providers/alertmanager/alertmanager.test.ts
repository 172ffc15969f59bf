import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../engine.ts';
import { DEFAULT_DELIVERY, DeliveryWorker } from '../../outbox/worker.ts';
import { finding, tempAlertDb } from '../../test-support.ts';
import type { Receiver } from '../../types.ts';
import { SlackProvider } from '../slack/index.ts';
import { WebhookProvider } from '../webhook/index.ts';
import { AlertmanagerProvider } from './index.ts';

const BINARY = '/usr/bin/prometheus-alertmanager';
const available = spawnSync(BINARY, ['--version']).status === 0;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

async function amAlerts(base: string): Promise<AmAlert[]> {
  const res = await request(`${base}/api/v2/alerts`);
  return (await res.body.json()) as AmAlert[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!available)(
  'Alertmanager provider against the real prometheus-alertmanager',
  { timeout: 60_000 },
  () => {
    let dir: string;
    let am: ChildProcess;
    let base: string;
    let log = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'flyprobe-am-'));
      writeFileSync(
        join(dir, 'alertmanager.yml'),
        'route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n',
      );
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      am = spawn(
        BINARY,
        [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      am.stderr?.on('data', (c: Buffer) => {
        log += c.toString();
      });
      await until(`alertmanager ready (log: ${log.slice(-500)})`, async () => {
        const res = await request(`${base}/-/ready`);
        await res.body.dump();
        return res.statusCode === 200 ? true : undefined;
      });
    }, 60_000);

    afterAll(async () => {
      if (am && am.exitCode === null) {
        const exited = new Promise((resolve) => am.once('exit', resolve));
        am.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('shows the alert with its labels while firing and resolves it when the fault clears', async () => {
      const db = tempAlertDb();
      try {
        const r: Receiver = {
          id: 'env:alertmanager',
          kind: 'alertmanager',
          url: base,
          secret: null,
          name: null,
          source: 'env',
          createdAt: 0,
        };
        const engine = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [r] });
        const alertmanager = new AlertmanagerProvider({
          timeoutMs: 5000,
          now: Date.now,
          firingTtlMs: 60_000,
          publicUrl: 'http://collector.example:8080',
        });
        const worker = new DeliveryWorker(
          {
            store: db.store,
            receivers: async () => [r],
            providers: {
              webhook: new WebhookProvider({ timeoutMs: 5000, now: Date.now }),
              slack: new SlackProvider({ timeoutMs: 5000 }),
              alertmanager,
            },
            alertmanager,
            firingAlerts: () => [],
            now: Date.now,
            log: () => undefined,
          },
          DEFAULT_DELIVERY,
        );
        await engine.apply([finding()], Date.now());
        await worker.runOnce();
        expect(await db.store.outboxCounts()).toMatchObject({ delivered: 1 });
        const shown = await until('the alert in GET /api/v2/alerts', async () =>
          (await amAlerts(base)).find((a) => a.labels.alertname === 'flyprobe_resets'),
        );
        expect(shown.labels).toEqual({
          alertname: 'flyprobe_resets',
          rule: 'resets',
          target: 'web',
          region: 'sin',
          severity: 'critical',
          scope: 'local',
        });
        expect(shown.status.state).toBe('active');
        expect(shown.annotations.summary).toBe('web: connection failures in sin');
        expect(shown.annotations.sample_result_ids).toBe('1,2');

        await engine.apply([], Date.now());
        await worker.runOnce();
        expect(await db.store.outboxCounts()).toMatchObject({ delivered: 2, pending: 0 });
        await until('the alert resolved in Alertmanager', async () => {
          const a = (await amAlerts(base)).find((x) => x.labels.alertname === 'flyprobe_resets');
          return !a || Date.parse(a.endsAt) <= Date.now() ? true : undefined;
        });
      } finally {
        db.cleanup();
      }
    });
  },
);
