import { type Command, stringOption } from '../command.ts';
import { envWithOverrides, runRole } from '../roles/run-until-signal.ts';

export const probeCommand: Command = {
  summary: 'run a probe agent (checks, echo server, reporter) from FLYPROBE_* environment variables',
  help: `Usage: flyprobe probe [--config FILE] [--collector URL] [--token T] [--region R] [--probe-id ID]

Starts the probe agent and keeps it running until SIGTERM or SIGINT, then flushes buffered results
to the collector and exits. Settings come from Fly's environment (FLY_REGION, FLY_MACHINE_ID, ...)
and FLYPROBE_* variables (FLYPROBE_COLLECTOR_URL, FLYPROBE_TOKEN, FLYPROBE_PROBE_ID, FLYPROBE_REGION,
FLYPROBE_CONFIG, FLYPROBE_SPOOL_DIR, FLYPROBE_BIND, FLYPROBE_ECHO_*_PORT, FLYPROBE_METRICS_PORT, ...;
every one in docs/ENVIRONMENT.md); flags override them. Bad values are all named at once.

Options:
  --config FILE      TOML settings file (FLYPROBE_CONFIG)
  --collector URL    collector base URL (FLYPROBE_COLLECTOR_URL); a comma-separated list fails over
                     in order and comes back to the first
  --token T          probe token (FLYPROBE_TOKEN)
  --region R         region this probe reports (FLYPROBE_REGION, default FLY_REGION)
  --probe-id ID      probe id (FLYPROBE_PROBE_ID, default <region>-<machine id>)
  -h, --help         show this help`,
  options: {
    config: { type: 'string' },
    collector: { type: 'string' },
    token: { type: 'string' },
    region: { type: 'string' },
    'probe-id': { type: 'string' },
  },
  async run(args, io) {
    const configFile = stringOption(args, 'config');
    const env = envWithOverrides(io.env, {
      FLYPROBE_CONFIG: configFile,
      FLYPROBE_COLLECTOR_URL: stringOption(args, 'collector'),
      FLYPROBE_TOKEN: stringOption(args, 'token'),
      FLYPROBE_REGION: stringOption(args, 'region'),
      FLYPROBE_PROBE_ID: stringOption(args, 'probe-id'),
    });
    return runRole(
      'probe',
      io,
      async () => {
        const { loadProbeSettings, startProbe } = await import('@flyprobe/probe');
        return startProbe(loadProbeSettings(env, { configFile: configFile ?? env.FLYPROBE_CONFIG }));
      },
      ({ identity, echo, metricsPort }) => {
        const echoText = echo
          ? `echo http ${echo.httpPort} tcp ${echo.tcpPort} grpc ${echo.grpcPort}`
          : 'echo off';
        const metricsText = metricsPort === undefined ? 'metrics off' : `metrics ${metricsPort}`;
        return `${identity.probeId} in ${identity.region} running (${echoText}, ${metricsText})`;
      },
      (running) => running.stop(),
    );
  },
};
