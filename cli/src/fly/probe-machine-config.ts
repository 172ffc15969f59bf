import type { MachineConfig } from './types.ts';

/** Ports the probe binds (FLYPROBE_ECHO_*_PORT, FLYPROBE_METRICS_PORT defaults); fly.probe.toml uses the same. */
export const PROBE_PORTS = { http: 8080, tcp: 7070, grpc: 50051, metrics: 9091 } as const;

/** Metadata key marking Machines this CLI created, so `destroy` never touches others by accident. */
export const MANAGED_BY_KEY = 'flyprobe_role';

export interface ProbeMachineInput {
  image: string;
  collectorUrl: string | undefined;
  /** Extra env for every probe (e.g. FLYPROBE_CONFIG); never secrets: those go in `fly secrets`. */
  env?: Record<string, string>;
}

/**
 * The Machine config `deploy` creates, mirroring fly.probe.toml: shared-cpu-1x 256 MB, restart always,
 * SIGTERM with 10 s to flush, health check and metrics on the metrics port, public echo services
 * (HTTP, raw TCP and gRPC over h2c behind the proxy's TLS).
 */
export function probeMachineConfig(input: ProbeMachineInput): MachineConfig {
  const env: Record<string, string> = {
    FLYPROBE_BIND: '::',
    FLYPROBE_ECHO_HTTP_PORT: String(PROBE_PORTS.http),
    FLYPROBE_ECHO_TCP_PORT: String(PROBE_PORTS.tcp),
    FLYPROBE_ECHO_GRPC_PORT: String(PROBE_PORTS.grpc),
    FLYPROBE_METRICS_PORT: String(PROBE_PORTS.metrics),
    ...input.env,
  };
  if (input.collectorUrl) env.FLYPROBE_COLLECTOR_URL = input.collectorUrl;
  return {
    image: input.image,
    env,
    guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
    services: [
      {
        protocol: 'tcp',
        internal_port: PROBE_PORTS.http,
        autostop: false,
        autostart: true,
        ports: [
          { port: 80, handlers: ['http'] },
          { port: 443, handlers: ['tls', 'http'] },
        ],
      },
      {
        protocol: 'tcp',
        internal_port: PROBE_PORTS.tcp,
        autostop: false,
        autostart: true,
        ports: [{ port: PROBE_PORTS.tcp, handlers: [] }],
      },
      {
        protocol: 'tcp',
        internal_port: PROBE_PORTS.grpc,
        autostop: false,
        autostart: true,
        ports: [
          {
            port: PROBE_PORTS.grpc,
            handlers: ['tls', 'http'],
            tls_options: { alpn: ['h2'] },
            http_options: { h2_backend: true },
          },
        ],
      },
    ],
    checks: {
      healthz: {
        type: 'http',
        port: PROBE_PORTS.metrics,
        path: '/healthz',
        interval: '15s',
        timeout: '5s',
        grace_period: '10s',
      },
    },
    metrics: { port: PROBE_PORTS.metrics, path: '/metrics' },
    restart: { policy: 'always' },
    stop_config: { signal: 'SIGTERM', timeout: '10s' },
    metadata: { [MANAGED_BY_KEY]: 'probe' },
  };
}
