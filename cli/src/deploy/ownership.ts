import { MANAGED_BY_KEY, MANAGED_ROLE, PROBE_ID_KEY, TOKEN_ID_KEY } from '../fly/probe-machine-config.ts';
import type { Machine, MachineConfig } from '../fly/types.ts';

/** fly-go's metadata keys for Machines that `fly deploy` (Fly Launch, apps v2) manages. */
const FLY_PLATFORM_VERSION = 'fly_platform_version';
const FLY_PROCESS_GROUP = 'fly_process_group';

/** The config the API knows: `config`, or `incomplete_config` when the host is not reachable (fly-go GetConfig). */
export function knownConfig(m: Machine): MachineConfig | undefined {
  return m.config ?? m.incomplete_config;
}

export type Ownership = { managed: true } | { managed: false; why: 'fly deploy' | 'unmarked' };

/**
 * A Machine is flyprobe's only with `flyprobe_role=probe` and without Fly Launch's platform marker:
 * a Machine `fly deploy` manages is never flyprobe's, whatever else its metadata says, so the two
 * tools can never both act on one Machine.
 */
export function ownership(m: Machine): Ownership {
  const metadata = knownConfig(m)?.metadata ?? {};
  if (metadata[FLY_PLATFORM_VERSION] || metadata[FLY_PROCESS_GROUP])
    return { managed: false, why: 'fly deploy' };
  return metadata[MANAGED_BY_KEY] === MANAGED_ROLE ? { managed: true } : { managed: false, why: 'unmarked' };
}

/** Per-region counts of Machines flyprobe leaves alone, for the plan's "not managed by flyprobe" lines. */
export interface ForeignSummary {
  region: string;
  count: number;
  flyDeploy: number;
}

export function summarizeForeign(machines: Machine[]): ForeignSummary[] {
  const byRegion = new Map<string, ForeignSummary>();
  for (const m of machines) {
    const o = ownership(m);
    if (o.managed) continue;
    const s = byRegion.get(m.region) ?? { region: m.region, count: 0, flyDeploy: 0 };
    s.count++;
    if (o.why === 'fly deploy') s.flyDeploy++;
    byRegion.set(m.region, s);
  }
  return [...byRegion.values()].sort((a, b) => a.region.localeCompare(b.region));
}

export function foreignLine(s: ForeignSummary): string {
  const detail = s.flyDeploy > 0 ? ` (${s.flyDeploy} from fly deploy)` : '';
  return `not managed by flyprobe: ${s.count} in ${s.region}${detail}; left untouched`;
}

/** The probe id and collector token id flyprobe recorded on one of its Machines. */
export function recordedIdentity(m: Machine): { probeId?: string; tokenId?: string } {
  const c = knownConfig(m);
  return {
    probeId: c?.metadata?.[PROBE_ID_KEY] ?? c?.env?.FLYPROBE_PROBE_ID,
    tokenId: c?.metadata?.[TOKEN_ID_KEY],
  };
}
