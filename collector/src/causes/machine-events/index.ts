import { positive } from '../../alerts/settings.ts';
import { getJson } from '../fetch-json.ts';
import { httpUrl } from '../http-url.ts';
import { overlaps } from '../query.ts';
import { defineCauseSource } from '../source-module.ts';
import type { CauseItem, CauseQuery, CauseSource } from '../types.ts';
import { classifyEvent, type Happening } from './classify.ts';
import { type FlyMachine, machineList } from './shapes.ts';

export interface MachineEventsOptions {
  /** Machines API base (FLY_FLAPS_BASE_URL, default https://api.machines.dev). */
  baseUrl: string;
  app: string;
  token: string;
  timeoutMs: number;
  pollIntervalMs: number;
  retentionMs: number;
  now: () => number;
}

interface Seen extends Happening {
  at: number;
  machine: string;
  region: string;
  memoryMb: number | null;
}

const MAX_PER_MACHINE = 50;

function imageOf(m: FlyMachine): string | undefined {
  const r = m.image_ref;
  if (!r?.repository) return undefined;
  return `${r.registry ? `${r.registry}/` : ''}${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/**
 * The target app's Machines and their events through the Machines API (read-only token). Explains restart,
 * resets and latency alerts with what happened to the Machines in the alert's region: exits (OOM kill,
 * crash, requested stop), platform stops, host migrations, and image changes between polls (deploys).
 */
export class MachineEventsSource implements CauseSource {
  readonly name = 'machine-events';
  readonly rules = ['restart', 'resets', 'latency', 'loss'] as const;
  readonly pollIntervalMs: number;
  private readonly seen = new Map<string, Seen[]>();
  private readonly images = new Map<string, string>();
  private readonly hostDown = new Map<string, number>();

  constructor(private readonly opts: MachineEventsOptions) {
    this.pollIntervalMs = opts.pollIntervalMs;
  }

  async poll(): Promise<void> {
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/v1/apps/${encodeURIComponent(this.opts.app)}/machines`;
    const machines = machineList.parse(
      await getJson(url, { timeoutMs: this.opts.timeoutMs, token: this.opts.token }),
    );
    const now = this.opts.now();
    for (const m of machines) this.learn(m, now);
    for (const [id, list] of this.seen) {
      const kept = list.filter((s) => now - s.at <= this.opts.retentionMs);
      if (kept.length === 0) this.seen.delete(id);
      else this.seen.set(id, kept);
    }
  }

  private learn(m: FlyMachine, now: number): void {
    const region = m.region ?? '';
    const memoryMb = m.config?.guest?.memory_mb ?? null;
    const list = this.seen.get(m.id) ?? [];
    const add = (s: Omit<Seen, 'machine' | 'region' | 'memoryMb'>) => {
      if (list.some((x) => x.at === s.at && x.kind === s.kind)) return;
      list.push({ ...s, machine: m.id, region, memoryMb });
    };
    for (const e of m.events ?? []) {
      const h = e.timestamp !== undefined ? classifyEvent(e) : undefined;
      if (h) add({ ...h, at: e.timestamp as number });
    }
    const image = imageOf(m);
    const before = this.images.get(m.id);
    if (image && before && image !== before)
      add({
        kind: 'deploy',
        what: `new image ${image} (was ${before})`,
        details: { image, previous_image: before },
        at: now,
      });
    if (image) this.images.set(m.id, image);
    if (m.host_status && m.host_status !== 'ok') {
      const since = this.hostDown.get(m.id) ?? now;
      this.hostDown.set(m.id, since);
      add({
        kind: 'host_unreachable',
        what: `host status ${m.host_status}`,
        details: { host_status: m.host_status },
        at: since,
      });
    } else this.hostDown.delete(m.id);
    list.sort((a, b) => a.at - b.at);
    this.seen.set(m.id, list.slice(-MAX_PER_MACHINE));
  }

  contextFor(q: CauseQuery): CauseItem[] {
    const items: CauseItem[] = [];
    for (const list of this.seen.values())
      for (const s of list) {
        const here = q.machine ? s.machine === q.machine : s.region === q.region;
        if (!here || !overlaps(q, s.at, s.at)) continue;
        const memory = s.kind === 'oom_kill' && s.memoryMb !== null ? `, memory ${s.memoryMb} MB` : '';
        items.push({
          source: this.name,
          kind: s.kind,
          at: s.at,
          region: s.region,
          machine: s.machine,
          summary: `Machine ${s.machine} in ${s.region} ${s.what} at ${new Date(s.at).toISOString()}${memory}`,
          details: { ...s.details, memory_mb: s.memoryMb },
        });
      }
    return items;
  }
}

/**
 * FLYPROBE_TARGET_FLY_TOKEN + FLYPROBE_TARGET_APP (both or neither), FLY_FLAPS_BASE_URL (default
 * https://api.machines.dev), FLYPROBE_MACHINES_POLL_MS.
 */
export const machineEvents = defineCauseSource({
  key: 'machines',
  settingsFromEnv(env): { baseUrl: string; app: string; token: string; pollIntervalMs: number } | null {
    const token = env.FLYPROBE_TARGET_FLY_TOKEN?.trim();
    const app = env.FLYPROBE_TARGET_APP?.trim();
    if (Boolean(token) !== Boolean(app))
      throw new Error(
        `${token ? 'FLYPROBE_TARGET_APP' : 'FLYPROBE_TARGET_FLY_TOKEN'}: required when ${token ? 'FLYPROBE_TARGET_FLY_TOKEN' : 'FLYPROBE_TARGET_APP'} is set`,
      );
    if (!token || !app) return null;
    return {
      baseUrl: httpUrl('FLY_FLAPS_BASE_URL', env.FLY_FLAPS_BASE_URL?.trim() || 'https://api.machines.dev'),
      app,
      token,
      pollIntervalMs: positive(env, 'FLYPROBE_MACHINES_POLL_MS', 30_000, 3_600_000),
    };
  },
  create: (settings, common) => (settings ? new MachineEventsSource({ ...settings, ...common }) : undefined),
});
