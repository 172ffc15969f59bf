import { z } from 'zod';
import { CHECK_TARGET_OPTIONS, PROTOCOLS, protocol, targetPrivatePorts } from './checks/index.ts';
import { durationAtLeast, identifier, type NetworkPath, networkPath, regionCode } from './common.ts';

/**
 * Paths a target gets when it lists none. Flycast is opt-in: it needs a private IPv6 allocated with
 * `fly ips allocate-v6 --private`, which most apps do not have; mesh comes from the mesh section.
 */
export const DEFAULT_TARGET_PATHS: readonly NetworkPath[] = ['anycast', 'pinned', 'private'];

const targetFields = z.strictObject({
  name: identifier,
  /** Fly app name, for `<region>.<app>.internal` (private path) and `<app>.flycast` (flycast path). */
  app: identifier.optional(),
  /** Public hostname or IP (anycast). Pinned requests go to the same address with `fly-force-region`. */
  host: z.string().min(1).max(253).optional(),
  /** Flycast hostname or private IPv6 (flycast path); default `<app>.flycast`, resolved over 6PN DNS. */
  flycastHost: z.string().min(1).max(253).optional(),
  /** Regions where the target runs; discovered from TXT `regions.<app>.internal` when empty and `app` is set. */
  regions: z.array(regionCode).max(64).default([]),
  paths: z
    .array(networkPath)
    .min(1)
    .default([...DEFAULT_TARGET_PATHS]),
  protocols: z
    .array(protocol)
    .min(1)
    .default([...PROTOCOLS]),
  /** One section per check type (`http`, `tcp`, `grpc`): its options, defaults filled in. */
  ...CHECK_TARGET_OPTIONS,
  /** Private path: port the target listens on over 6PN, when it differs from the public one. */
  privatePorts: targetPrivatePorts,
  intervalMs: durationAtLeast(100).default(15_000),
  timeoutMs: durationAtLeast(50).default(5_000),
});

/** One app to probe. Served by the collector (`GET /v1/config`) and changed with `PUT /v1/targets`. */
export const targetConfig = targetFields.superRefine((t, ctx) => {
  if (t.paths.includes('flycast') && !t.app && !t.flycastHost)
    ctx.addIssue({
      code: 'custom',
      path: ['flycastHost'],
      message: 'required for the flycast path when app is not set (the default is <app>.flycast)',
    });
});
export type TargetConfig = z.infer<typeof targetConfig>;
export type TargetConfigInput = z.input<typeof targetConfig>;

export const meshPeer = z.strictObject({
  probeId: identifier,
  region: regionCode,
  /** host:port of the peer's echo HTTP server; `[v6]:port` for IPv6. */
  address: z.string().min(1).max(256),
  tcpAddress: z.string().min(1).max(256).optional(),
});
export type MeshPeer = z.infer<typeof meshPeer>;

/** Most mesh peers one config document lists; the collector serves the freshest this many. */
export const MAX_MESH_PEERS = 200;

/** What a probe runs. `GET /v1/config` answers with this and an ETag. */
export const probeConfig = z.strictObject({
  schemaVersion: z.literal(1),
  revision: z.string().max(128),
  targets: z.array(targetConfig).max(200),
  mesh: z
    .strictObject({
      enabled: z.boolean().default(false),
      protocols: z.array(protocol).min(1).default(['http', 'tcp']),
      intervalMs: durationAtLeast(100).default(15_000),
      timeoutMs: durationAtLeast(50).default(5_000),
      peers: z.array(meshPeer).max(MAX_MESH_PEERS).default([]),
    })
    .prefault({}),
  report: z
    .strictObject({
      /** Flush a batch at least this often. */
      intervalMs: durationAtLeast(50).default(2_000),
      maxBatch: z.number().int().min(1).max(5000).default(500),
    })
    .prefault({}),
  /** How often the probe pulls this document. */
  configPollMs: durationAtLeast(1000).default(30_000),
});
export type ProbeConfig = z.infer<typeof probeConfig>;
export type ProbeConfigInput = z.input<typeof probeConfig>;
