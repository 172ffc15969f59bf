import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { nearestRegion } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCapability } from './capability.ts';
import { LAB_ROOT, sweepStaleLabs } from './cleanup.ts';
import { type Lab, startLab } from './lab.ts';
import { listNetns, sh } from './netns.ts';
import { EDGE_PORTS, TARGET_PORTS } from './ports.ts';
import { waitFor } from './wait.ts';

const capability = labCapability();
const REASON = capability.ok ? '' : capability.reason;

interface Echo {
  region: string;
  edgeRegion?: string;
  startedAt: number;
  imageRef?: string;
}

/** curl inside a region's namespace: status, headers, body, connect time (ms) and curl's exit code. */
async function curl(lab: Lab, region: string, url: string, headers: Record<string, string> = {}) {
  const args = ['-s', '-S', '--max-time', '10', '-D', '-', '-w', '\n%{time_connect}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  try {
    const out = await lab.exec(region, 'curl', [...args, url]);
    const [head = '', rest = ''] = out.split('\r\n\r\n');
    const lines = rest.split('\n');
    const connectMs = Number(lines.pop()) * 1000;
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
    const h = Object.fromEntries(
      head
        .split('\r\n')
        .slice(1)
        .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    return {
      ok: true as const,
      status,
      headers: h as Record<string, string>,
      body: lines.join('\n'),
      connectMs,
    };
  } catch (err) {
    return { ok: false as const, error: (err as Error).message };
  }
}

const anycastUrl = (lab: Lab) => `http://[${lab.anycast}]:${EDGE_PORTS.http}/echo`;
const flycastUrl = (lab: Lab) => `http://[${lab.flycast}]:${EDGE_PORTS.http}/echo`;

/** The first AAAA answer for `name` from the lab DNS, asked from inside a region's namespace. */
async function aaaa(lab: Lab, region: string, name: string): Promise<string> {
  const out = await lab.exec(region, 'python3', [
    '-c',
    `import socket,struct
q=struct.pack('>HHHHHH',7,256,1,0,0,0)+b''.join(bytes([len(l)])+l.encode() for l in '${name}'.split('.'))+b'\\0'+struct.pack('>HH',28,1)
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.settimeout(5);s.sendto(q,('${lab.plan.dnsAddress}',53))
r=s.recv(512);print(socket.inet_ntop(socket.AF_INET6,r[-16:]))`,
  ]);
  return out.trim();
}

describe.skipIf(!capability.ok)(`network lab${REASON ? ` (skipped: ${REASON})` : ''}`, () => {
  let lab: Lab;
  const regions = ['iad', 'dfw', 'lhr', 'fra'];
  const targetRegions = ['iad', 'fra'];

  beforeAll(async () => {
    lab = await startLab({ regions, targetRegions, delays: { scale: 0.5 }, edgeHealthIntervalMs: 300 });
  }, 600_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it('serves anycast from the nearest target region through the source region edge, with fly-proxy headers', async () => {
    for (const r of regions) {
      const res = await curl(lab, r, anycastUrl(lab));
      if (!res.ok) throw new Error(res.error);
      expect(res.status).toBe(200);
      const echo = JSON.parse(res.body) as Echo;
      expect(echo.edgeRegion).toBe(r);
      expect(echo.region).toBe(nearestRegion(r, targetRegions)?.code);
      expect(res.headers['fly-request-id']).toMatch(new RegExp(`^[0-9A-HJKMNP-TV-Z]{26}-${r}$`));
    }
  });

  it('honours fly-force-region and answers 503 for a region without the target', async () => {
    const forced = await curl(lab, 'dfw', anycastUrl(lab), { 'fly-force-region': 'fra' });
    expect(forced.ok && (JSON.parse(forced.body) as Echo)).toMatchObject({
      region: 'fra',
      edgeRegion: 'dfw',
    });
    const absent = await curl(lab, 'dfw', anycastUrl(lab), { 'fly-force-region': 'lhr' });
    expect(absent.ok && absent.status).toBe(503);
    const preferred = await curl(lab, 'iad', anycastUrl(lab), { 'fly-prefer-region': 'fra' });
    expect(preferred.ok && (JSON.parse(preferred.body) as Echo).region).toBe('fra');
  });

  it('resolves the .internal and .flycast names from inside a region through the lab DNS', async () => {
    expect(await aaaa(lab, 'lhr', `fra.${lab.plan.app}.internal`)).toBe(lab.privateAddress('fra'));
    expect(await aaaa(lab, 'dfw', `${lab.plan.app}.flycast`)).toBe(lab.flycast);
  });

  it("serves Flycast at each region's own edge whatever the catchment, and only to the private network", async () => {
    await lab.misrouteCatchment('dfw', 'lhr');
    try {
      for (const r of regions) {
        const res = await curl(lab, r, flycastUrl(lab));
        if (!res.ok) throw new Error(res.error);
        const echo = JSON.parse(res.body) as Echo;
        expect(echo.edgeRegion).toBe(r);
        expect(echo.region).toBe(nearestRegion(r, targetRegions)?.code);
        expect(res.headers['fly-request-id']).toMatch(new RegExp(`-${r}$`));
      }
      // Raw TCP through the Flycast listener: the echo line names the serving region.
      const tcp = await lab.exec('lhr', 'python3', [
        '-c',
        `import socket
s=socket.create_connection(('${lab.flycast}',${EDGE_PORTS.tcp}),5);s.sendall(b'n1\\n');f=s.makefile()
print(f.readline())`,
      ]);
      expect(tcp.startsWith('n1 ')).toBe(true);
      expect((JSON.parse(tcp.slice(3)) as Echo).region).toBe(nearestRegion('lhr', targetRegions)?.code);
      // The same proxy: a proxy misroute on dfw's edge moves its Flycast traffic too.
      await lab.misrouteProxy('dfw', 'fra');
      const proxied = await curl(lab, 'dfw', flycastUrl(lab));
      expect(proxied.ok && (JSON.parse(proxied.body) as Echo)).toMatchObject({
        edgeRegion: 'dfw',
        region: 'fra',
      });
    } finally {
      await lab.misrouteProxy('dfw', null);
      await lab.resetCatchment('dfw');
    }
    // From outside the private network (the lab's host side) the SYN never reaches an edge.
    const before = (await lab.emulatorStats()).dropped.not_private;
    const socket = connect({ host: lab.flycast, port: EDGE_PORTS.http });
    socket.on('error', () => undefined);
    try {
      await waitFor(
        'the host SYN to Flycast to be dropped',
        async () => ((await lab.emulatorStats()).dropped.not_private > before ? true : undefined),
        10_000,
        50,
      );
      expect(socket.readyState).toBe('opening');
    } finally {
      socket.destroy();
    }
  });

  it('delays packets by the configured one-way delays, each direction on its own', async () => {
    const url = `http://[${lab.privateAddress('fra')}]:${TARGET_PORTS.http}/echo`;
    const before = await curl(lab, 'iad', url);
    if (!before.ok) throw new Error(before.error);
    // Load can only add time, so the configured RTT is a floor (less the emulator's compensation).
    expect(before.connectMs).toBeGreaterThanOrEqual(lab.wan.rttMs('iad', 'fra') - 1);
    await lab.addDelay('fra', 'iad', 40);
    const after = await curl(lab, 'iad', url);
    if (!after.ok) throw new Error(after.error);
    expect(after.connectMs).toBeGreaterThanOrEqual(lab.wan.rttMs('iad', 'fra') - 1);
    expect(lab.wan.rttMs('iad', 'fra')).toBeCloseTo(lab.wan.oneWayMs('iad', 'fra') * 2 + 40, 6);
    await lab.addDelay('fra', 'iad', 0);
  });

  it('misroutes catchment and proxy choice at run time', async () => {
    await lab.misrouteCatchment('dfw', 'lhr');
    const viaLhr = await curl(lab, 'dfw', anycastUrl(lab));
    expect(viaLhr.ok && (JSON.parse(viaLhr.body) as Echo)).toMatchObject({
      edgeRegion: 'lhr',
      region: 'fra',
    });
    await lab.resetCatchment('dfw');
    await lab.misrouteProxy('dfw', 'fra');
    const proxied = await curl(lab, 'dfw', anycastUrl(lab));
    expect(proxied.ok && (JSON.parse(proxied.body) as Echo)).toMatchObject({
      edgeRegion: 'dfw',
      region: 'fra',
    });
    expect((await lab.edgeState('dfw')).override).toBe('fra');
    await lab.misrouteProxy('dfw', null);
    const back = await curl(lab, 'dfw', anycastUrl(lab));
    expect(back.ok && (JSON.parse(back.body) as Echo)).toMatchObject({ edgeRegion: 'dfw', region: 'iad' });
  });

  it('flaps catchment on a schedule', async () => {
    await lab.flapCatchment('lhr', { edges: ['lhr', 'fra'], periodMs: 300 });
    const seen = new Set<string>();
    await waitFor(
      'both edges to be seen',
      async () => {
        const res = await curl(lab, 'lhr', anycastUrl(lab));
        if (res.ok && res.status === 200) seen.add((JSON.parse(res.body) as Echo).edgeRegion ?? '');
        return seen.size === 2 ? true : undefined;
      },
      30_000,
      50,
    );
    await lab.resetCatchment('lhr');
    expect([...seen].sort()).toEqual(['fra', 'lhr']);
  });

  it('injects TCP resets for matching flows with nftables, and removes them', async () => {
    const rst = await lab.injectResets('dfw', {
      dport: EDGE_PORTS.http,
      daddr: lab.anycast,
      establishedOnly: false,
    });
    const reset = await curl(lab, 'dfw', anycastUrl(lab));
    expect(reset.ok).toBe(false);
    expect(reset.ok ? '' : reset.error).toMatch(/reset|refused|Failed to connect/i);
    const other = await curl(lab, 'iad', anycastUrl(lab));
    expect(other.ok && other.status).toBe(200);
    await rst.remove();
    const clean = await curl(lab, 'dfw', anycastUrl(lab));
    expect(clean.ok && clean.status).toBe(200);
  });

  it('blackholes a region: edges stop routing to it and forced requests there fail', async () => {
    await lab.blackhole('fra');
    await waitFor(
      'lhr edge to see fra down',
      async () => ((await lab.edgeState('lhr')).healthy.includes('fra') ? undefined : true),
      30_000,
    );
    const res = await curl(lab, 'lhr', anycastUrl(lab));
    expect(res.ok && (JSON.parse(res.body) as Echo).region).toBe('iad');
    const forced = await curl(lab, 'lhr', anycastUrl(lab), { 'fly-force-region': 'fra' });
    expect(forced.ok && forced.status).toBe(503);
    expect((await lab.emulatorStats()).dropped.blackhole).toBeGreaterThan(0);
    await lab.blackhole('fra', false);
    await waitFor(
      'lhr edge to see fra back',
      async () => ((await lab.edgeState('lhr')).healthy.includes('fra') ? true : undefined),
      30_000,
    );
  });

  it('restarts a target: new start time, same image ref', async () => {
    const url = `http://[${lab.privateAddress('iad')}]:${TARGET_PORTS.http}/echo`;
    const first = await curl(lab, 'dfw', url);
    await lab.restartTarget('iad');
    const second = await curl(lab, 'dfw', url);
    const a = first.ok ? (JSON.parse(first.body) as Echo) : undefined;
    const b = second.ok ? (JSON.parse(second.body) as Echo) : undefined;
    expect(b?.startedAt).toBeGreaterThan(a?.startedAt ?? Number.POSITIVE_INFINITY);
    expect(b?.imageRef).toBe(a?.imageRef);
  });

  it('removes every namespace and process on stop, idempotently, and sweeps what crashed runs left', async () => {
    const namespaces = lab.plan.endpoints.flatMap((e) => (e.netns ? [e.netns] : []));
    const pids = [...lab.edges.values(), ...lab.targets.values()].map((p) => p.pid);
    await lab.stop();
    await lab.stop();
    const left = await listNetns();
    expect(left.filter((ns) => namespaces.includes(ns))).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid as number, 0)).toThrow();
    if (!process.env.FLYPROBE_LAB_KEEP) expect(existsSync(lab.dir)).toBe(false);
    // A namespace named like a lab whose owner is gone (no owner.pid) is stale.
    await sh('ip', ['netns', 'add', 'fp0dea-stale']);
    expect(await sweepStaleLabs()).toContain('fp0dea-stale');
    expect(await sweepStaleLabs()).toEqual([]);
    expect((await listNetns()).includes('fp0dea-stale')).toBe(false);
    expect(existsSync(join(LAB_ROOT, '0dea'))).toBe(false);
  });
});
