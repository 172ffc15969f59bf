import { heartbeat, parseWith } from '@flyprobe/shared';
import type { DetectorRegistry } from '../detect/registry.ts';
import type { Store, StoredResult } from '../store/store.ts';
import type { AlertingSettings } from './settings.ts';

/**
 * Rebuilds detector state after a restart: the probes' last heartbeats, then the raw results of the last
 * `warmupMs` (at most `warmupMaxResults`, read newest first in pages and replayed oldest first). The ids
 * replayed are added to `seen`, so a caller that also follows the results feed skips them there.
 */
export async function warmUp(
  store: Store,
  registry: DetectorRegistry,
  settings: AlertingSettings,
  now: number,
  seen = new Set<number>(),
): Promise<number> {
  const pages: StoredResult[][] = [];
  let to = now;
  const before = seen.size;
  while (seen.size - before < settings.warmupMaxResults) {
    const page = await store.listResults({
      from: now - settings.warmupMs,
      to,
      limit: Math.min(10_000, settings.warmupMaxResults),
    });
    const fresh = page.filter((r) => !seen.has(r.id));
    if (fresh.length === 0) break;
    for (const r of fresh) seen.add(r.id);
    pages.push(fresh);
    to = fresh.at(-1)?.startedAt ?? to;
    if (page.length < 10_000) break;
  }
  const results = pages.flat().sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  // Probe health first, so samples of a probe that is degraded now are judged as such.
  for (const p of await store.listProbes()) {
    const hb = parseWith(heartbeat, p.health);
    if (hb.ok && now - p.lastSeen <= settings.warmupMs)
      registry.observeHeartbeat({
        probeId: p.probeId,
        probeRegion: p.region,
        heartbeat: hb.value,
        receivedAt: p.lastSeen,
      });
  }
  registry.observe(results);
  return results.length;
}
