import { randomBytes } from 'node:crypto';
import { type HttpFake, sendJson, startHttpFake } from './http-fake.ts';

// Atlassian Statuspage v2 public API, field by field as a page serves it (page, incidents with incident_updates
// and components, scheduled maintenances with scheduled_for/until, components with groups).

type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

export interface V2Component {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

export interface V2IncidentUpdate {
  id: string;
  status: string;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: Array<{
    code: string;
    name: string;
    old_status: ComponentStatus;
    new_status: ComponentStatus;
  }>;
  deliver_notifications: boolean;
  custom_tweet: string | null;
  tweet_id: string | null;
}

export interface V2Incident {
  id: string;
  name: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'postmortem';
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: 'none' | 'minor' | 'major' | 'critical';
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: V2IncidentUpdate[];
  components: V2Component[];
}

export interface V2Maintenance extends Omit<V2Incident, 'status' | 'impact'> {
  status: 'scheduled' | 'in_progress' | 'verifying' | 'completed';
  impact: V2Incident['impact'] | 'maintenance';
  scheduled_for: string;
  scheduled_until: string;
}

const PAGE_ID = 'flyfakepage01';
const id = () => randomBytes(6).toString('hex');
const iso = (ms: number) => new Date(ms).toISOString();

export interface FakeStatusPage extends HttpFake {
  /** Adds a component (e.g. "Tokyo, Japan (NRT)") under the "Regions" group; returns it. */
  addComponent(name: string, status?: ComponentStatus): V2Component;
  /** Opens an incident affecting `components`, started at `startedAt`. */
  openIncident(
    name: string,
    components: V2Component[],
    startedAt: number,
    impact?: V2Incident['impact'],
  ): V2Incident;
  resolveIncident(incidentId: string, at: number): void;
  addMaintenance(name: string, components: V2Component[], from: number, until: number): V2Maintenance;
  /** While true every document answers 503. */
  down: boolean;
}

export async function startFakeStatusPage(): Promise<FakeStatusPage> {
  const created = iso(Date.parse('2020-03-01T00:00:00Z'));
  const group: V2Component = {
    id: id(),
    name: 'Regions',
    status: 'operational',
    created_at: created,
    updated_at: created,
    position: 1,
    description: null,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: PAGE_ID,
    group: true,
    only_show_if_degraded: false,
    components: [],
  };
  const components: V2Component[] = [group];
  const incidents: V2Incident[] = [];
  const maintenances: V2Maintenance[] = [];
  const page = () => ({
    id: PAGE_ID,
    name: 'Fly.io',
    url: 'https://status.flyio.net',
    time_zone: 'Etc/UTC',
    updated_at: iso(Date.now()),
  });
  let fake: FakeStatusPage;
  const http = await startHttpFake((req, res) => {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    if (fake.down) return sendJson(res, 503, { error: 'unavailable' });
    switch (req.url) {
      case '/api/v2/incidents/unresolved.json':
        return sendJson(res, 200, {
          page: page(),
          incidents: incidents.filter((i) => i.status !== 'resolved'),
        });
      case '/api/v2/scheduled-maintenances/active.json':
        return sendJson(res, 200, {
          page: page(),
          scheduled_maintenances: maintenances.filter(
            (m) => m.status === 'in_progress' || m.status === 'verifying',
          ),
        });
      case '/api/v2/components.json':
        return sendJson(res, 200, { page: page(), components });
      default:
        return sendJson(res, 404, { error: 'not found' });
    }
  });
  const update = (incidentId: string, status: string, body: string, at: number, affected: V2Component[]) => ({
    id: id(),
    status,
    body,
    incident_id: incidentId,
    created_at: iso(at),
    updated_at: iso(at),
    display_at: iso(at),
    affected_components: affected.map((c) => ({
      code: c.id,
      name: c.name,
      old_status: 'operational' as const,
      new_status: c.status,
    })),
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  });
  /** The fields incidents and maintenances share, opened at `at` with one update saying `body`. */
  const opened = (name: string, status: string, at: number, affected: V2Component[], body: string) => {
    const eventId = id();
    return {
      id: eventId,
      name,
      created_at: iso(at),
      updated_at: iso(at),
      monitoring_at: null,
      resolved_at: null,
      shortlink: `https://stspg.io/${eventId}`,
      started_at: iso(at),
      page_id: PAGE_ID,
      incident_updates: [update(eventId, status, body, at, affected)],
      components: affected,
    };
  };
  fake = {
    ...http,
    down: false,
    addComponent(name, status = 'operational') {
      const c: V2Component = {
        id: id(),
        name,
        status,
        created_at: created,
        updated_at: created,
        position: components.length,
        description: null,
        showcase: false,
        start_date: null,
        group_id: group.id,
        page_id: PAGE_ID,
        group: false,
        only_show_if_degraded: false,
      };
      components.push(c);
      group.components?.push(c.id);
      return c;
    },
    openIncident(name, affected, startedAt, impact = 'major') {
      for (const c of affected) c.status = 'partial_outage';
      const i: V2Incident = {
        ...opened(name, 'investigating', startedAt, affected, `We are investigating ${name}.`),
        status: 'investigating',
        impact,
      };
      incidents.push(i);
      return i;
    },
    resolveIncident(incidentId, at) {
      const i = incidents.find((x) => x.id === incidentId);
      if (!i) throw new Error(`no incident ${incidentId}`);
      for (const c of i.components) c.status = 'operational';
      i.status = 'resolved';
      i.resolved_at = iso(at);
      i.updated_at = iso(at);
      i.incident_updates.unshift(
        update(i.id, 'resolved', 'This incident has been resolved.', at, i.components),
      );
    },
    addMaintenance(name, affected, from, until) {
      for (const c of affected) c.status = 'under_maintenance';
      const m: V2Maintenance = {
        ...opened(name, 'in_progress', from, affected, `${name} is in progress.`),
        status: 'in_progress',
        impact: 'maintenance',
        scheduled_for: iso(from),
        scheduled_until: iso(until),
      };
      maintenances.push(m);
      return m;
    },
  };
  return fake;
}
