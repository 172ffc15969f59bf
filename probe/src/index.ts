/**
 * The probe agent. Typical entry point (what `flyprobe probe` does):
 *
 *   const probe = await startProbe(loadProbeSettings(process.env));
 *   for (const signal of ['SIGTERM', 'SIGINT'] as const) {
 *     process.once(signal, () => void probe.stop().then(() => process.exit(0)));
 *   }
 *
 * loadProbeSettings throws a SettingsError whose message starts with the bad field; stop() flushes
 * buffered results within settings.shutdownTimeoutMs (FLYPROBE_SHUTDOWN_TIMEOUT_MS, default 4.5 s).
 */
export type { ProbeStats, RunningProbe, StartProbeOptions } from './agent.ts';
export { startProbe } from './agent.ts';
export type { Check, CheckModule, CheckOutput, SpecBase, StreamCheck } from './checks/core/check.ts';
export { CHECKS, type CheckSpec } from './checks/index.ts';
export { SettingsError } from './config/errors.ts';
export { type LoadOptions, loadProbeSettings } from './config/load.ts';
export { effectiveConfig, type PollResult } from './config/remote.ts';
export type {
  CollectorSettings,
  EchoSettings,
  ProbeIdentitySettings,
  ProbeSettings,
  ReporterSettings,
} from './config/settings.ts';
export { PROBE_VERSION } from './config/version.ts';
export type { HealthWindow } from './health/self-health.ts';
export type { DropReason } from './reporter/reporter.ts';
export type { CheckRunner } from './scheduler/runner.ts';
