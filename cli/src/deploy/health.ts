import type { Machine } from '../fly/types.ts';

/** What a Machine's own state asks for, before any config comparison. */
export type HealthVerdict =
  | { kind: 'replace'; reason: string }
  | { kind: 'restart'; reason: string }
  | undefined;

/** Checks flaps adds for old flyctl blue-green deploys; fly-go drops them (RemoveCompatChecks). */
const COMPAT_CHECK_PREFIX = 'bg_deployments_compat';

/**
 * A failed Machine, or one whose host flaps cannot reach (`host_status` unknown/unreachable), cannot be
 * repaired in place: it is replaced. A stopped Machine (probes restart always, so someone stopped it) or
 * one with a critical check is restarted on its host.
 */
export function healthVerdict(m: Machine): HealthVerdict {
  if (m.state === 'failed') return { kind: 'replace', reason: 'machine failed' };
  if (m.host_status && m.host_status !== 'ok') return { kind: 'replace', reason: `host ${m.host_status}` };
  if (m.state === 'stopped' || m.state === 'suspended')
    return { kind: 'restart', reason: `machine ${m.state}` };
  const critical = (m.checks ?? []).filter(
    (c) => c.status === 'critical' && !c.name.startsWith(COMPAT_CHECK_PREFIX),
  );
  if (critical.length > 0) {
    const names = critical.map((c) => c.name).join(', ');
    return { kind: 'restart', reason: `check ${names} critical` };
  }
  return undefined;
}
