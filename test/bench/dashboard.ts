/**
 * Dashboard benchmark (issue #15): a collector (child process, real SQLite) holding a 35 x 35 region matrix,
 * with every probe ingesting a round every 5 s, and headless Chromium (Debian's /usr/bin/chromium).
 *
 * - time to first meaningful paint: navigation start to the frame after the 35 x 35 heatmap was rendered,
 *   cold (browser cache disabled), median of the runs; with first contentful paint and the render itself;
 * - page weight: bytes transferred (encoded, headers included) for that cold load, assets and API data apart;
 * - collector CPU with 0 and with 10 dashboards open on the matrix (each polls every 4 s), per dashboard.
 *
 *   node --import tsx test/bench/dashboard.ts [--runs 5] [--cpu-seconds 30] [--dashboards 10]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { type Browser, chromiumMissing, launch } from '../dashboard/testing/browser.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'cpu-seconds': { type: 'string', default: '30' },
    dashboards: { type: 'string', default: '10' },
  },
});
const RUNS = Number(args.runs);
const CPU_SECONDS = Number(args['cpu-seconds']);
const DASHBOARDS = Number(args.dashboards);
const CELLS = 35 * 35;
const MATRIX = '#/matrix?path=pinned&metric=p50&window=15m';

if (chromiumMissing) {
  process.stdout.write(`bench:dashboard skipped: ${chromiumMissing}\n`);
  process.exit(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function startCollector(): Promise<{ child: ChildProcess; url: string; pid: number; read: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/dashboard/testing/serve.ts',
      '--port',
      '0',
      '--data',
      'wide',
      '--live-ms',
      '5000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (!line.startsWith('{"url"')) continue;
    const info = JSON.parse(line) as { url: string; pid: number; read: string };
    return { child, ...info };
  }
  throw new Error('collector exited before it was seeded');
}

/** utime + stime of a process in seconds, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

async function cpuShare(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
}

interface ColdLoad {
  fcpMs: number;
  paintedMs: number;
  renderMs: number;
  assetBytes: number;
  apiBytes: number;
  requests: number;
}

async function coldLoad(browser: Browser, url: string): Promise<ColdLoad> {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  let assetBytes = 0;
  let apiBytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    if ((urls.get(e.requestId) ?? '').includes('/v1/')) apiBytes += e.encodedDataLength;
    else assetBytes += e.encodedDataLength;
  });
  await page.goto(`${url}/dashboard/${MATRIX}`);
  await page.waitForFunction(
    (cells) =>
      performance.getEntriesByName('painted:matrix').length > 0 &&
      document.querySelectorAll('.heatmap td.cell').length === cells,
    CELLS,
    { timeout: 30_000 },
  );
  const t = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    painted: performance.getEntriesByName('painted:matrix')[0]?.startTime ?? Number.NaN,
    render: performance.getEntriesByName('render:matrix')[0]?.duration ?? Number.NaN,
  }));
  const result = {
    fcpMs: t.fcp,
    paintedMs: t.painted,
    renderMs: t.render,
    assetBytes,
    apiBytes,
    requests: urls.size,
  };
  await cdp.detach();
  await page.close();
  return result;
}

let matrixPolls = 0;

async function openDashboards(browser: Browser, url: string, n: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const page = await browser.context.newPage();
    page.on('request', (r) => {
      if (r.url().includes('/v1/matrix')) matrixPolls++;
    });
    await page.goto(`${url}/dashboard/${MATRIX}`);
    await page.waitForFunction(
      (cells) => document.querySelectorAll('.heatmap td.cell').length === cells,
      CELLS,
    );
    pages.push(page);
  }
  return pages;
}

const collector = await startCollector();
const browser = await launch({ width: 1920, height: 1080 });
try {
  await browser.context.addInitScript(
    (secret) => sessionStorage.setItem('flyprobe.token', secret),
    collector.read,
  );
  await coldLoad(browser, collector.url); // warms the collector's statement cache and Chromium's process
  const loads: ColdLoad[] = [];
  for (let i = 0; i < RUNS; i++) loads.push(await coldLoad(browser, collector.url));

  await sleep(5000);
  const idle = await cpuShare(collector.pid, CPU_SECONDS);
  const pages = await openDashboards(browser, collector.url, DASHBOARDS);
  mkdirSync('.tmp/dashboard', { recursive: true });
  await pages[0]?.screenshot({ path: '.tmp/dashboard/bench-matrix-35x35.png', fullPage: true });
  const visibility = await pages[0]?.evaluate(() => document.visibilityState);
  await sleep(5000);
  const pollsBefore = matrixPolls;
  const busy = await cpuShare(collector.pid, CPU_SECONDS);
  const polls = matrixPolls - pollsBefore;
  for (const p of pages) await p.close();

  const pick = (f: (l: ColdLoad) => number) => median(loads.map(f));
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const perDashboard = (busy - idle) / DASHBOARDS;
  const rows: Array<[string, string, string]> = [
    [
      'first meaningful paint (35 x 35 heatmap painted), cold',
      `${pick((l) => l.paintedMs).toFixed(0)} ms`,
      '<= 1000 ms',
    ],
    ['  first contentful paint', `${pick((l) => l.fcpMs).toFixed(0)} ms`, ''],
    ['  heatmap render (JS, 1225 cells)', `${pick((l) => l.renderMs).toFixed(1)} ms`, ''],
    ['page weight, cold load (transferred)', kb(pick((l) => l.assetBytes + l.apiBytes)), '<= 300 KB'],
    ['  assets (HTML, JS, CSS, icon; gzip)', kb(pick((l) => l.assetBytes)), ''],
    ['  API data (/v1: regions, targets, probes, alerts, matrix)', kb(pick((l) => l.apiBytes)), ''],
    ['  requests', String(pick((l) => l.requests)), ''],
    ['collector CPU, 0 dashboards (35 probes ingesting)', pct(idle), ''],
    [`collector CPU, ${DASHBOARDS} dashboards open (visibility ${visibility})`, pct(busy), ''],
    ['  35 x 35 matrix polls answered meanwhile', String(polls), ''],
    ['collector CPU per open dashboard', pct(perDashboard), 'negligible (< 1% of a core)'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    `\ndashboard benchmark: ${RUNS} cold loads, CPU over ${CPU_SECONDS} s (share of one core)\n`,
  );
  for (const [name, value, goal] of rows)
    process.stdout.write(`${name.padEnd(w)}  ${value.padStart(10)}  ${goal ? `goal ${goal}` : ''}\n`);
  process.stdout.write(`\nuptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}\n`);
  process.stdout.write(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
} finally {
  await browser.close();
  collector.child.kill('SIGTERM');
}
