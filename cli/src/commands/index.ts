import type { Command } from '../command.ts';

/** Each command module is imported only when that command runs, so a missing role package breaks only its own command. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  collector: {
    summary: 'run the collector from FLYPROBE_* environment variables',
    load: async () => (await import('./collector.ts')).collectorCommand,
  },
  probe: {
    summary: 'run a probe agent from FLY_* and FLYPROBE_* environment variables',
    load: async () => (await import('./probe.ts')).probeCommand,
  },
  echo: {
    summary: 'run only the echo server that probes measure',
    load: async () => (await import('./echo.ts')).echoCommand,
  },
  deploy: {
    summary: 'deploy probe Machines to chosen regions (plan, apply, confirm by heartbeat)',
    load: async () => (await import('./deploy.ts')).deployCommand,
  },
  destroy: {
    summary: 'destroy the probe Machines in chosen regions',
    load: async () => (await import('./destroy.ts')).destroyCommand,
  },
  regions: {
    summary: 'list Fly regions: status, deprecated codes, replacements, where probes and targets run',
    load: async () => (await import('./regions.ts')).regionsCommand,
  },
  probes: {
    summary: 'list probes known to the collector with their last heartbeat',
    load: async () => (await import('./probes.ts')).probesCommand,
  },
  matrix: {
    summary: 'region x region latency matrix for a target (coloured table, --csv, --json)',
    load: async () => (await import('./matrix.ts')).matrixCommand,
  },
  routes: {
    summary: 'where each probe region enters Fly and which region serves it',
    load: async () => (await import('./routes.ts')).routesCommand,
  },
  alerts: {
    summary: 'list alerts (misrouting, asymmetry, resets, flapping, ...)',
    load: async () => (await import('./alerts.ts')).alertsCommand,
  },
  targets: {
    summary: 'list, validate or apply the targets probes measure (targets list|validate|apply)',
    load: async () => (await import('./targets.ts')).targetsCommand,
  },
  drill: {
    summary: 'failover drill: stop the target in a region, measure routing converging away and back',
    load: async () => (await import('./drill.ts')).drillCommand,
  },
  tokens: {
    summary: 'create collector tokens (tokens create --role ...)',
    load: async () => (await import('./tokens.ts')).tokensCommand,
  },
};
