import type { MachineConfig, MachineService } from './types.ts';

/** Ports the probe binds (FLYPROBE_ECHO_*_PORT, FLYPROBE_METRICS_PORT defaults); fly.probe.toml uses the same. */
export const PROBE_PORTS = { http: 8080, tcp: 7070, grpc: 50051, metrics: 9091 } as const;

/**
 * Metadata flyprobe writes on every Machine it creates and reads back before touching one: a Machine
 * without `flyprobe_role=probe` is someone else's and is never updated, restarted or destroyed.
 */
export const MANAGED_BY_KEY = 'flyprobe_role';
export const MANAGED_ROLE = 'probe';
export const PROBE_ID_KEY = 'flyprobe_probe_id';
export const TOKEN_ID_KEY = 'flyprobe_token_id';

/** Env that differs per Machine (its identity and bound token); drift checks leave it out. */
export const PER_MACHINE_ENV = ['FLYPROBE_PROBE_ID', 'FLYPROBE_TOKEN'] as const;

export interface ProbeMachineInput {
  image: string;
  collectorUrl: string | undefined;
  /** Publish the echo services through Fly's proxy (public IPs); off unless asked for. */
  public?: boolean;
  /** Extra env for every probe (e.g. FLYPROBE_CONFIG). */
  env?: Record<string, string>;
}

/** One Machine's identity: its probe id and the collector token bound to it. */
export interface ProbeIdentity {
  probeId: string;
  token?: { id: string; secret: string };
}

/** HTTP echo on 80/443, raw TCP echo, gRPC echo over h2c behind the proxy's TLS (ALPN h2). */
const PUBLIC_SERVICES: MachineService[] = [
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
];

/**
 * The config every probe Machine shares, mirroring fly.probe.toml: shared-cpu-1x 256 MB, restart
 * always, SIGTERM with 10 s to flush, health check and metrics on 9091 (reached over 6PN, so no
 * service is needed for them). Private by default: the mesh uses 6PN, so services (and the public IPs
 * they allocate) exist only with `public`.
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
    ...(input.public ? { services: PUBLIC_SERVICES } : {}),
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
    metadata: { [MANAGED_BY_KEY]: MANAGED_ROLE },
  };
}

/** The shared config plus one Machine's identity: probe id and token in env and metadata. */
export function withIdentity(config: MachineConfig, identity: ProbeIdentity): MachineConfig {
  const env: Record<string, string> = { ...config.env, FLYPROBE_PROBE_ID: identity.probeId };
  const metadata: Record<string, string> = { ...config.metadata, [PROBE_ID_KEY]: identity.probeId };
  if (identity.token) {
    env.FLYPROBE_TOKEN = identity.token.secret;
    metadata[TOKEN_ID_KEY] = identity.token.id;
  }
  return { ...config, env, metadata };
}
