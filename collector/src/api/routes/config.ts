import { createHash } from 'node:crypto';
import { collectorApi, MAX_MESH_PEERS, type MeshPeer, type ProbeConfig } from '@flyprobe/shared';
import { Hono } from 'hono';
import { AddressRanges, meshAddressProblem } from '../address-range.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { etagMatches } from '../middleware/read-answers.ts';
import { unboundProblem } from '../probe-binding.ts';
import { route } from '../route.ts';

/**
 * Builds what one probe should run: every target, and the other live probes as mesh peers: at most
 * MAX_MESH_PEERS (what the probe's schema accepts; one more and every probe would refuse the document),
 * the most recently seen first, listed by probe id. `omittedPeers` counts the live ones left out.
 */
export async function buildProbeConfig(
  deps: Pick<ApiDeps, 'store' | 'settings' | 'now'>,
  probeId: string | null,
  ranges: AddressRanges,
): Promise<{ config: ProbeConfig; omittedPeers: number }> {
  const [{ revision, targets }, probes] = await Promise.all([
    deps.store.getTargets(),
    deps.store.listProbes(),
  ]);
  const since = deps.now() - deps.settings.meshPeerMaxAgeMs;
  // Rows stored before addresses were checked are filtered here too: no stored value can redirect the mesh.
  const live = probes
    .filter(
      (p) =>
        p.probeId !== probeId &&
        p.echoAddress &&
        p.lastSeen >= since &&
        meshAddressProblem(p.echoAddress, ranges) === null,
    )
    .sort((a, b) => b.lastSeen - a.lastSeen || a.probeId.localeCompare(b.probeId));
  const peers: MeshPeer[] = live
    .slice(0, MAX_MESH_PEERS)
    .map((p) => ({ probeId: p.probeId, region: p.region, address: p.echoAddress as string }))
    .sort((a, b) => a.probeId.localeCompare(b.probeId));
  const peerHash = createHash('sha256').update(JSON.stringify(peers)).digest('hex').slice(0, 12);
  const s = deps.settings;
  const config: ProbeConfig = {
    schemaVersion: 1,
    revision: `${revision.slice(0, 100)}.${peerHash}`,
    targets,
    mesh: {
      enabled: s.meshEnabled && peers.length > 0,
      protocols: [...s.meshProtocols],
      intervalMs: s.meshIntervalMs,
      timeoutMs: s.meshTimeoutMs,
      peers: s.meshEnabled ? peers : [],
    },
    report: { intervalMs: s.reportIntervalMs, maxBatch: s.reportMaxBatch },
    configPollMs: s.configPollMs,
  };
  return { config, omittedPeers: s.meshEnabled ? live.length - peers.length : 0 };
}

/** `GET /v1/config`: the calling probe's configuration with an ETag; 304 when unchanged. */
export function configRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const ranges = new AddressRanges(deps.settings.meshAllowCidrs);
  let lastOmitted = 0;
  route(app, collectorApi.config, async ({ c, query: { probeId: asked } }) => {
    const caller = c.get('caller');
    const unbound = unboundProblem(caller, deps.settings.allowUnboundProbes);
    if (unbound) throw new ApiError(403, 'forbidden', unbound);
    const bound = caller.binding?.probeId ?? null;
    if (bound !== null && asked !== undefined && asked !== bound) {
      throw new ApiError(403, 'forbidden', `probeId: this token belongs to probe "${bound}", not "${asked}"`);
    }
    const { config, omittedPeers } = await buildProbeConfig(deps, bound ?? asked ?? null, ranges);
    deps.metrics.meshPeersOmitted.set(omittedPeers);
    if (omittedPeers !== lastOmitted) {
      lastOmitted = omittedPeers;
      deps.log('warn', 'mesh peers left out of config documents (freshest first)', {
        omittedPeers,
        maxPeers: MAX_MESH_PEERS,
      });
    }
    if (omittedPeers > 0) c.header('Flyprobe-Mesh-Peers-Omitted', String(omittedPeers));
    const body = JSON.stringify(config);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'no-cache');
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    c.header('Content-Type', 'application/json');
    return c.body(body, 200);
  });
  return app;
}
