import type { RegionCode } from '@flyprobe/shared';

export interface EdgePorts {
  http: number;
  tcp: number;
  grpc: number;
}

/** What one edge process needs; passed as JSON in FLYPROBE_LAB_EDGE. */
export interface EdgeConfig {
  region: RegionCode;
  /** The anycast address the edge listens on. */
  listen: string;
  /**
   * The target's Flycast address, served on the same ports and routed the same way; the emulator
   * delivers it only from the private network, each source to its own region's edge.
   */
  flycast?: string;
  /** Service ports on the anycast (and Flycast) address. */
  ports: EdgePorts;
  /** The target's machines, one per region, reached over the emulated backhaul; `ports` overrides targetPorts. */
  targets: { region: RegionCode; address: string; ports?: EdgePorts }[];
  /** The target's own ports (its private ports). */
  targetPorts: EdgePorts;
  healthIntervalMs: number;
  /** Unix socket of the edge's control API (GET /state, PUT /override, PUT /delay). */
  control: string;
  /**
   * Loopback labs only (no emulator): one-way backhaul delay to each served region, added by the edge
   * itself as a wait of twice the value before forwarding each request.
   */
  backhaulDelayMs?: Record<RegionCode, number>;
}

export interface EdgeState {
  region: RegionCode;
  healthy: RegionCode[];
  override: RegionCode | null;
  /** Requests and connections forwarded per served region, and refused with 503. */
  served: Record<RegionCode, number>;
  refused: number;
  backendErrors: number;
}

export const EDGE_CONFIG_ENV = 'FLYPROBE_LAB_EDGE';
