import type { RegionCode } from '@flyprobe/shared';
import { RULES } from '../../detect/types.ts';
import { getJson } from '../fetch-json.ts';
import { overlaps } from '../query.ts';
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
    const remember = (k: Omit<Known, 'regions'> & { componentList: readonly StatusComponent[] }) => {
      const { componentList: list, ...rest } = k;
      const regions = regionsOf(list);
      if (regions.length === 0) return;
      seen.add(`${k.kind}:${k.id}`);
      this.known.set(`${k.kind}:${k.id}`, { ...rest, regions });
    };
    for (const i of incidents.incidents)
      remember({
        kind: 'incident',
        id: i.id,
        name: i.name,
        status: i.status,
        impact: i.impact,
        components: i.components.map((c) => c.name),
        componentList: i.components,
        from: parseTime(i.started_at) ?? parseTime(i.created_at) ?? now,
        ...(i.shortlink ? { url: i.shortlink } : {}),
      });
    for (const m of maintenances.scheduled_maintenances) {
      const until = parseTime(m.scheduled_until);
      remember({
        kind: 'maintenance',
        id: m.id,
        name: m.name,
        status: m.status,
        impact: m.impact,
        components: m.components.map((c) => c.name),
        componentList: m.components,
        from: parseTime(m.started_at) ?? parseTime(m.scheduled_for) ?? now,
        ...(until !== undefined && until < now ? { to: until } : {}),
        ...(m.shortlink ? { url: m.shortlink } : {}),
      });
    }
    for (const c of components.components) {
      if (c.group || c.status === 'operational') continue;
      const key = `component_status:${c.id}`;
      remember({
        kind: 'component_status',
        id: c.id,
        name: c.name,
        status: c.status,
        impact: null,
        components: [c.name],
        componentList: [c],
        // A component keeps the time it was first seen degraded.
        from: this.known.get(key)?.from ?? now,
      });
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
