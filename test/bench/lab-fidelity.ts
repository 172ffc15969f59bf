/**
 * Lab fidelity benchmark (needs root): how closely the network lab's real packets follow its configured
 * delays, and what the WAN emulator costs.
 *
 * 1. Configured vs measured RTT for every ordered region pair: median TCP connect time (SYN -> SYN/ACK,
 *    kernel to kernel, python3 sockets) from one region namespace to a listener in another.
 * 2. Emulator packet rate and CPU while the real probes run at the e2e tests' rate (4 regions, HTTP,
 *    anycast + pinned + private every second, reports every 500 ms).
 * 3. Emulator ceiling: UDP packets blasted between two namespaces for 3 s.
 *
 * Run: node --import tsx test/bench/lab-fidelity.ts [--connects N]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pythonCommand } from '../lab/capability.ts';
import { type Lab, labCapability, startLab } from '../lab/index.ts';

const { values } = parseArgs({ options: { connects: { type: 'string', default: '15' } } });
const CONNECTS = Math.max(3, Math.min(200, Number(values.connects) || 15));
const LISTEN_PORT = 5599;

const LISTENER = `
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', ${LISTEN_PORT})); s.listen(128)
while True:
    c, _ = s.accept(); c.close()
`;

const CONNECTOR = `
import socket, sys, time, json, statistics
out = {}
for name, addr in json.loads(sys.argv[1]).items():
    xs = []
    for _ in range(${CONNECTS}):
        t = time.monotonic(); c = socket.create_connection((addr, ${LISTEN_PORT}), timeout=5)
        xs.append((time.monotonic() - t) * 1000); c.close(); time.sleep(0.01)
    out[name] = {"median": statistics.median(xs), "min": min(xs), "p90": sorted(xs)[int(len(xs) * 0.9)]}
print(json.dumps(out))
`;

const BLASTER = `
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.setblocking(False)
end = time.monotonic() + 3; n = 0; payload = b'x' * 64
while time.monotonic() < end:
    try:
        s.sendto(payload, (sys.argv[1], 5600)); n += 1
    except BlockingIOError:
        time.sleep(0.0005)
print(n)
`;

function inNetns(lab: Lab, region: string, script: string, args: string[] = []): ChildProcess {
  return spawn('ip', ['netns', 'exec', lab.netnsOf(region), pythonCommand(), '-c', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function output(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

const pad = (s: string, n: number) => s.padStart(n);

async function rttTable(): Promise<void> {
  const regions = ['iad', 'dfw', 'lhr', 'fra', 'nrt', 'syd'];
  const lab = await startLab({
    regions,
    targetRegions: ['iad'],
    delays: { scale: 0.25 },
    startTargets: false,
    startEdges: false,
  });
  const listeners = regions.map((r) => inNetns(lab, r, LISTENER));
  try {
    await sleep(1500);
    const rows: string[] = [];
    let worst = 0;
    const errors: number[] = [];
    for (const src of regions) {
      const dests = Object.fromEntries(
        regions.filter((r) => r !== src).map((r) => [r, lab.privateAddress(r)]),
      );
      const measured = JSON.parse(
        await output(inNetns(lab, src, CONNECTOR, [JSON.stringify(dests)])),
      ) as Record<string, { median: number; min: number; p90: number }>;
      for (const [dst, m] of Object.entries(measured)) {
        const want = lab.wan.rttMs(src, dst);
        const err = m.median - want;
        errors.push(err);
        worst = Math.max(worst, Math.abs(err));
        rows.push(
          `${src}>${dst}  ${pad(want.toFixed(2), 8)}  ${pad(m.median.toFixed(2), 8)}  ${pad(m.min.toFixed(2), 8)}  ${pad(m.p90.toFixed(2), 8)}  ${pad(err.toFixed(2), 7)}  ${pad(((100 * err) / want).toFixed(1), 6)}%`,
        );
      }
    }
    console.log(
      `\n1. Configured vs measured RTT (TCP connect, ${CONNECTS} per pair, scale 0.25, compensation 0.45 ms/hop)`,
    );
    console.log('pair     configured    median       min       p90    error  error%');
    for (const r of rows) console.log(r);
    const sorted = [...errors].sort((a, b) => a - b);
    console.log(
      `error over ${errors.length} pairs: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} ms, worst |error| ${worst.toFixed(2)} ms`,
    );

    const before = await lab.emulatorStats();
    const udpSink = inNetns(
      lab,
      'fra',
      `import socket\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('::',5600))\nwhile True: s.recv(100)`,
    );
    const sent = Number(await output(inNetns(lab, 'iad', BLASTER, [lab.privateAddress('fra')])));
    await sleep(500);
    const after = await lab.emulatorStats();
    udpSink.kill('SIGKILL');
    const fwd = after.forwarded - before.forwarded;
    const cpu = after.cpuSeconds - before.cpuSeconds;
    console.log('\n3. Emulator ceiling: UDP 64-byte packets iad -> fra for 3 s');
    console.log(
      `sent ${sent}, forwarded ${fwd} (${(fwd / 3).toFixed(0)} pkt/s), dropped ${JSON.stringify(after.dropped)}, emulator CPU ${cpu.toFixed(2)} s (${((100 * cpu) / 3).toFixed(0)}% of a core)`,
    );
  } finally {
    for (const l of listeners) l.kill('SIGKILL');
    await lab.stop();
  }
}

async function probeLoad(): Promise<void> {
  const lab = await startLab({
    regions: ['iad', 'dfw', 'lhr', 'fra'],
    targetRegions: ['iad', 'fra'],
    delays: { scale: 0.5 },
    target: { protocols: ['http'], intervalMs: 1000, timeoutMs: 3000 },
  });
  try {
    await lab.startCollector({ FLYPROBE_REPORT_INTERVAL_MS: '500', FLYPROBE_CONFIG_POLL_MS: '2000' });
    for (const r of lab.regions) await lab.startProbe(r);
    await sleep(5000);
    const a = await lab.emulatorStats();
    const t0 = performance.now();
    await sleep(20_000);
    const b = await lab.emulatorStats();
    const s = (performance.now() - t0) / 1000;
    const fwd = b.forwarded - a.forwarded;
    const cpu = b.cpuSeconds - a.cpuSeconds;
    console.log(
      '\n2. Emulator at the e2e probe rate (4 regions, 4 probes, 2 targets, HTTP every 1 s per check)',
    );
    console.log(
      `${(fwd / s).toFixed(0)} packets/s forwarded, emulator CPU ${((100 * cpu) / s).toFixed(1)}% of a core, dropped ${JSON.stringify(b.dropped)}`,
    );
  } finally {
    await lab.stop();
  }
}

const capability = labCapability();
if (!capability.ok) {
  console.log(`lab-fidelity: skipped (${capability.reason})`);
  process.exit(0);
}
await rttTable();
await probeLoad();
