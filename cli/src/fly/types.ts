/**
 * The subset of the Fly Machines API shapes the CLI reads and writes, named as in fly-go's
 * machine_types.go and the Machines OpenAPI document (https://docs.machines.dev). Fields the CLI does
 * not set are kept as the API returned them.
 */

export type MachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'suspending'
  | 'suspended'
  | 'replacing'
  | 'destroying'
  | 'destroyed'
  | 'failed';

/** `host_status`: when not `ok`, flaps cannot read the Machine's config from its host. */
export type HostStatus = 'ok' | 'unknown' | 'unreachable';

export interface MachineGuest {
  cpu_kind: 'shared' | 'performance';
  cpus: number;
  memory_mb: number;
}

export interface MachinePort {
  port?: number;
  start_port?: number;
  end_port?: number;
  handlers?: string[];
  force_https?: boolean;
  tls_options?: { alpn?: string[]; versions?: string[] };
  http_options?: { h2_backend?: boolean; idle_timeout?: number };
}

export interface MachineService {
  protocol: 'tcp' | 'udp';
  internal_port: number;
  ports: MachinePort[];
  autostop?: boolean | 'off' | 'stop' | 'suspend';
  autostart?: boolean;
  concurrency?: { type: 'connections' | 'requests'; soft_limit?: number; hard_limit?: number };
}

export interface MachineCheck {
  type: 'http' | 'tcp';
  port: number;
  path?: string;
  method?: string;
  interval?: string;
  timeout?: string;
  grace_period?: string;
}

export interface MachineMount {
  volume?: string;
  path?: string;
  name?: string;
  size_gb?: number;
  encrypted?: boolean;
  extend_threshold_percent?: number;
  add_size_gb?: number;
  size_gb_limit?: number;
}

export interface MachineConfig {
  image: string;
  env?: Record<string, string>;
  guest?: MachineGuest;
  services?: MachineService[];
  checks?: Record<string, MachineCheck>;
  metrics?: { port: number; path: string };
  restart?: { policy: 'no' | 'always' | 'on-failure'; max_retries?: number };
  stop_config?: { timeout?: string; signal?: string };
  metadata?: Record<string, string>;
  mounts?: MachineMount[];
  auto_destroy?: boolean;
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  labels?: Record<string, string>;
}

/** One entry of `checks` on a Machine: the live status of a configured check. */
export interface MachineCheckStatus {
  name: string;
  status: 'passing' | 'warning' | 'critical' | string;
  output?: string;
  updated_at?: string;
}

export interface MachineEvent {
  type: string;
  status: string;
  source: string;
  timestamp: number;
}

export interface Machine {
  id: string;
  name: string;
  state: MachineState | string;
  region: string;
  instance_id: string;
  private_ip: string;
  /** Absent when `host_status` is not `ok`; `incomplete_config` is then the best the API knows. */
  config?: MachineConfig;
  incomplete_config?: MachineConfig;
  host_status?: HostStatus;
  checks?: MachineCheckStatus[];
  events?: MachineEvent[];
  image_ref?: ImageRef;
  /** Only on create with `lease_ttl`: the nonce of the lease taken with the Machine. */
  nonce?: string;
  created_at: string;
  updated_at?: string;
}

/** Body of POST /v1/apps/{app}/machines (CreateMachineRequest). */
export interface CreateMachineRequest {
  name?: string;
  region?: string;
  config: MachineConfig;
  skip_launch?: boolean;
  lease_ttl?: number;
}

/** Body of POST /v1/apps/{app}/machines/{id} (UpdateMachineRequest): the full config replaces the old. */
export interface UpdateMachineRequest {
  config: MachineConfig;
  region?: string;
  name?: string;
  skip_launch?: boolean;
  current_version?: string;
}

/** GET/POST /v1/apps/{app}/machines/{id}/lease, as fly-go's MachineLease decodes it. */
export interface MachineLease {
  status: string;
  data?: {
    nonce: string;
    /** Unix seconds. */
    expires_at: number;
    owner: string;
    description?: string;
    version?: string;
  };
  message?: string;
  code?: string;
}

/** A region from GET /v1/platform/regions. */
export interface PlatformRegion {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
  gateway_available: boolean;
  requires_paid_plan: boolean;
  deprecated?: boolean;
}
