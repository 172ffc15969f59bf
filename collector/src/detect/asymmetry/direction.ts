import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { requestOwd } from '../core/result.ts';
import type { DetectionContext } from '../types.ts';

export interface MeshSample {
  id: number;
  at: number;
  rttMs: number;
  /** See `requestOwd`. */
  owdMs?: number;
}

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

export function directionKey(d: DirectionKey): string {
  return `${d.path}|${d.from}|${d.to}|${d.protocol}`;
}

/** The same path and protocol measured from the other end. */
export function reverseKey(d: DirectionKey): string {
  return directionKey({ ...d, from: d.to, to: d.from });
}
