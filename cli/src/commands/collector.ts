import { type Command, stringOption } from '../command.ts';
import { envWithOverrides, runRole } from '../roles/run-until-signal.ts';

export const collectorCommand: Command = {
  summary: 'run the collector (HTTP API + SQLite or PostgreSQL store) from FLYPROBE_* environment variables',
  help: `Usage: flyprobe collector [--port N] [--host ADDR] [--db PATH]

Starts the collector and keeps it running until SIGTERM or SIGINT, then stops it gracefully.
Settings come from the environment (FLYPROBE_DATABASE_URL, FLYPROBE_DB, FLYPROBE_HOST, FLYPROBE_PORT,
FLYPROBE_ADMIN_TOKEN, FLYPROBE_READ_TOKEN, FLYPROBE_RAW_RETENTION_HOURS, FLYPROBE_ROLLUP_RETENTION_DAYS,
FLYPROBE_TARGETS_FILE, FLYPROBE_LEADER_LEASE_MS; every one in docs/ENVIRONMENT.md and docs/ALERTS.md);
flags override them. FLYPROBE_DATABASE_URL=postgres://...
stores in PostgreSQL, which several collectors can share (one of them runs detection and delivery at
a time); otherwise the SQLite file FLYPROBE_DB (or FLYPROBE_DATABASE_URL=file:PATH) is used.
FLYPROBE_ADMIN_TOKEN and FLYPROBE_READ_TOKEN take "current,next" during a rotation. For local and lab
runs only: FLYPROBE_ALLOW_UNBOUND_PROBES=1 (probe tokens without a probe binding) and
FLYPROBE_MESH_ALLOW_CIDRS (mesh echo addresses outside Fly's 6PN, e.g. 127.0.0.0/8). Likely causes on
alerts (docs/CAUSES.md): FLYPROBE_STATUS_PAGE_URL (Fly's status page; default on Fly),
FLYPROBE_TARGET_FLY_TOKEN with FLYPROBE_TARGET_APP (the target's Machine events, read-only token),
FLYPROBE_CAUSES_PRESSURE (served Machines' cgroup pressure).

Options:
  --port N      listen port (FLYPROBE_PORT, default 8080)
  --host ADDR   listen address (FLYPROBE_HOST)
  --db PATH     SQLite database file (FLYPROBE_DB)
  -h, --help    show this help`,
  options: { port: { type: 'string' }, host: { type: 'string' }, db: { type: 'string' } },
  async run(args, io) {
    const env = envWithOverrides(io.env, {
      FLYPROBE_PORT: stringOption(args, 'port'),
      FLYPROBE_HOST: stringOption(args, 'host'),
      FLYPROBE_DB: stringOption(args, 'db'),
    });
    return runRole(
      'collector',
      io,
      async () => {
        // Loaded lazily: the operator commands must work without the collector's native dependencies.
        const { loadCollectorSettings, startCollector } = await import('@flyprobe/collector');
        return startCollector(loadCollectorSettings(env));
      },
      (running) => `listening on ${running.boundUrl}`,
      (running) => running.stop(),
    );
  },
};
