/**
 * The dashboard in real headless Chromium against a real collector (SQLite, alerting plugin), fed a known data
 * set through POST /v1/ingest. Screenshots of every view land in .tmp/dashboard/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertListResponse, AlertView, SeriesPoint } from '@flyprobe/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingPlugin } from '../../collector/src/alerts/plugin.ts';
import { causeSettingsFromEnv } from '../../collector/src/causes/settings.ts';
import {
  type FakeStatusPage,
  startFakeStatusPage,
} from '../../collector/src/causes/testing/fake-statuspage.ts';
import { DASHBOARD_CSP } from '../../collector/src/dashboard/security-headers.ts';
import {
  ADMIN_SECRET,
  call,
  READ_SECRET,
  startTestCollector,
  type TestCollector,
} from '../../collector/src/testing/index.ts';
import { type Browser, chromiumMissing, launch, recordRequests, signIn } from './testing/browser.ts';
import { type Dataset, ingest, probeIdOf, resets, seed } from './testing/dataset.ts';
import { SMALL } from './testing/small-dataset.ts';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../.tmp/dashboard');
/** Relative accuracy of the rollup sketches, plus the display's rounding. */
const SKETCH_ACCURACY = 0.011;

function displayed(text: string): number {
  return Number(text.trim());
}

function roundsLike(shown: number, exact: number): boolean {
  const digits = exact >= 10 ? 0 : 1;
  const lo = Number((exact * (1 - SKETCH_ACCURACY)).toFixed(digits));
  const hi = Number((exact * (1 + SKETCH_ACCURACY)).toFixed(digits));
  return shown >= lo && shown <= hi;
}

describe.skipIf(chromiumMissing !== undefined)(
  `dashboard in headless Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  { timeout: 60_000 },
  () => {
    let c: TestCollector;
    let data: Dataset & { tokens: Map<string, string> };
    let browser: Browser;
    let dashboard: string;
    let statusPage: FakeStatusPage;
    const requests: string[] = [];
    const cspViolations: string[] = [];
    const pages: Page[] = [];

    async function newPage(): Promise<Page> {
      const page = await browser.context.newPage();
      const urls = recordRequests(page);
      page.on('close', () => requests.push(...urls));
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      });
      pages.push(page);
      return page;
    }

    const shot = (page: Page, name: string) =>
      page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      // Fly's status page has an incident in syd, where the live test below raises a resets alert.
      statusPage = await startFakeStatusPage();
      statusPage.openIncident(
        'Packet loss in Sydney',
        [statusPage.addComponent('Sydney, Australia (SYD)')],
        Date.now() - 60_000,
      );
      c = await startTestCollector(
        { FLYPROBE_ALERT_EVAL_MS: '500' },
        {
          plugins: [
            alertingPlugin({ causes: causeSettingsFromEnv({ FLYPROBE_STATUS_PAGE_URL: statusPage.url }) }),
          ],
        },
      );
      data = await seed(c.url, SMALL);
      dashboard = `${c.url}/dashboard/`;
      browser = await launch();
    }, 120_000);

    afterAll(async () => {
      for (const p of pages) if (!p.isClosed()) await p.close();
      await browser?.close();
      await c?.close();
      await statusPage?.close();
    }, 60_000);

    it('serves the page with a strict CSP and sends / to it', async () => {
      const page = await fetch(dashboard);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(DASHBOARD_CSP).toContain("default-src 'none'");
      expect(DASHBOARD_CSP).not.toContain('unsafe');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const root = await fetch(`${c.url}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/dashboard/');
      const missing = await fetch(`${dashboard}nope.js`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('nope.js');
    });

    it('refuses a wrong token and a probe token at sign-in, saying why', async () => {
      const page = await newPage();
      await page.goto(dashboard);
      await shot(page, '00-login');
      await page.fill('#token', 'not-a-token-at-all');
      await page.click('#login button[type=submit]');
      await expect.poll(() => page.textContent('#login-error')).toContain('not valid');
      await page.fill('#token', data.tokens.get('fra') as string);
      await page.click('#login button[type=submit]');
      await expect.poll(() => page.textContent('#login-error')).toContain('probe token');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      await page.close();
    });

    it('shows the right value and sample count in the right cell, empty cells empty, regions west to east', async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/matrix?path=pinned&metric=p50&window=15m`, READ_SECRET);
      await page.waitForSelector('.heatmap td.cell');
      const rows = await page.$$eval('.heatmap tbody th[data-row]', (ths) => ths.map((t) => t.textContent));
      expect(rows).toEqual(['iad', 'lhr', 'fra', 'nrt', 'syd']);
      const columns = await page.$$eval('.heatmap thead th[data-col]', (ths) =>
        ths.map((t) => t.textContent),
      );
      expect(columns).toEqual(['iad', 'fra', 'syd']);
      const cells = await page.$$eval('.heatmap td.cell', (tds) =>
        tds.map((td) => ({
          from: td.getAttribute('data-from'),
          to: td.getAttribute('data-to'),
          value: td.querySelector('.v')?.textContent ?? '',
          samples: td.querySelector('.n')?.textContent ?? '',
          empty: td.classList.contains('empty'),
        })),
      );
      expect(cells).toHaveLength(15);
      for (const cell of cells) {
        const exact = data.pinned.get(`${cell.from} ${cell.to}`);
        if (exact === undefined) {
          expect(cell, `${cell.from} -> ${cell.to} has no samples`).toMatchObject({
            empty: true,
            samples: '',
          });
          continue;
        }
        expect(cell.empty).toBe(false);
        expect(cell.samples).toBe(String(data.samplesPerCell));
        expect(
          roundsLike(displayed(cell.value), exact),
          `${cell.from} -> ${cell.to}: shows ${cell.value}, ingested ${exact}`,
        ).toBe(true);
      }
      expect(cells.filter((x) => x.empty).map((x) => `${x.from} ${x.to}`)).toEqual(['lhr syd']);
      // Same-region pairs have no useful floor: they are coloured by value and marked as such.
      expect(await page.getAttribute('td[data-from=fra][data-to=fra]', 'class')).toContain('absolute');
      await shot(page, '01-matrix-pinned');
      await page.selectOption('select[name=path]', 'anycast');
      await page.waitForFunction(() =>
        document.querySelector('.summary h2')?.textContent?.includes('anycast'),
      );
      await page.waitForSelector('.heatmap td.cell');
      await shot(page, '02-matrix-anycast');
      await page.close();
    });

    it('drills down from a cell to its series, latency quantiles and failures', async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/matrix?path=pinned&window=15m`, READ_SECRET);
      await page.click('td[data-from=fra][data-to=syd] a');
      await page.waitForSelector('.chart-box[data-chart=latency] path.line.p50', { state: 'attached' });
      expect(page.url()).toContain('#/cell?');
      const series = await call(
        `${c.url}/v1/series?target=web&path=pinned&protocol=http&from=fra&to=syd&window=1h&metric=p50`,
        { token: READ_SECRET },
      );
      const points = (series.body as { points: SeriesPoint[] }).points.filter((p) => p.value !== null);
      expect(points.length).toBeGreaterThan(0);
      for (const q of ['p50', 'p95', 'p99'])
        expect(await page.locator(`.chart-box[data-chart=latency] circle.dot.${q}`).count()).toBe(
          points.length,
        );
      expect(await page.textContent('.summary')).toContain(`${data.samplesPerCell} samples`);
      expect(await page.locator('.chart-box[data-chart=failures] svg').count()).toBe(1);
      await shot(page, '03-cell');
      await page.close();
    });

    it("draws the routes timeline with syd's catchment shift to iad and back", async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/routes?window=1h`, READ_SECRET);
      await page.waitForSelector('.timeline-row[data-probe-region=syd]');
      const lane = (region: string, name: string) =>
        page.$$eval(`.timeline-row[data-probe-region=${region}] g.run[data-lane=${name}]`, (gs) =>
          gs.map((g) => g.getAttribute('data-region')),
        );
      // A bucket straddling the shift holds both regions and is drawn split ('mixed').
      expect((await lane('syd', 'served')).filter((r) => r !== 'mixed')).toEqual(['syd', 'iad', 'syd']);
      expect(await lane('syd', 'edge')).toEqual(['syd']);
      expect(await lane('lhr', 'served')).toEqual(['fra']);
      expect(await page.getAttribute('.timeline-row[data-probe-region=syd]', 'class')).toContain('moved');
      expect(await page.getAttribute('.timeline-row[data-probe-region=iad]', 'class')).not.toContain('moved');
      // nrt flaps every sample at the end: buckets holding both regions are drawn split, and the row counts 7 changes.
      const nrt = await lane('nrt', 'served');
      expect(nrt[0]).toBe('syd');
      expect(nrt.slice(1).length).toBeGreaterThanOrEqual(2);
      expect(nrt.slice(1).every((r) => r === 'mixed')).toBe(true);
      expect(await page.textContent('.timeline-row[data-probe-region=nrt]')).toContain('7 changes');
      expect(await page.textContent('.timeline-row[data-probe-region=syd]')).toContain('2 changes');
      await shot(page, '04-routes');
      await page.close();
    });

    it('lists the fleet with region, version, last seen, degraded state and self-health', async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/fleet`, READ_SECRET);
      await page.waitForSelector('table.fleet tbody tr');
      const ids = await page.$$eval('table.fleet tbody tr', (trs) =>
        trs.map((t) => t.getAttribute('data-probe-id')),
      );
      expect(ids).toEqual(['iad', 'lhr', 'fra', 'nrt', 'syd'].map(probeIdOf));
      const syd = await page.textContent(`tr[data-probe-id=${probeIdOf('syd')}]`);
      expect(syd).toContain('degraded');
      expect(syd).toContain('event loop p99 above 100 ms');
      expect(syd).toContain('0.1.0');
      expect(syd).toMatch(/RSS 48 MiB/);
      expect(await page.textContent(`tr[data-probe-id=${probeIdOf('fra')}]`)).toContain('healthy');
      await shot(page, '05-fleet');
      await page.close();
    });

    let firing: AlertView;

    it('shows a firing alert live, without a reload, after results that trip a detector arrive', async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/alerts`, READ_SECRET);
      await page.waitForSelector('[data-section=Firing]');
      expect(await page.locator('article[data-rule=resets]').count()).toBe(0);
      await page.evaluate(() => {
        (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
      });
      const started = Date.now();
      for (const from of ['iad', 'fra', 'syd'])
        await ingest(
          c.url,
          data.tokens.get(from) as string,
          probeIdOf(from),
          from,
          resets('web', 'syd', 10_000, 8),
        );
      await page.waitForSelector('[data-section=Firing] article[data-rule=resets]', { timeout: 20_000 });
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `dashboard: firing alert shown ${seconds.toFixed(1)} s after the faulty results\n`,
      );
      expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(
        true,
      );
      expect(await page.textContent('#alert-badge')).not.toBe('');
      const list = await call(`${c.url}/v1/alerts?state=firing&rule=resets`, { token: READ_SECRET });
      firing = (list.body as AlertListResponse).alerts[0] as AlertView;
      const card = page.locator(`article[data-alert-id="${firing.id}"]`);
      expect(await card.textContent()).toContain(firing.summary);
      expect(await card.textContent()).toContain(firing.scope);
      // The incident on Fly's status page for syd is listed under the summary, from the alert's causes.
      expect(firing.causes?.map((x) => x.kind)).toContain('incident');
      expect(await card.locator('.causes li').allTextContents()).toContainEqual(
        expect.stringContaining('Packet loss in Sydney'),
      );
      await card.locator('details summary').click();
      // The flap in the data set raised a flapping alert: its evidence lists the region sequence.
      const flapping = page.locator('article[data-rule=flapping]');
      await flapping.locator('details summary').click();
      const sequence = await flapping.locator('.region-seq li').allTextContents();
      expect(sequence.length).toBeGreaterThanOrEqual(7);
      expect(sequence.some((line) => /served iad/.test(line))).toBe(true);
      await shot(page, '06-alerts');
      await page.close();
    });

    it('marks the alerts that touched a cell on its time axis, and only those', async () => {
      const page = await newPage();
      const cell = (to: string) =>
        `${dashboard}#/cell?target=web&path=pinned&protocol=http&from=fra&to=${to}&window=15m`;
      await signIn(page, cell('syd'), READ_SECRET);
      await page.waitForSelector('.chart-box[data-chart=latency] g.marker', { state: 'attached' });
      // The three probes' batches arrive one by one, so the resets rule may first report fra -> syd as a pair
      // and then the syd column: every marker on this cell is a resets alert, and there is at least one.
      const markers = await page.locator('.chart-box[data-chart=latency] g.marker text').allTextContents();
      expect(markers.length).toBeGreaterThan(0);
      expect([...new Set(markers)]).toEqual(['resets']);
      expect(await page.locator('.chart-box[data-chart=failures] rect.bar.resets').count()).toBeGreaterThan(
        0,
      );
      expect(await page.textContent('.panel:has(h3:text("Failures"))')).toMatch(/reset\s*8/);
      await shot(page, '07-cell-with-alert');
      await page.goto(cell('iad'));
      await page.waitForFunction(() =>
        document.querySelector('.summary h2')?.textContent?.includes('fra → iad'),
      );
      await page.waitForSelector('.chart-box[data-chart=latency] path.line.p50', { state: 'attached' });
      expect(await page.locator('g.marker').count()).toBe(0);
      await page.close();
    });

    it('refuses acknowledge and silence with a read token and shows the refusal; an admin token acknowledges', async () => {
      const reader = await newPage();
      await signIn(reader, `${dashboard}#/alerts`, READ_SECRET);
      const card = reader.locator(`article[data-alert-id="${firing.id}"]`);
      await card.locator('button[data-act=ack]').click();
      await expect.poll(() => card.locator('.error').textContent()).toMatch(/Refused: .*admin/);
      const after = await call(`${c.url}/v1/alerts/${firing.id}`, { token: READ_SECRET });
      expect((after.body as AlertView).acknowledgedAt).toBeNull();
      await card.locator('button[data-act=silence]').click();
      await expect.poll(() => card.locator('.error').textContent()).toMatch(/Refused: .*admin/);
      expect(
        ((await call(`${c.url}/v1/silences`, { token: READ_SECRET })).body as { silences: unknown[] })
          .silences,
      ).toEqual([]);
      await shot(reader, '08-ack-refused');

      const admin = await newPage();
      await signIn(admin, `${dashboard}#/alerts`, ADMIN_SECRET);
      const adminCard = admin.locator(`article[data-alert-id="${firing.id}"]`);
      await adminCard.locator('button[data-act=ack]').click();
      await adminCard.locator('.chip.ack').waitFor();
      const acked = await call(`${c.url}/v1/alerts/${firing.id}`, { token: READ_SECRET });
      expect((acked.body as AlertView).acknowledgedBy).toBe('bootstrap:admin');
      await adminCard.locator('button[data-act=silence]').click();
      await expect.poll(() => adminCard.locator('.ok-note').textContent()).toContain('Silenced');
      const silences = (await call(`${c.url}/v1/silences`, { token: READ_SECRET })).body as {
        silences: Array<{ matchers: Array<{ name: string; value: string }> }>;
      };
      expect(silences.silences[0]?.matchers).toContainEqual({
        name: 'region',
        value: 'syd',
        isRegex: false,
        isEqual: true,
      });
      await shot(admin, '09-ack-admin');
      await reader.close();
      await admin.close();
    });

    it('fits a phone-sized screen: the heatmap scrolls inside its box, not the page', async () => {
      const page = await newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(page, `${dashboard}#/matrix?path=pinned`, READ_SECRET);
      await page.waitForSelector('.heatmap td.cell');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await shot(page, '10-phone-matrix');
      for (const view of ['alerts', 'routes']) {
        await page.goto(`${dashboard}#/${view}`);
        await page.waitForSelector(view === 'alerts' ? '[data-section=Firing]' : '.timeline-row');
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        ).toBeLessThanOrEqual(0);
        await shot(page, `10-phone-${view}`);
      }
      await page.close();
    });

    it('made no request outside the collector and broke no CSP rule', () => {
      const origin = new URL(c.url).origin;
      expect(requests.length).toBeGreaterThan(20);
      expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);
      expect(
        requests.some((u) => u.includes('token=') || u.includes(READ_SECRET) || u.includes(ADMIN_SECRET)),
      ).toBe(false);
      expect(cspViolations).toEqual([]);
    });

    it('marks the page when the collector stops answering', async () => {
      const page = await newPage();
      await signIn(page, `${dashboard}#/matrix?path=pinned`, READ_SECRET);
      await c.running.stop();
      await page.waitForSelector('#live[data-state=down]', { timeout: 30_000 });
      expect(await page.textContent('#live')).toContain('Collector unreachable');
      await shot(page, '11-unreachable');
      await page.close();
    });
  },
);
