import type { RegionCode } from '@flyprobe/shared';
import { positive } from '../../alerts/settings.ts';
import { RULES } from '../../detect/types.ts';
import { getJson } from '../fetch-json.ts';
import { httpUrl } from '../http-url.ts';
import { overlaps } from '../query.ts';
import { defineCauseSource } from '../source-module.ts';
import type { CauseItem, CauseQuery, CauseSource } from '../types.ts';
import { regionsOfComponent } from './regions.ts';
import { activeMaintenances, componentList, type StatusComponent, unresolvedIncidents } from './shapes.ts';

export interface StatusPageOptions {
  /** Page base, e.g. https://status.flyio.net */
  baseUrl: string;
  timeoutMs: number;
  /** How long an incident is remembered after it left the page (resolved). */
  retentionMs: number;
  now: () => number;
}

interface Known {
  kind: 'incident' | 'maintenance' | 'component_status';
  id: string;
  name: string;
  status: string;
  impact: string | null;
  regions: RegionCode[];
  components: string[];
  from: number;
  /** Absent while the page still lists it. */
  to?: number;
  url?: string;
}

const parseTime = (s: string | null | undefined): number | undefined => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

function regionsOf(components: readonly StatusComponent[]): RegionCode[] {
  return [...new Set(components.flatMap((c) => regionsOfComponent(c.name)))];
}

/**
 * Fly's public status page (Atlassian Statuspage v2): unresolved incidents, active maintenances and degraded
 * components whose names map to catalog regions. An incident that leaves the unresolved list is kept, ended
 * at the poll that no longer saw it, for `retentionMs`.
 */
export class StatusPageSource implements CauseSource {
  readonly name = 'status-page';
  readonly rules = RULES;
  private readonly known = new Map<string, Known>();

  readonly pollIntervalMs: number;

  constructor(private readonly opts: StatusPageOptions & { pollIntervalMs: number }) {
    this.pollIntervalMs = opts.pollIntervalMs;
  }

  private url(path: string): string {
    return `${this.opts.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** One poll of the three documents; throws (for the poller to count) when any is unreachable or malformed. */
  async poll(): Promise<void> {
    const get = (path: string) => getJson(this.url(path), { timeoutMs: this.opts.timeoutMs });
    const [incidents, maintenances, components] = await Promise.all([
      get('/api/v2/incidents/unresolved.json').then((j) => unresolvedIncidents.parse(j)),
      get('/api/v2/scheduled-maintenances/active.json').then((j) => activeMaintenances.parse(j)),
      get('/api/v2/components.json').then((j) => componentList.parse(j)),
    ]);
    const now = this.opts.now();
    const seen = new Set<string>();
    /** Kept only when it names a region; `from` and `to` are this kind's own times. */
    const remember = (
      kind: Known['kind'],
      e: { id: string; name: string; status: string; impact: string | null; shortlink?: string | null },
      affected: readonly StatusComponent[],
      from: number,
      to?: number,
    ) => {
      const regions = regionsOf(affected);
      if (regions.length === 0) return;
      const key = `${kind}:${e.id}`;
      seen.add(key);
      this.known.set(key, {
        kind,
        id: e.id,
        name: e.name,
        status: e.status,
        impact: e.impact,
        regions,
        components: affected.map((c) => c.name),
        from,
        ...(to !== undefined ? { to } : {}),
        ...(e.shortlink ? { url: e.shortlink } : {}),
      });
    };
    for (const i of incidents.incidents)
      remember('incident', i, i.components, parseTime(i.started_at) ?? parseTime(i.created_at) ?? now);
    for (const m of maintenances.scheduled_maintenances) {
      const until = parseTime(m.scheduled_until);
      const from = parseTime(m.started_at) ?? parseTime(m.scheduled_for) ?? now;
      remember('maintenance', m, m.components, from, until !== undefined && until < now ? until : undefined);
    }
    for (const c of components.components) {
      if (c.group || c.status === 'operational') continue;
      // A component keeps the time it was first seen degraded.
      const from = this.known.get(`component_status:${c.id}`)?.from ?? now;
      remember('component_status', { ...c, impact: null }, [c], from);
    }
    for (const [key, k] of this.known) {
      if (!seen.has(key) && k.to === undefined) k.to = now;
      if (k.to !== undefined && now - k.to > this.opts.retentionMs) this.known.delete(key);
    }
  }

  contextFor(q: CauseQuery): CauseItem[] {
    const regions = [q.region, q.probeRegion].filter((r): r is string => r !== undefined);
    if (regions.length === 0) return [];
    const items: CauseItem[] = [];
    for (const k of this.known.values()) {
      const region = k.regions.find((r) => regions.includes(r));
      if (!region || !overlaps(q, k.from, k.to)) continue;
      const what = k.kind === 'component_status' ? `component ${k.name}` : `${k.kind} "${k.name}"`;
      items.push({
        source: this.name,
        kind: k.kind,
        at: k.from,
        region,
        summary: `Fly status ${what} (${k.status}${k.impact ? `, impact ${k.impact}` : ''}) in ${region} since ${new Date(k.from).toISOString()}`,
        details: {
          id: k.id,
          name: k.name,
          status: k.status,
          impact: k.impact,
          components: k.components.join(', '),
          ended_at: k.to ?? null,
        },
        ...(k.url ? { url: k.url } : {}),
      });
    }
    return items;
  }
}

const DEFAULT_STATUS_PAGE = 'https://status.flyio.net';

/**
 * FLYPROBE_STATUS_PAGE_URL (Statuspage v2 base; `off` disables; default https://status.flyio.net on Fly, off
 * elsewhere so a local or test collector makes no internet calls), FLYPROBE_STATUS_PAGE_POLL_MS.
 */
export const statusPage = defineCauseSource({
  key: 'statusPage',
  settingsFromEnv(env): { baseUrl: string; pollIntervalMs: number } | null {
    const page = env.FLYPROBE_STATUS_PAGE_URL?.trim() || (env.FLY_APP_NAME ? DEFAULT_STATUS_PAGE : 'off');
    if (page === 'off') return null;
    return {
      baseUrl: httpUrl('FLYPROBE_STATUS_PAGE_URL', page),
      pollIntervalMs: positive(env, 'FLYPROBE_STATUS_PAGE_POLL_MS', 120_000, 3_600_000),
    };
  },
  create: (settings, common) => (settings ? new StatusPageSource({ ...settings, ...common }) : undefined),
});
