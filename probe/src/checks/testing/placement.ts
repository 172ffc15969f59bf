import { type MeshPeer, type NetworkPath, type TargetConfigInput, targetConfig } from '@flyprobe/shared';
import type { MeshPlacement, TargetPlacement } from '../core/check.ts';

/** A placement of a target (defaults filled by the schema) on `path`, as the plan builder hands it over. */
export function targetPlacement(
  input: Partial<TargetConfigInput>,
  path: NetworkPath,
  targetRegion?: string,
): TargetPlacement {
  const target = targetConfig.parse({ name: 'web', host: 'web.fly.dev', app: 'web-app', ...input });
  const over6pn = path === 'private' || path === 'flycast';
  return {
    target,
    over6pn,
    base: { target: target.name, path, targetRegion, host: 'h', port: 1, timeoutMs: target.timeoutMs },
  };
}

/** A mesh peer at `[fdaa::2]:8080` (echo ports http 8080, tcp 7070, grpc 50051). */
export function meshPlacement(peer: Partial<MeshPeer> = {}): MeshPlacement {
  const p: MeshPeer = { probeId: 'fra-1', region: 'fra', address: '[fdaa::2]:8080', ...peer };
  return {
    peer: p,
    address: { host: 'fdaa::2', port: 8080 },
    echoPorts: { http: 8080, tcp: 7070, grpc: 50051 },
    base: { target: 'mesh', path: 'mesh', targetRegion: p.region, peer: p.probeId, timeoutMs: 5000 },
  };
}
