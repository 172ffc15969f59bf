import type { AlertView } from '@flyprobe/shared';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCauses } from '../index.ts';
import { causeSettingsFromEnv } from '../settings.ts';
import { type FakeStatusPage, startFakeStatusPage } from '../testing/fake-statuspage.ts';
import { StatusPageSource } from './index.ts';
import { regionsOfComponent } from './regions.ts';

const HOUR = 3_600_000;

function alert(over: Partial<AlertView> & { labels: Record<string, string> }): AlertView {
  const now = Date.now();
  return {
    id: 'a1',
    fingerprint: 'f',
    rule: 'resets',
    state: 'firing',
    severity: 'critical',
    scope: 'local',
    summary: 'web: connection failures in nrt',
    evidence: { values: {}, window: { from: now - 60_000, to: now, samples: 5 }, sampleIds: [] },
    startsAt: now - 60_000,
    firedAt: now - 30_000,
    resolvedAt: null,
    updatedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedBy: null,
    ...over,
  };
}

describe('status page component names', () => {
  it('map to catalog regions by upper-case code or city, not by lower-case words', () => {
    expect(regionsOfComponent('Tokyo, Japan (NRT)')).toEqual(['nrt']);
    expect(regionsOfComponent('NRT - Tokyo')).toEqual(['nrt']);
    expect(regionsOfComponent('São Paulo')).toEqual(['gru']);
    expect(regionsOfComponent('Frankfurt')).toEqual(['fra']);
    expect(regionsOfComponent('Machines API')).toEqual([]);
    expect(regionsOfComponent('ord and lax are fine')).toEqual([]);
    expect(regionsOfComponent('Dashboard')).toEqual([]);
  });
});

describe('status page source against a fake Statuspage v2 page', () => {
  let page: FakeStatusPage;
  beforeAll(async () => {
    page = await startFakeStatusPage();
  });
  afterAll(() => page.close());
  const sourceAt = (now: () => number) =>
    new StatusPageSource({
      baseUrl: page.url,
      timeoutMs: 2000,
      retentionMs: HOUR,
      pollIntervalMs: 60_000,
      now,
    });

  it('attaches an unresolved incident to alerts in its region only, and keeps it after it resolves', async () => {
    let now = Date.now();
    const source = sourceAt(() => now);
    const nrt = page.addComponent('Tokyo, Japan (NRT)');
    page.addComponent('Amsterdam, Netherlands (AMS)');
    const api = page.addComponent('Machines API');
    const incident = page.openIncident('Network instability in NRT', [nrt, api], now - 5 * 60_000);
    await source.poll();
    const window = { rule: 'resets', from: now - 10 * 60_000, to: now };
    const items = source.contextFor({ ...window, region: 'nrt' });
    expect(items.map((i) => i.kind).sort()).toEqual(['component_status', 'incident']);
    const inc = items.find((i) => i.kind === 'incident');
    expect(inc).toMatchObject({
      source: 'status-page',
      region: 'nrt',
      at: now - 5 * 60_000,
      url: incident.shortlink,
      details: { name: 'Network instability in NRT', impact: 'major', ended_at: null },
    });
    expect(inc?.summary).toContain('Network instability in NRT');
    // The probe's own region counts too (a probe in nrt measuring elsewhere).
    expect(source.contextFor({ ...window, region: 'ams', probeRegion: 'nrt' })).toHaveLength(2);
    expect(source.contextFor({ ...window, region: 'ams' })).toEqual([]);
    // An alert that ended before the incident started gets nothing.
    expect(
      source.contextFor({ rule: 'resets', region: 'nrt', from: now - HOUR, to: now - 30 * 60_000 }),
    ).toEqual([]);

    now += 60_000;
    page.resolveIncident(incident.id, now);
    await source.poll();
    const after = source.contextFor({ ...window, to: now, region: 'nrt' });
    expect(after.map((i) => [i.kind, i.details.ended_at]).sort()).toEqual([
      ['component_status', now],
      ['incident', now],
    ]);
    now += 2 * HOUR;
    await source.poll();
    expect(source.contextFor({ rule: 'resets', region: 'nrt', from: 0, to: now })).toEqual([]);
  });

  it('attaches an active maintenance', async () => {
    const now = Date.now();
    const source = sourceAt(() => now);
    const syd = page.addComponent('Sydney, Australia (SYD)');
    page.addMaintenance('Host upgrades in SYD', [syd], now - 60_000, now + HOUR);
    await source.poll();
    const items = source.contextFor({ rule: 'latency', region: 'syd', from: now - 120_000, to: now });
    expect(items.find((i) => i.kind === 'maintenance')?.details.name).toBe('Host upgrades in SYD');
  });

  it('fails quietly: one log line and a failure count while the page is down, then recovers', async () => {
    const metrics = new Registry();
    const lines: string[] = [];
    const causes = startCauses(
      causeSettingsFromEnv({
        FLYPROBE_STATUS_PAGE_URL: page.url,
        FLYPROBE_STATUS_PAGE_POLL_MS: '3600000',
        FLYPROBE_CAUSES_PRESSURE: 'off',
      }),
      { metrics, log: (_level, message) => lines.push(message), now: Date.now },
    );
    try {
      await causes.pollNow();
      page.down = true;
      await causes.pollNow();
      await causes.pollNow();
      const text = await metrics.metrics();
      expect(text).toContain('flyprobe_cause_source_failures_total{source="status-page"} 2');
      expect(text).toContain('flyprobe_cause_source_up{source="status-page"} 0');
      expect(lines.filter((l) => l === 'cause source unreachable')).toHaveLength(1);
      page.down = false;
      await causes.pollNow();
      expect(await metrics.metrics()).toContain('flyprobe_cause_source_up{source="status-page"} 1');
      expect(lines).toContain('cause source reachable again');
      // The registry names the incident in a notification's summary.
      const nrt = page.addComponent('NRT');
      page.openIncident('Packet loss in Tokyo', [nrt], Date.now() - 1000);
      await causes.pollNow();
      const annotated = causes.registry.annotateForNotification(
        alert({ labels: { rule: 'resets', region: 'nrt' } }),
      );
      expect(annotated.summary).toMatch(
        /^web: connection failures in nrt Likely causes?: .*Packet loss in Tokyo/,
      );
      expect(annotated.causes?.some((c) => c.details.name === 'Packet loss in Tokyo')).toBe(true);
    } finally {
      await causes.stop();
    }
  });

  it('is off without a URL off Fly, and names a bad URL', () => {
    expect(causeSettingsFromEnv({}).statusPage).toBeNull();
    expect(causeSettingsFromEnv({ FLY_APP_NAME: 'c' }).statusPage?.baseUrl).toBe('https://status.flyio.net');
    expect(() => causeSettingsFromEnv({ FLYPROBE_STATUS_PAGE_URL: 'ftp://x' })).toThrow(
      /FLYPROBE_STATUS_PAGE_URL/,
    );
    expect(() => causeSettingsFromEnv({ FLYPROBE_TARGET_APP: 'web' })).toThrow(/FLYPROBE_TARGET_FLY_TOKEN/);
  });
});
