import type { FlyExitEvent, FlyMachineEvent } from './shapes.ts';

export interface Happening {
  kind:
    | 'oom_kill'
    | 'crash'
    | 'exit'
    | 'requested_stop'
    | 'platform_stop'
    | 'host_migration'
    | 'restart'
    | 'update'
    | 'destroy'
    | 'deploy'
    | 'host_unreachable';
  /** Without the Machine and time, which the caller adds: "OOM-killed (exit 137)". */
  what: string;
  details: Record<string, number | string | boolean | null>;
}

/** MonitorEvent's exit event wins over the request's own, as fly-go's GetExitCode does. */
function exitOf(e: FlyMachineEvent): FlyExitEvent | undefined {
  return e.request?.MonitorEvent?.exit_event ?? e.request?.exit_event;
}

/** What one Machine event means for an alert; undefined for events that explain nothing (launch, start). */
export function classifyEvent(e: FlyMachineEvent): Happening | undefined {
  const type = e.type ?? '';
  const base = { type, status: e.status ?? null, source: e.source ?? null };
  const exit = exitOf(e);
  if (exit) {
    const code = exit.exit_code ?? null;
    const details = {
      ...base,
      exit_code: code,
      oom_killed: exit.oom_killed ?? false,
      requested_stop: exit.requested_stop ?? false,
      signal: exit.signal ?? null,
      restarting: exit.restarting ?? false,
    };
    const codeText = `exit ${code ?? '?'}${exit.signal ? `, signal ${exit.signal}` : ''}`;
    if (exit.oom_killed) return { kind: 'oom_kill', what: `OOM-killed (${codeText})`, details };
    if (exit.requested_stop)
      return { kind: 'requested_stop', what: `stopped on request (${codeText})`, details };
    if (code !== 0) return { kind: 'crash', what: `crashed (${codeText})`, details };
    return { kind: 'exit', what: `exited cleanly (${codeText})`, details };
  }
  if (/migrat/i.test(type))
    return { kind: 'host_migration', what: `migrated to another host (${type})`, details: base };
  if (type === 'stop')
    return e.source === 'user'
      ? { kind: 'requested_stop', what: 'stopped on request', details: base }
      : { kind: 'platform_stop', what: `stopped by ${e.source ?? 'the platform'}`, details: base };
  if (type === 'restart')
    return { kind: 'restart', what: `restarted by ${e.source ?? 'the platform'}`, details: base };
  if (type === 'update')
    return { kind: 'update', what: `updated by ${e.source ?? 'unknown'}`, details: base };
  if (type === 'destroy') return { kind: 'destroy', what: 'destroyed', details: base };
  return undefined;
}
