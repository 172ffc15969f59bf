import type { EdgePorts } from './edge/config.ts';

/** Ports inside the lab. Every region has its own namespaces, so fixed ports never collide. */

/** The target app's echo server on its 6PN address (its private ports). */
export const TARGET_PORTS: EdgePorts = { http: 8080, tcp: 7070, grpc: 50051 };
/** The edge's public ports on the anycast address. */
export const EDGE_PORTS: EdgePorts = { http: 80, tcp: 10070, grpc: 10051 };
/** Each probe's own echo server (mesh), apart from the target's in target regions. */
export const PROBE_ECHO_PORTS: EdgePorts = { http: 9080, tcp: 9070, grpc: 9051 };
export const PROBE_METRICS_PORT = 9091;
export const COLLECTOR_PORT = 8080;
