import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { entry } from '../core/keyed.ts';
import { joinKey } from '../core/keys.ts';
import { optional, present, type RecordLayout } from '../core/record-ring.ts';
import { requestOwd } from '../core/result.ts';
import type { DetectionContext } from '../types.ts';

export interface MeshSample {
  id: number;
  at: number;
  rttMs: number;
  /** See `requestOwd`. */
  owdMs?: number;
}

/** A mesh sample as 4 numbers: id, at, RTT, one-way delay. */
export const MESH_SAMPLE: RecordLayout<MeshSample> = {
  width: 4,
  write: (to, at, s) => {
    to[at] = s.id;
    to[at + 1] = s.at;
    to[at + 2] = s.rttMs;
    to[at + 3] = optional(s.owdMs);
  },
  read: (from, at) => {
    const sample: MeshSample = {
      id: from[at] as number,
      at: from[at + 1] as number,
      rttMs: from[at + 2] as number,
    };
    const owd = present(from[at + 3]);
    if (owd !== undefined) sample.owdMs = owd;
    return sample;
  },
};

/** Which way a direct measurement went: from the probe's region to the peer's (mesh) or the target's (private). */
export interface DirectionKey {
  path: 'mesh' | 'private';
  from: RegionCode;
  to: RegionCode;
  protocol: string;
}

/** The key and sample of a trustworthy ok mesh or private result between two regions, else undefined. */
export function directionSample(
  r: StoredResult,
  ctx: Pick<DetectionContext, 'trustworthy'>,
): { key: string; direction: DirectionKey; sample: MeshSample } | undefined {
  // Mesh (probe echo) and private (target echo over 6PN) both give a direct path with echo timestamps.
  if ((r.path !== 'mesh' && r.path !== 'private') || !r.targetRegion || r.targetRegion === r.probeRegion)
    return undefined;
  if (r.outcome !== 'ok' || r.latencyMs === undefined || !ctx.trustworthy(r)) return undefined;
  const sample: MeshSample = { id: r.id, at: r.startedAt, rttMs: r.latencyMs };
  const owd = requestOwd(r);
  if (owd !== undefined) sample.owdMs = owd;
  const direction = { path: r.path, from: r.probeRegion, to: r.targetRegion, protocol: r.protocol };
  return { key: directionKey(direction), direction, sample };
}

function directionKey(d: DirectionKey): string {
  return joinKey(d.path, d.from, d.to, d.protocol);
}

export type Direction<S> = DirectionKey & S & { lastAt: number };

/** The directions one asymmetry rule follows on `paths`, each with the rule's own state `S`. */
export class Directions<S> {
  private readonly map = new Map<string, Direction<S>>();
  private readonly stale: (key: { target?: string }) => number;

  constructor(
    private readonly ctx: DetectionContext,
    config: { staleIntervals: number; staleMs?: number | undefined },
    private readonly paths: readonly DirectionKey['path'][],
    private readonly make: () => S,
  ) {
    this.stale = staleFor(config, ctx);
  }

  /** The direction `r` measured, with its sample; undefined when `r` is not one this rule follows. */
  observe(r: StoredResult): { direction: Direction<S>; sample: MeshSample } | undefined {
    const s = directionSample(r, this.ctx);
    if (!s || !this.paths.includes(s.direction.path)) return undefined;
    const direction =
      this.map.get(s.key) ?? entry(this.map, s.key, () => ({ ...s.direction, ...this.make(), lastAt: 0 }));
    direction.lastAt = Math.max(direction.lastAt, r.startedAt);
    return { direction, sample: s.sample };
  }

  /** Forgets directions without samples for their stale time, then lists the others. */
  live(now: number): Direction<S>[] {
    for (const [k, d] of this.map)
      if (now - d.lastAt > this.stale({ target: d.path === 'mesh' ? 'mesh' : undefined })) this.map.delete(k);
    return [...this.map.values()];
  }

  /** The same path and protocol measured from the other end. */
  reverse(d: DirectionKey): Direction<S> | undefined {
    return this.map.get(directionKey({ ...d, from: d.to, to: d.from }));
  }
}
