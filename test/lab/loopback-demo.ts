import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertView, MatrixResponse } from '@flyprobe/shared';
import { freePort } from '@flyprobe/shared/testing';
import { renderMatrix } from '../../cli/src/output/matrix-table.ts';
import { WanModel } from './delay-model.ts';
import type { DemoOptions } from './demo.ts';
import { EDGE_CONFIG_ENV, type EdgeConfig } from './edge/config.ts';
import { LabProcess } from './process.ts';
import { waitFor } from './wait.ts';

/**
 * The demo without root: every region is a set of local processes. Each region's edge listens on its own
 * loopback address (127.0.0.20+i) and adds the backhaul delay itself; the target's echo servers and the
 * collector listen on 127.0.0.1. Probes measure the anycast and pinned paths through their region's edge.
 * What needs namespaces is left out and said so: the private and flycast paths (both need a private
 * network with its own DNS), catchment faults, flaps, RST injection.
 */

const REGIONS = ['iad', 'dfw', 'lhr', 'fra', 'nrt', 'syd'];
const TARGETS = ['iad', 'fra', 'nrt'];
const EDGE_HTTP_PORT = 18080;
/** Every demo probe's token is bound to its probe id, this app and its region, as deploy mints them. */
const DEMO_PROBE_APP = 'demo-probes';

const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

function edgeControl(socketPath: string, path: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'PUT', path }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`edge control ${path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** `whyNoLab`: what the namespace lab lacks here, repeated where the demo skips what needs it. */
export async function runLoopbackDemo(o: DemoOptions, whyNoLab: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-demo-'));
  const wan = new WanModel(REGIONS, { scale: 0.25 });
  const processes: LabProcess[] = [];
  const spawn = (name: string, script: string, args: string[], env: Record<string, string>) => {
    const p = new LabProcess({ name, netns: null, script, args, env, logPath: join(dir, `${name}.log`) });
    processes.push(p);
    return p;
  };
  const stopAll = async () => {
    await Promise.allSettled(processes.map((p) => p.stop('SIGTERM', 5000)));
    rmSync(dir, { recursive: true, force: true });
  };
  const hardStop = setTimeout(() => {
    say(`\n--duration ${o.durationS}s reached: stopping.`);
    void stopAll().finally(() => process.exit(0));
  }, o.durationS * 1000);
  hardStop.unref();
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const adminToken = `demo-admin-${randomBytes(16).toString('hex')}`;
    const readToken = `demo-read-${randomBytes(16).toString('hex')}`;
    const collectorPort = await freePort();
    const collectorUrl = `http://127.0.0.1:${collectorPort}`;
    const collector = spawn('collector', 'cli/src/main.ts', ['collector'], {
      FLYPROBE_DB: join(dir, 'collector.db'),
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: String(collectorPort),
      FLYPROBE_ADMIN_TOKEN: adminToken,
      FLYPROBE_READ_TOKEN: readToken,
      FLYPROBE_REPORT_INTERVAL_MS: '1000',
      FLYPROBE_MESH: 'false',
    });
    await collector.waitForLine(/listening/, 60_000);

    const echoPorts = new Map<string, number>();
    for (const r of TARGETS) {
      const port = await freePort();
      echoPorts.set(r, port);
      const echo = spawn(`echo-${r}`, 'cli/src/main.ts', ['echo'], {
        FLY_REGION: r,
        FLY_MACHINE_ID: `${r}demo01`,
        FLY_APP_NAME: 'lab-target',
        FLY_IMAGE_REF: 'registry.fly.io/lab-target:deployment-demo',
        FLYPROBE_BIND: '127.0.0.1',
        FLYPROBE_ECHO_HTTP_PORT: String(port),
        FLYPROBE_ECHO_TCP_PORT: String(await freePort()),
        FLYPROBE_ECHO_GRPC_PORT: String(await freePort()),
      });
      await echo.waitForLine(/serving/, 60_000);
    }

    const edgeAddress = (i: number) => `127.0.0.${20 + i}`;
    const controls = new Map<string, string>();
    for (const [i, r] of REGIONS.entries()) {
      const control = join(dir, `edge-${r}.sock`);
      controls.set(r, control);
      const config: EdgeConfig = {
        region: r,
        listen: edgeAddress(i),
        ports: { http: EDGE_HTTP_PORT, tcp: EDGE_HTTP_PORT + 1, grpc: EDGE_HTTP_PORT + 2 },
        targets: TARGETS.map((t) => {
          const http = echoPorts.get(t) as number;
          return { region: t, address: '127.0.0.1', ports: { http, tcp: http, grpc: http } };
        }),
        targetPorts: { http: 0, tcp: 0, grpc: 0 },
        healthIntervalMs: 1000,
        control,
        backhaulDelayMs: Object.fromEntries(TARGETS.map((t) => [t, wan.oneWayMs(r, t)])),
      };
      await spawn(`edge-${r}`, 'test/lab/edge/main.ts', [], {
        [EDGE_CONFIG_ENV]: JSON.stringify(config),
      }).waitForLine(/ready/, 60_000);
    }

    say(`Collector up at ${collectorUrl}; starting a probe per region (anycast and pinned paths, HTTP)...`);
    say(`Dashboard (live while the demo runs): ${collectorUrl}/dashboard/  sign in with ${readToken}`);
    for (const [i, r] of REGIONS.entries()) {
      const probeId = `${r}-demo`;
      const res = await fetch(`${collectorUrl}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'probe', probeId, app: DEMO_PROBE_APP, region: r }),
      });
      const { secret: token } = (await res.json()) as { secret: string };
      const configFile = join(dir, `probe-${r}.toml`);
      writeFileSync(
        configFile,
        [
          '[[targets]]',
          'name = "web"',
          'app = "lab-target"',
          `host = "${edgeAddress(i)}"`,
          `regions = [${TARGETS.map((t) => `"${t}"`).join(', ')}]`,
          'paths = ["anycast", "pinned"]',
          'protocols = ["http"]',
          'intervalMs = 1000',
          'timeoutMs = 3000',
          '[targets.http]',
          `port = ${EDGE_HTTP_PORT}`,
          'path = "/echo"',
          '',
        ].join('\n'),
      );
      await spawn(`probe-${r}`, 'cli/src/main.ts', ['probe'], {
        FLYPROBE_REGION: r,
        FLYPROBE_MACHINE_ID: `${r}demo01`,
        FLYPROBE_APP: DEMO_PROBE_APP,
        FLYPROBE_PROBE_ID: probeId,
        FLYPROBE_COLLECTOR_URL: collectorUrl,
        FLYPROBE_TOKEN: token,
        FLYPROBE_CONFIG: configFile,
        FLYPROBE_ECHO_ENABLED: 'false',
        FLYPROBE_METRICS_PORT: String(await freePort()),
      }).waitForLine(/running/, 60_000);
    }
    say(`Baseline: ${o.faultS}s of clean measurements.`);
    await pause(o.faultS);
    say(`1. Proxy misroute: dfw's edge forwards to nrt instead of iad (${o.faultS}s).`);
    await edgeControl(controls.get('dfw') as string, '/override', { region: 'nrt' });
    await pause(o.faultS);
    await edgeControl(controls.get('dfw') as string, '/override', { region: null });
    say(`2. Slow backhaul: lhr's edge -> fra gets +40 ms each way (${o.faultS}s).`);
    await edgeControl(controls.get('lhr') as string, '/delay', {
      region: 'fra',
      ms: wan.oneWayMs('lhr', 'fra') + 40,
    });
    await pause(o.faultS);
    await edgeControl(controls.get('lhr') as string, '/delay', {
      region: 'fra',
      ms: wan.oneWayMs('lhr', 'fra'),
    });
    say(
      `(Catchment misroutes, flaps, RST injection and the private and flycast paths need the namespace lab: ${whyNoLab}.)`,
    );

    const read = async <T>(path: string) => {
      const res = await fetch(`${collectorUrl}${path}`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return (await res.json()) as T;
    };
    await waitFor(
      'pinned samples',
      async () =>
        (await read<MatrixResponse>('/v1/matrix?target=web&path=pinned')).cells.length > 0 ? true : undefined,
      30_000,
      500,
    );
    for (const path of ['pinned', 'anycast']) {
      const m = await read<MatrixResponse>(
        `/v1/matrix?target=web&path=${path}&protocol=http&metric=p50&window=5m`,
      );
      say(`\n${path} / http: p50 ms (samples)`);
      say(renderMatrix(m, { color: o.color, samples: true }));
    }
    try {
      const { alerts } = await read<{ alerts: AlertView[] }>('/v1/alerts?limit=50');
      say(`\nalerts (${alerts.length}):`);
      for (const a of alerts) say(`  [${a.state}] ${a.rule} ${a.scope}: ${a.summary}`);
    } catch (err) {
      say(`\nalerts: not available (${(err as Error).message})`);
    }
    if (!o.wait) return;
    say(`\nThe collector API stays up: ${collectorUrl}  read token: ${readToken}`);
    say(`Press Ctrl-C to stop (stops by itself after --duration ${o.durationS}s).`);
    await new Promise<void>(() => undefined);
  } finally {
    clearTimeout(hardStop);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}
