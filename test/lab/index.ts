/**
 * The flyprobe network lab: emulated Fly regions with real packet delays, anycast catchment, a
 * fly-proxy-like edge per region, an `.internal` name service and fault injection. Needs root,
 * /dev/net/tun, iproute2, nftables, python3 and flock (`labCapability()` says what is missing).
 *
 * Layout of one lab (run id `r`, 4 hex digits; every name starts with `fp<r>`):
 * - per region R: namespace `fp<r>-R` (the region's Machines: its probe and, in target regions, the
 *   target's echo server) with 6PN address `fdaa:0:<r>:a7b:<n>::2`, and namespace `fp<r>-R-e` (the
 *   region's edge) holding the anycast address `fdaa:0:<r>:ac::1` and the target's Flycast address
 *   `fdaa:0:<r>:fc::1` on its loopback;
 * - namespace `fp<r>-col` for the collector (`fdaa:0:<r>:c01::2`, placed in `collectorRegion`);
 * - the lab's own process (root namespace) reaches everything at zero delay through a host TUN and
 *   serves DNS at `fdaa:0:<r>::3` (plays Fly's `fdaa::3`): AAAA `<app>.internal`, `<region>.<app>.internal`,
 *   `<id>.vm.<app>.internal`, `<app>.flycast`, TXT `regions.<app>.internal`, `vms.<app>.internal`;
 * - one python3 process (wan/emulator.py) owns a TUN device in every namespace and forwards each IP
 *   packet after the ordered pair's one-way delay (plus jitter, never reordering), or drops it (loss,
 *   blackhole). Anycast packets go to the edge the source region's catchment entry names; Flycast
 *   packets from a region's Machines (or the collector) go to that region's own edge, whatever the
 *   catchment, and from anywhere else (the host) are dropped: Flycast is private.
 *
 * Ports: target echo 8080/7070/50051 (its private ports), edge on anycast and Flycast 80 (HTTP/1.1), 10070
 * (TCP), 10051 (h2c/gRPC), each probe's own echo 9080/9070/9051, probe metrics 9091, collector 8080.
 *
 * Configured truth (what the lab promises; `lab.wan` answers it):
 * - one-way delay src -> dst = (fibre RTT floor / 2) x inflation x scale (+ extra delay fault), or the
 *   `delayOverrides` value; between two namespaces of the same region `localMs`; to/from host 0.
 * - private RTT P -> R = wan.rttMs(P, R) (same region: local delivery, ~0);
 * - pinned RTT P -> R = wan.rttMs(P, E) + wan.rttMs(E, R) with E = catchment.edgeFor(P): the edge pools
 *   its backhaul connections as fly-proxy does, so a request pays one backhaul round trip;
 * - anycast served region = nearest healthy target region to the edge E (nearestRegion), unless a
 *   proxy-misroute override is set on that edge;
 * - flycast P: edge = P's own edge (catchment faults do not move it); served region S = nearest healthy
 *   target region to P unless P's edge has a proxy-misroute override; RTT = wan.rttMs(P, P) (machine <->
 *   edge, 2 x localMs) + wan.rttMs(P, S).
 * The emulator subtracts `compensationMs` (0.45 ms) from each delay to offset its own wake-up lateness.
 *
 * Usage:
 *   const lab = await startLab({ regions: ['iad', 'dfw', 'lhr', 'fra'], targetRegions: ['iad', 'fra'],
 *                                delays: { scale: 0.5 } });
 *   try {
 *     await lab.startCollector({ FLYPROBE_REPORT_INTERVAL_MS: '500' });   // env passed to the collector
 *     for (const r of lab.regions) await lab.startProbe(r);                // real `flyprobe probe` processes
 *     await lab.misrouteCatchment('dfw', 'fra');   // dfw's anycast lands at fra's edge
 *     await lab.flapCatchment('lhr', { edges: ['lhr', 'iad'], periodMs: 2000 });
 *     await lab.misrouteProxy('lhr', 'iad');       // lhr's edge serves from iad (null: back to nearest)
 *     await lab.addDelay('iad', 'fra', 30);        // one direction only
 *     await lab.setLoss('fra', 'iad', 0.05);
 *     const rst = await lab.injectResets('dfw', { dport: 80, daddr: lab.anycast }); await rst.remove();
 *     await lab.blackhole('fra'); await lab.blackhole('fra', false);
 *     await lab.restartTarget('iad');              // new start time, same image ref
 *     await lab.stopCollector('SIGKILL'); await lab.startCollector();
 *     // read: fetch(`${lab.collectorUrl}/v1/matrix?target=web`, { headers: { authorization: `Bearer ${lab.readToken}` } })
 *   } finally {
 *     await lab.stop();                            // idempotent; also runs on SIGINT/SIGTERM/exit
 *   }
 * The collector gets the target `web` (lab.targetConfig(): anycast, pinned and private paths, http/tcp/grpc,
 * 1 s interval; override fields with `startLab({ target: {...} })`, e.g. `paths` with `flycast` added: its
 * host defaults to `<app>.flycast`, resolved by the lab DNS). Labs in different processes are
 * serialized with a lock file (`exclusive: false` opts out); give the hook that starts a lab a timeout of
 * several minutes. Every lab stops itself after `maxDurationMs` (15 min). Logs of every process are in
 * `lab.dir` (kept after stop when FLYPROBE_LAB_KEEP=1).
 */
export { type LabCapability, labCapability } from './capability.ts';
export { CatchmentTable, type FlapSchedule, flapEdgeAt } from './catchment.ts';
export { LAB_ROOT, sweepStaleLabs } from './cleanup.ts';
export { DEFAULT_DELAY_MODEL, type DelayModelOptions, defaultOneWayMs, WanModel } from './delay-model.ts';
export { answerQuestion, type LabZone, type ZoneFlycast, type ZoneMachine } from './dns/answers.ts';
export type { EdgeState } from './edge/config.ts';
export { chooseServedRegion, type RouteChoice, type RouteInput } from './edge/route.ts';
export type { ResetMatch } from './faults/rst.ts';
export { Lab, type LabOptions, type ResetInjection, startLab } from './lab.ts';
export { type EndpointPlan, type LabPlan, MAX_LAB_REGIONS, MIN_LAB_REGIONS, planLab } from './plan.ts';
export { COLLECTOR_PORT, EDGE_PORTS, PROBE_ECHO_PORTS, PROBE_METRICS_PORT, TARGET_PORTS } from './ports.ts';
export { LabProcess } from './process.ts';
export { tcpOpens, waitFor } from './wait.ts';
export type { EmulatorStats } from './wan/control.ts';
