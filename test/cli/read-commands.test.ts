import type { AlertListResponse, MatrixResponse } from '@flyprobe/shared';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripAnsi } from '../../cli/src/output/ansi.ts';
import { formatCellValue } from '../../cli/src/output/matrix-table.ts';
import {
  ADMIN_TOKEN,
  ingestBatch,
  postJson,
  startTestCollector,
  type TestCollector,
} from './testing/collector.ts';
import { runCli } from './testing/run-cli.ts';
import { runMain } from './testing/run-main.ts';

let seq = 0;
function anycast(servedRegion: string, latencyMs: number) {
  return {
    seq: seq++,
    target: 'web',
    path: 'anycast',
    protocol: 'http',
    startedAt: Date.now() - 5_000,
    latencyMs,
    phases: { total: latencyMs },
    outcome: 'ok',
    httpStatus: 200,
    edgeRegion: servedRegion,
    servedRegion,
  };
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await request(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as T;
}

/** Operator commands against a real collector holding real ingested results. */
describe('flyprobe matrix / probes / regions / routes / tokens / alerts', { timeout: 120_000 }, () => {
  let c: TestCollector;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Seeds several probes' data through one token: lab mode (unbound probe tokens).
    c = await startTestCollector({ FLYPROBE_ALLOW_UNBOUND_PROBES: '1' });
    env = { FLYPROBE_COLLECTOR_URL: c.url, FLYPROBE_TOKEN: ADMIN_TOKEN };
    const token = (
      (await postJson(`${c.url}/v1/tokens`, ADMIN_TOKEN, { role: 'probe' })).json as { secret: string }
    ).secret;
    const iad = [10, 11, 12].map((ms) => anycast('iad', ms));
    const fra = [8, 9, 10]
      .map((ms) => anycast('fra', ms))
      .concat([400, 410, 420].map((ms) => anycast('iad', ms)));
    // A pinned target in syd whose echo process restarted (new start time, same image): the restart rule fires.
    const now = Date.now();
    const echo = (startedAt: number, at: number, n: number) => ({
      region: 'syd',
      machineId: 'sydmachine0001',
      startedAt,
      imageRef: 'img:1',
      receivedAt: at,
      requestId: `req-${n}`,
    });
    const restarted = [
      {
        ...anycast('syd', 200),
        path: 'pinned',
        targetRegion: 'syd',
        echo: echo(now - 600_000, now - 3000, 1),
      },
      { ...anycast('syd', 200), path: 'pinned', targetRegion: 'syd', echo: echo(now - 1500, now - 1000, 2) },
    ];
    // A second target probed over Flycast from iad, served by the iad proxy's choice, fra.
    const flycast = [30, 31, 32].map((ms) => ({
      ...anycast('fra', ms),
      target: 'db',
      path: 'flycast',
      edgeRegion: 'iad',
    }));
    for (const [region, results] of [
      ['iad', [...iad, ...flycast]],
      ['fra', [...fra, ...restarted]],
    ] as const) {
      const r = await postJson(
        `${c.url}/v1/ingest`,
        token,
        ingestBatch(region, `${region}0000000001`, results),
      );
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect((r.json as { accepted: number }).accepted).toBe(results.length);
    }
  });
  afterAll(() => c?.stop());

  describe('matrix', () => {
    let api: MatrixResponse;
    beforeAll(async () => {
      api = await getJson<MatrixResponse>(`${c.url}/v1/matrix?target=web`, ADMIN_TOKEN);
      expect(api.rows).toEqual(['fra', 'iad']);
      expect(api.columns).toEqual(['fra', 'iad']);
    });
    const cell = (from: string, to: string) => api.cells.find((x) => x.from === from && x.to === to);

    it('--json prints the collector MatrixResponse', async () => {
      const r = await runCli(['matrix', '--target', 'web', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout) as MatrixResponse;
      expect({ ...m, from: 0, to: 0 }).toEqual({ ...api, from: 0, to: 0 });
    });

    it('prints a region x region table: rows are probe regions, columns served regions', async () => {
      const r = await runCli(['matrix', '--target', 'web', '--samples'], env);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^p50 ms, target web, path anycast, protocol http, /);
      expect(lines[1]!.split(/\s{2,}/)).toEqual(['FROM \\ TO', 'fra', 'iad']);
      const text = (from: string, to: string) => {
        const x = cell(from, to);
        return x ? `${formatCellValue('p50', x.value)} (${x.samples})` : '·';
      };
      expect(lines[2]!.trim().split(/\s{2,}/)).toEqual(['fra', text('fra', 'fra'), text('fra', 'iad')]);
      expect(lines[3]!.trim().split(/\s{2,}/)).toEqual(['iad', '·', text('iad', 'iad')]);
      expect(cell('fra', 'iad')?.samples).toBe(3);
      expect(r.stdout).not.toContain('\u001b[');
    });

    it('colours cells by inflation over the fibre floor when colours are on', async () => {
      const misrouted = cell('fra', 'iad')!;
      expect(misrouted.inflation).toBeGreaterThan(4);
      const r = await runCli(['matrix', '--target', 'web'], { ...env, FORCE_COLOR: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`\u001b[31m${formatCellValue('p50', misrouted.value)}\u001b[39m`);
      expect(r.stdout).toContain(`\u001b[32m${formatCellValue('p50', cell('iad', 'iad')!.value)}\u001b[39m`);
      expect(stripAnsi(r.stdout)).toContain('inflation over fibre floor');
    });

    it('--csv prints one line per cell', async () => {
      const r = await runMain(['matrix', '--target', 'web', '--csv'], env);
      expect(r.code, r.stderr).toBe(0);
      const [header, ...rows] = r.stdout.trimEnd().split('\n');
      expect(header).toBe('from,to,value,samples,floor_ms,inflation');
      expect(rows).toEqual(
        api.cells.map((x) =>
          [x.from, x.to, x.value ?? '', x.samples, x.floorMs ?? '', x.inflation ?? ''].join(','),
        ),
      );
    });

    it('--path flycast prints the flycast matrix: columns are the regions that served it', async () => {
      const r = await runCli(['matrix', '--target', 'db', '--path', 'flycast', '--samples'], env);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^p50 ms, target db, path flycast, protocol http, /);
      expect(lines[1]!.split(/\s{2,}/)).toEqual(['FROM \\ TO', 'fra']);
      const m = await getJson<MatrixResponse>(`${c.url}/v1/matrix?target=db&path=flycast`, ADMIN_TOKEN);
      const [only] = m.cells;
      expect(only).toMatchObject({ from: 'iad', to: 'fra', samples: 3 });
      expect(lines[2]!.trim().split(/\s{2,}/)).toEqual(['iad', `${formatCellValue('p50', only!.value)} (3)`]);
      const bad = await runMain(['matrix', '--target', 'db', '--path', 'proxy'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--path must be one of anycast, pinned, private, flycast, mesh');
    });

    it('rejects bad flags locally (exit 2) and shows the API validation message (exit 1)', async () => {
      const noTarget = await runMain(['matrix'], env);
      expect(noTarget.code).toBe(2);
      expect(noTarget.stderr).toContain('--target is required');
      const badMetric = await runMain(['matrix', '--target', 'web', '--metric', 'p42'], env);
      expect(badMetric.code).toBe(2);
      expect(badMetric.stderr).toContain('--metric must be one of p50, p95, p99, mean, loss, reset_rate');
      const badWindow = await runMain(['matrix', '--target', 'web', '--window', 'forever'], env);
      expect(badWindow.code).toBe(1);
      expect(badWindow.stderr).toMatch(
        /^flyprobe matrix: collector GET \/v1\/matrix failed: HTTP 400: .*window/,
      );
    });

    it('explains a missing collector, a wrong token and an unreachable collector', async () => {
      const none = await runMain(['matrix', '--target', 'web'], {});
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('no collector: pass --collector URL or set FLYPROBE_COLLECTOR_URL');
      const wrong = await runMain(['matrix', '--target', 'web', '--token', 'not-a-token'], env);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/HTTP 401: .*\(set --token or FLYPROBE_TOKEN\)/);
      const down = await runMain(['matrix', '--target', 'web', '--collector', 'http://127.0.0.1:1'], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/collector at http:\/\/127\.0\.0\.1:1 is unreachable/);
    });
  });

  it('probes lists both probes; --json is the collector answer', async () => {
    const table = await runCli(['probes'], env);
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trim().split('\n').slice(1);
    expect(rows.map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['fra-fra0000000001', 'fra', 'fra0000000001'],
      ['iad-iad0000000001', 'iad', 'iad0000000001'],
    ]);
    const json = await runMain(['probes', '--json'], env);
    const body = JSON.parse(json.stdout) as { probes: { probeId: string; online: boolean }[] };
    expect(body.probes.map((p) => [p.probeId, p.online])).toEqual([
      ['fra-fra0000000001', true],
      ['iad-iad0000000001', true],
    ]);
  });

  it('regions shows the catalog with replacements, and where probes run when a collector answers', async () => {
    const withCollector = await runCli(['regions', '--json'], env);
    expect(withCollector.code, withCollector.stderr).toBe(0);
    type Row = { code: string; status: string; replacement: string | null; probes: string[] | null };
    const rows = (JSON.parse(withCollector.stdout) as { regions: Row[] }).regions;
    expect(rows.find((r) => r.code === 'iad')?.probes).toEqual(['iad-iad0000000001']);
    expect(rows.find((r) => r.code === 'atl')).toMatchObject({ status: 'deprecated', replacement: 'dfw' });
    const offline = await runMain(['regions'], {});
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^atl\s+atl\s+deprecated\s+use dfw/m);
    expect(offline.stdout).toContain('probes/targets: no collector configured');
  });

  it('routes shows the served region per probe region', async () => {
    const r = await runCli(['routes', '--target', 'web', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { routes: { probeRegion: string; current: { served: string } }[] };
    const served = Object.fromEntries(body.routes.map((x) => [x.probeRegion, x.current.served]));
    expect(served.iad).toBe('iad');
    const table = await runMain(['routes', '--target', 'web'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^iad\s+web\s+anycast\s+http\s+iad\s+iad\s/m);
    const pinned = await runMain(['routes', '--path', 'pinned'], env);
    expect(pinned.code).not.toBe(0);
    expect(pinned.stderr).toMatch(/path: must be one of anycast, flycast/);
  });

  it('tokens create prints the secret once, and that secret works', async () => {
    const r = await runCli(['tokens', 'create', '--role', 'read', '--name', 'cli-test'], env);
    expect(r.code, r.stderr).toBe(0);
    const secret = r.stdout.trim();
    expect(secret.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^created read token \S+; the secret is shown only once/);
    const probes = await runMain(['probes', '--json'], {
      FLYPROBE_COLLECTOR_URL: c.url,
      FLYPROBE_TOKEN: secret,
    });
    expect(probes.code, probes.stderr).toBe(0);
    const asRead = await runMain(['tokens', 'create', '--role', 'admin'], {
      FLYPROBE_COLLECTOR_URL: c.url,
      FLYPROBE_TOKEN: secret,
    });
    expect(asRead.code).toBe(1);
    expect(asRead.stderr).toMatch(/HTTP 403: this endpoint needs an admin token/);
  });

  it('tokens create binds a probe token to a probe identity; bad role or sub-command is a usage error', async () => {
    const r = await runMain(
      [
        'tokens',
        'create',
        '--role',
        'probe',
        '--probe-id',
        'syd-1',
        '--app',
        'probes',
        '--region',
        'syd',
        '--expires',
        '30d',
        '--json',
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const created = JSON.parse(r.stdout) as { secret: string; expiresAt: number };
    expect(created).toMatchObject({ role: 'probe', probeId: 'syd-1', app: 'probes', region: 'syd' });
    expect(created.secret).toMatch(/^fp_probe_/);
    expect(created.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const partial = await runMain(['tokens', 'create', '--role', 'probe', '--probe-id', 'syd-1'], env);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('--probe-id, --app and --region go together');
    const badRole = await runMain(['tokens', 'create', '--role', 'root'], env);
    expect(badRole.code).toBe(2);
    const badSub = await runMain(['tokens', 'list'], env);
    expect(badSub.code).toBe(2);
    expect(badSub.stderr).toContain('unknown sub-command "list"');
  });

  it('alerts lists the alerts the collector raised, with state filters and --json', async () => {
    let api: AlertListResponse = { alerts: [] };
    const deadline = Date.now() + 30_000;
    while (api.alerts.length === 0 && Date.now() < deadline) {
      api = await getJson<AlertListResponse>(`${c.url}/v1/alerts`, ADMIN_TOKEN);
      if (api.alerts.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(api.alerts.map((a) => a.rule)).toContain('restart');
    const table = await runCli(['alerts'], env);
    expect(table.code, table.stderr).toBe(0);
    for (const a of api.alerts) {
      expect(table.stdout).toMatch(
        new RegExp(`^${a.id}\\s+${a.state}\\s+${a.severity}\\s+${a.rule}\\s`, 'm'),
      );
    }
    const json = await runMain(['alerts', '--json'], env);
    expect((JSON.parse(json.stdout) as AlertListResponse).alerts.map((a) => a.id)).toEqual(
      api.alerts.map((a) => a.id),
    );
    const resolved = api.alerts.filter((a) => a.state === 'resolved');
    const onlyResolved = await runMain(['alerts', '--state', 'resolved'], env);
    expect(onlyResolved.code).toBe(0);
    if (resolved.length === 0) expect(onlyResolved.stdout).toBe('no resolved alerts\n');
    const bad = await runMain(['alerts', '--state', 'sleeping'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state must be one of pending, firing, resolved');
  });
});
