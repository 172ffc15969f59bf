/**
 * The subset of the Fly Machines API shapes the CLI reads and writes
 * (https://fly.io/docs/machines/api/machines-resource/). Unknown fields are kept as they came.
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
  auto_destroy?: boolean;
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  labels?: Record<string, string>;
}

export interface Machine {
  id: string;
  name: string;
  state: MachineState | string;
  region: string;
  instance_id: string;
  private_ip: string;
  config: MachineConfig;
  image_ref?: ImageRef;
  created_at: string;
  updated_at?: string;
}

/** Body of POST /v1/apps/{app}/machines. */
export interface CreateMachineRequest {
  name?: string;
  region?: string;
  config: MachineConfig;
  skip_launch?: boolean;
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
