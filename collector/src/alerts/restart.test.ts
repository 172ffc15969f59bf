import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertListResponse } from '@flyprobe/shared';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN_SECRET,
  batch,
  call,
  probeIdentity,
  probeToken,
  READ_SECRET,
  result,
  startTestCollector,
  until,
} from '../testing/index.ts';
import { alertingSettingsFromEnv } from './settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-alert-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = () =>
  startTestCollector(
    { FLYPROBE_DB: join(dir, 'collector.db') },
    { alerting: { settings: alertingSettingsFromEnv({ FLYPROBE_ALERT_EVAL_MS: '100' }) } },
  );

const alerts = async (url: string, state: string) =>
  ((await call(`${url}/v1/alerts?state=${state}`, { token: READ_SECRET })).body as AlertListResponse).alerts;

describe('a collector restart', { timeout: 60_000 }, () => {
  it('keeps a firing alert firing: detector windows are rebuilt from stored results', async () => {
    let c = await start();
    try {
      const put = await call(`${c.url}/v1/targets`, {
        method: 'PUT',
        token: ADMIN_SECRET,
        body: [{ name: 'web', host: 'web.example', regions: ['fra', 'sin'] }],
      });
      expect(put.status).toBe(200);
      const token = await probeToken(c.url, 'ams-1', 'ams');
      const now = Date.now();
      const results = [0, 1, 2].map((i) =>
        result(i, {
          startedAt: now - 3000 + i * 1000,
          servedRegion: 'sin',
          edgeRegion: 'ams',
          latencyMs: 160,
        }),
      );
      expect(
        (await call(`${c.url}/v1/ingest`, { token, body: batch(probeIdentity('ams-1', 'ams'), results) }))
          .status,
      ).toBe(200);
      const firing = await until('the misroute alert', async () => (await alerts(c.url, 'firing'))[0]);
      expect(firing.labels).toMatchObject({ rule: 'misroute', probe_region: 'ams', region: 'sin' });
      await c.close();

      c = await start();
      // Several evaluations after the restart: the alert is still the same open episode.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await alerts(c.url, 'firing')).map((a) => a.id)).toEqual([firing.id]);
      expect(await alerts(c.url, 'resolved')).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
