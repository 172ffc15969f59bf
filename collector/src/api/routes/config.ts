import { createHash } from 'node:crypto';
import type { MeshPeer, ProbeConfig } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';

/** The ETag matches when any listed tag (weak or strong) equals ours, or for `*`. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** Builds what one probe should run: every target, and the other live probes as mesh peers. */
export async function buildProbeConfig(
  deps: Pick<ApiDeps, 'store' | 'settings' | 'now'>,
  probeId: string | null,
): Promise<ProbeConfig> {
  const [{ revision, targets }, probes] = await Promise.all([
    deps.store.getTargets(),
    deps.store.listProbes(),
  ]);
  const since = deps.now() - deps.settings.meshPeerMaxAgeMs;
  const peers: MeshPeer[] = probes
    .filter((p) => p.probeId !== probeId && p.echoAddress && p.lastSeen >= since)
    .map((p) => ({ probeId: p.probeId, region: p.region, address: p.echoAddress as string }))
    .sort((a, b) => a.probeId.localeCompare(b.probeId));
  const peerHash = createHash('sha256').update(JSON.stringify(peers)).digest('hex').slice(0, 12);
  const s = deps.settings;
  return {
    schemaVersion: 1,
    revision: `${revision.slice(0, 100)}.${peerHash}`,
    targets,
    mesh: {
      enabled: s.meshEnabled && peers.length > 0,
      protocols: ['http', 'tcp'],
      intervalMs: 15_000,
      timeoutMs: 5_000,
      peers: s.meshEnabled ? peers : [],
    },
    report: { intervalMs: s.reportIntervalMs, maxBatch: s.reportMaxBatch },
    configPollMs: s.configPollMs,
  };
}

/** `GET /v1/config`: the calling probe's configuration with an ETag; 304 when unchanged. */
export function configRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/config', requireRole('probe', 'admin'), async (c) => {
    const q = new QueryReader(c, ['probeId']);
    const asked = q.identifier('probeId');
    q.done();
    const caller = c.get('caller');
    if (caller.probeId !== null && asked !== undefined && asked !== caller.probeId) {
      throw new ApiError(
        403,
        'forbidden',
        `probeId: this token belongs to probe "${caller.probeId}", not "${asked}"`,
      );
    }
    const config = await buildProbeConfig(deps, caller.probeId ?? asked ?? null);
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
