/**
 * The fault classes of the detection campaign, each drawn at random (regions, magnitude, duration) and
 * applied to a running lab. A drawn fault says which alert detects it and which other alerts are true
 * consequences of it (a flap resets streams; a restart refuses connections for a moment).
 */
import { nearestRegion, type RegionCode, regionDistanceKm } from '@flyprobe/shared';
import type { Lab } from '../lab.ts';
import { TARGET_PORTS } from '../ports.ts';
import type { AlertMatcher } from './scorer.ts';

export const FAULT_CLASSES = [
  'catchment_misroute',
  'proxy_misroute',
  'flap',
  'one_way_delay',
  'loss',
  'resets',
  'stream_terminations',
  'target_restart',
  'collector_outage',
] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export interface DrawnFault {
  faultClass: FaultClass;
  description: string;
  /** How long the fault stays in place, in probe intervals. */
  durationIntervals: number;
  expect: AlertMatcher[];
  allow: AlertMatcher[];
  inject(c: CampaignLab): Promise<void>;
  remove(c: CampaignLab): Promise<void>;
}

/** What a fault acts on: the lab, its probe interval, and the collector environment to restart with. */
export interface CampaignLab {
  lab: Lab;
  intervalMs: number;
  collectorEnv: Record<string, string>;
}

export interface Topology {
  regions: RegionCode[];
  targetRegions: RegionCode[];
}

export type Random = () => number;

export function pick<T>(rnd: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: no items');
  return items[Math.floor(rnd() * items.length)] as T;
}

export function between(rnd: Random, min: number, max: number): number {
  return min + rnd() * (max - min);
}

export const int = (rnd: Random, min: number, max: number): number => Math.floor(between(rnd, min, max + 1));

/** The target region anycast from `region` is served by when every target is healthy. */
function servedFrom(topo: Topology, region: RegionCode): RegionCode {
  return nearestRegion(region, topo.targetRegions)?.code as RegionCode;
}

/** Edges whose nearest target is farther than 500 km beyond `source`'s own: landing there is a misroute. */
function farEdges(topo: Topology, source: RegionCode): RegionCode[] {
  const own = servedFrom(topo, source);
  return topo.regions.filter((e) => {
    const served = servedFrom(topo, e);
    if (served === own) return false;
    return (regionDistanceKm(source, served) ?? 0) - (regionDistanceKm(source, own) ?? 0) > 500;
  });
}

const privatePorts = [TARGET_PORTS.http, TARGET_PORTS.tcp, TARGET_PORTS.grpc];

/**
 * A misroute changes the route twice (on, off). Damping keeps the penalty of earlier changes for a few
 * half-lives (20 intervals), so a misroute soon after another route change from the same probe region (a
 * restart, an earlier misroute) is a true flap of that route, not a false alert.
 */
const routeChanges = (probeRegion: RegionCode): AlertMatcher[] => [
  { rule: 'flapping', labels: { probe_region: probeRegion, path: 'anycast' } },
];
const pct = (p: number) => `${Math.round(p * 100)}%`;

type Draw = (rnd: Random, topo: Topology) => DrawnFault;

const DRAWS: Record<FaultClass, Draw> = {
  catchment_misroute(rnd, topo) {
    const source = pick(
      rnd,
      topo.regions.filter((r) => farEdges(topo, r).length > 0),
    );
    const edge = pick(rnd, farEdges(topo, source));
    const served = servedFrom(topo, edge);
    return {
      faultClass: 'catchment_misroute',
      description: `${source}'s anycast lands at the ${edge} edge (served in ${served})`,
      durationIntervals: int(rnd, 8, 15),
      expect: [{ rule: 'misroute', labels: { probe_region: source, region: served, path: 'anycast' } }],
      allow: [
        ...routeChanges(source),
        { rule: 'asymmetry', labels: { probe_region: source, kind: 'catchment' } },
        { rule: 'latency', labels: { probe_region: source, path: 'anycast' } },
        { rule: 'resets', labels: { probe_region: source } },
        { rule: 'resets', labels: { path: 'anycast' } },
      ],
      inject: ({ lab }) => lab.misrouteCatchment(source, edge),
      remove: ({ lab }) => lab.resetCatchment(source),
    };
  },

  proxy_misroute(rnd, topo) {
    const edge = pick(rnd, topo.regions);
    const served = pick(
      rnd,
      topo.targetRegions.filter((t) => t !== servedFrom(topo, edge)),
    );
    return {
      faultClass: 'proxy_misroute',
      description: `the ${edge} edge forwards to ${served}`,
      durationIntervals: int(rnd, 8, 15),
      expect: [{ rule: 'misroute', labels: { probe_region: edge, region: served, path: 'anycast' } }],
      allow: [
        ...routeChanges(edge),
        { rule: 'latency', labels: { probe_region: edge, path: 'anycast' } },
        { rule: 'resets', labels: { path: 'anycast' } },
      ],
      inject: async ({ lab }) => {
        await lab.misrouteProxy(edge, served);
      },
      remove: async ({ lab }) => {
        await lab.misrouteProxy(edge, null);
      },
    };
  },

  flap(rnd, topo) {
    const source = pick(
      rnd,
      topo.regions.filter((r) => farEdges(topo, r).length > 0),
    );
    const others = farEdges(topo, source);
    const extra = topo.regions.filter((r) => r !== source && !others.includes(r));
    const edges = [source, pick(rnd, others), ...(rnd() < 0.4 && extra.length > 0 ? [pick(rnd, extra)] : [])];
    const periodIntervals = int(rnd, 2, 5);
    return {
      faultClass: 'flap',
      description: `${source}'s catchment cycles ${edges.join(' -> ')} every ${periodIntervals} intervals`,
      durationIntervals: int(rnd, 15, 25),
      expect: [{ rule: 'flapping', labels: { probe_region: source, path: 'anycast' } }],
      allow: [
        { rule: 'misroute', labels: { probe_region: source } },
        { rule: 'asymmetry', labels: { probe_region: source, kind: 'catchment' } },
        { rule: 'latency', labels: { probe_region: source, path: 'anycast' } },
        { rule: 'resets', labels: { probe_region: source } },
        { rule: 'resets', labels: { path: 'anycast' } },
      ],
      inject: ({ lab, intervalMs }) =>
        lab.flapCatchment(source, { edges, periodMs: periodIntervals * intervalMs }),
      remove: async ({ lab }) => {
        lab.stopFlap(source);
        await lab.resetCatchment(source);
      },
    };
  },

  one_way_delay(rnd, topo) {
    // Both ends must observe (each measures the other over the private path): two target regions.
    const [a, b] = rnd() < 0.5 ? topo.targetRegions : [...topo.targetRegions].reverse();
    const src = a as RegionCode;
    const dst = b as RegionCode;
    const extraMs = Math.round(between(rnd, 20, 60));
    const both = { probe_region: [src, dst], region: [src, dst] };
    return {
      faultClass: 'one_way_delay',
      description: `+${extraMs} ms on ${src} -> ${dst} only`,
      durationIntervals: int(rnd, 10, 15),
      expect: [{ rule: 'asymmetry', labels: { probe_region: src, region: dst, kind: 'one_way' } }],
      allow: [
        { rule: 'latency', labels: both },
        { rule: 'asymmetry', labels: both },
        { rule: 'latency', labels: { region: [src, dst] } },
      ],
      inject: ({ lab }) => lab.addDelay(src, dst, extraMs),
      remove: ({ lab }) => lab.addDelay(src, dst, 0),
    };
  },

  loss(rnd, topo) {
    const src = pick(rnd, topo.regions);
    const dst = pick(
      rnd,
      topo.regions.filter(
        (r) => r !== src && (topo.targetRegions.includes(r) || topo.targetRegions.includes(src)),
      ),
    );
    const p = between(rnd, 0.02, 0.3);
    const both = { probe_region: [src, dst], region: [src, dst] };
    return {
      faultClass: 'loss',
      description: `${pct(p)} loss on ${src} -> ${dst} only`,
      durationIntervals: p < 0.1 ? int(rnd, 20, 30) : int(rnd, 10, 15),
      expect: [{ rule: 'loss', labels: both }],
      allow: [
        { rule: 'latency', labels: both },
        { rule: 'latency', labels: { region: [src, dst] } },
        { rule: 'asymmetry', labels: both },
        { rule: 'resets', labels: { probe_region: [src, dst] } },
        { rule: 'resets', labels: { region: [src, dst] } },
      ],
      inject: ({ lab }) => lab.setLoss(src, dst, p),
      remove: ({ lab }) => lab.setLoss(src, dst, 0),
    };
  },

  resets(rnd, topo) {
    const p = between(rnd, 0.1, 1);
    const scope = pick(rnd, ['pair', 'probe_region', 'target_region', 'global'] as const);
    const probe = pick(rnd, topo.regions);
    const target = pick(
      rnd,
      topo.targetRegions.filter((t) => t !== probe),
    );
    let injections: Array<{ remove(): Promise<void> }> = [];
    const refuse = (lab: Lab, region: RegionCode, chain: 'input' | 'output', daddr: string[] | undefined) =>
      lab.injectResets(region, {
        chain,
        dport: privatePorts,
        ...(daddr ? { daddr } : {}),
        newOnly: true,
        probability: p > 0.999 ? 1 : p,
      });
    const spec = {
      pair: {
        text: `${probe} -> ${target} (private)`,
        expect: [
          { rule: 'resets', labels: { scope: 'pair', probe_region: probe, region: target, path: 'private' } },
        ],
        inject: async (lab: Lab) => [await refuse(lab, probe, 'output', [lab.privateAddress(target)])],
      },
      probe_region: {
        text: `probes in ${probe} -> every target (private)`,
        expect: [{ rule: 'resets', labels: { scope: 'probe_region', probe_region: probe, path: 'private' } }],
        inject: async (lab: Lab) => [
          await refuse(
            lab,
            probe,
            'output',
            topo.targetRegions.map((t) => lab.privateAddress(t)),
          ),
        ],
      },
      target_region: {
        text: `the target in ${target} refuses everyone`,
        expect: [{ rule: 'resets', labels: { scope: 'target_region', region: target } }],
        inject: async (lab: Lab) => [await refuse(lab, target, 'input', undefined)],
      },
      global: {
        text: 'every target region refuses everyone',
        expect: [{ rule: 'resets', labels: { scope: 'global' } }],
        inject: async (lab: Lab) =>
          Promise.all(topo.targetRegions.map((t) => refuse(lab, t, 'input', undefined))),
      },
    }[scope];
    return {
      faultClass: 'resets',
      description: `${pct(p)} of new connections refused, ${scope}: ${spec.text}`,
      durationIntervals: int(rnd, 10, 15),
      expect: spec.expect,
      // A refusing target looks unhealthy to the edges and the misroute rule; the other paths alert on their own.
      allow: [{ rule: 'resets' }, { rule: 'misroute' }, { rule: 'flapping' }],
      inject: async ({ lab }) => {
        injections = await spec.inject(lab);
      },
      remove: async () => {
        await Promise.all(injections.map((i) => i.remove()));
        injections = [];
      },
    };
  },

  stream_terminations(rnd, topo) {
    const probe = pick(rnd, topo.regions);
    const target = pick(
      rnd,
      topo.targetRegions.filter((t) => t !== probe),
    );
    const p = between(rnd, 0.1, 0.5);
    let injection: { remove(): Promise<void> } | undefined;
    return {
      faultClass: 'stream_terminations',
      description: `${pct(p)} of gRPC packets ${probe} -> ${target} (private) answered with a reset`,
      durationIntervals: int(rnd, 10, 15),
      expect: [
        {
          rule: 'resets',
          labels: { kind: 'stream', protocol: 'grpc', probe_region: probe, region: target, path: 'private' },
        },
      ],
      allow: [{ rule: 'resets', labels: { probe_region: probe } }],
      inject: async ({ lab }) => {
        injection = await lab.injectResets(probe, {
          chain: 'output',
          dport: TARGET_PORTS.grpc,
          daddr: lab.privateAddress(target),
          establishedOnly: true,
          probability: p,
        });
      },
      remove: async () => {
        await injection?.remove();
        injection = undefined;
      },
    };
  },

  target_restart(rnd, topo) {
    const region = pick(rnd, topo.targetRegions);
    return {
      faultClass: 'target_restart',
      description: `the target in ${region} restarts (same image)`,
      // The alert holds for the restart rule's hold time: the fault "lasts" that long.
      durationIntervals: 4,
      expect: [{ rule: 'restart', labels: { target: 'web', region } }],
      allow: [
        { rule: 'resets', labels: { region } },
        { rule: 'resets', labels: { scope: ['pair', 'target_region', 'global'] } },
        { rule: 'misroute' },
        { rule: 'flapping' },
        { rule: 'loss', labels: { region } },
      ],
      inject: ({ lab }) => lab.restartTarget(region),
      remove: async () => undefined,
    };
  },

  collector_outage(rnd) {
    const intervals = int(rnd, 5, 12);
    return {
      faultClass: 'collector_outage',
      description: 'the collector is SIGKILLed, then started again',
      durationIntervals: intervals,
      expect: [],
      allow: [],
      inject: ({ lab }) => lab.stopCollector('SIGKILL'),
      remove: async ({ lab, collectorEnv }) => {
        await lab.startCollector(collectorEnv);
      },
    };
  },
};

/**
 * `count` faults: every class once per round, rounds shuffled, so that a campaign of 9 or more covers every
 * class and a longer one covers them evenly.
 */
export function drawFaults(
  rnd: Random,
  topo: Topology,
  count: number,
  classes: readonly FaultClass[] = FAULT_CLASSES,
): DrawnFault[] {
  const out: DrawnFault[] = [];
  while (out.length < count) {
    const round: FaultClass[] = [...classes];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [round[i], round[j]] = [round[j] as FaultClass, round[i] as FaultClass];
    }
    for (const c of round) if (out.length < count) out.push(DRAWS[c](rnd, topo));
  }
  return out;
}
