import { type EnvSpec, envParse } from '@flyprobe/shared';
import { type Command, stringOption } from '../command.ts';
import { portNumber, readRoleEnv } from '../roles/read-env.ts';
import { envWithOverrides, runRole } from '../roles/run-until-signal.ts';

export const ECHO_ENV = {
  host: { name: 'FLYPROBE_BIND', parse: envParse.text, default: '::', doc: 'listen address' },
  httpPort: { name: 'FLYPROBE_ECHO_HTTP_PORT', parse: portNumber, default: 8080, doc: 'HTTP port' },
  tcpPort: { name: 'FLYPROBE_ECHO_TCP_PORT', parse: portNumber, default: 7070, doc: 'TCP echo port' },
  grpcPort: { name: 'FLYPROBE_ECHO_GRPC_PORT', parse: portNumber, default: 50051, doc: 'gRPC port' },
} satisfies EnvSpec;

export const echoCommand: Command = {
  summary: 'run only the echo server (HTTP h1/h2c, TCP, gRPC) that probes measure',
  help: `Usage: flyprobe echo [--bind ADDR] [--http-port N] [--tcp-port N] [--grpc-port N]

Starts the echo server a target app runs so probes see the served region, Machine and timestamps.
Identity comes from Fly's environment (FLY_REGION, FLY_MACHINE_ID, FLY_APP_NAME, FLY_IMAGE_REF, ...).
HTTP and TCP answers carry the cgroup's CPU throttling and memory counters (OOM kills, memory.high,
PSI) from FLYPROBE_ECHO_CGROUP (default /sys/fs/cgroup on a Fly Machine; off to disable).
Runs until SIGTERM or SIGINT.

Options:
  --bind ADDR       listen address (FLYPROBE_BIND, default ::, reachable over 6PN)
  --http-port N     HTTP port (FLYPROBE_ECHO_HTTP_PORT, default 8080)
  --tcp-port N      TCP echo port (FLYPROBE_ECHO_TCP_PORT, default 7070)
  --grpc-port N     gRPC port (FLYPROBE_ECHO_GRPC_PORT, default 50051)
  -h, --help        show this help`,
  options: {
    bind: { type: 'string' },
    'http-port': { type: 'string' },
    'tcp-port': { type: 'string' },
    'grpc-port': { type: 'string' },
  },
  async run(args, io) {
    const env = envWithOverrides(io.env, {
      FLYPROBE_BIND: stringOption(args, 'bind'),
      FLYPROBE_ECHO_HTTP_PORT: stringOption(args, 'http-port'),
      FLYPROBE_ECHO_TCP_PORT: stringOption(args, 'tcp-port'),
      FLYPROBE_ECHO_GRPC_PORT: stringOption(args, 'grpc-port'),
    });
    const options = readRoleEnv(env, ECHO_ENV);
    return runRole(
      'echo',
      io,
      async () => {
        const { echoIdentityFromEnv, startEchoServer } = await import('@flyprobe/probe/echo');
        return startEchoServer({ ...options, identity: echoIdentityFromEnv(env) });
      },
      (r) => `serving on ${r.host}: http ${r.httpPort}, tcp ${r.tcpPort}, grpc ${r.grpcPort}`,
      (r) => r.close(),
    );
  },
};
