import {
  EnvError,
  type EnvSpec,
  type EnvValues,
  envParse,
  PROTOCOLS,
  type Protocol,
  readEnv,
} from '@flyprobe/shared';
import { cidrProblem } from './api/address-range.ts';
import { storeLocation } from './store/open-store.ts';

/** Everything the collector process needs, read from FLYPROBE_* environment variables. */
export interface CollectorSettings {
  /** SQLite database file (FLYPROBE_DB), used when FLYPROBE_DATABASE_URL is not set. */
  dbPath: string;
  /**
   * Where the store lives (FLYPROBE_DATABASE_URL): `postgres://...` for PostgreSQL (several collectors may share
   * it), `file:<path>` or a path for SQLite. Defaults to the SQLite file `dbPath`.
   */
  databaseUrl: string;
  host: string;
  port: number;
  /**
   * Bootstrap secrets: accepted as admin / read tokens without being in the store. Each variable holds a
   * comma-separated list (current, next) so a secret can be rotated without downtime.
   */
  adminTokens: string[];
  readTokens: string[];
  /** Local/lab mode: probe tokens may be created without a probe binding (FLYPROBE_ALLOW_UNBOUND_PROBES). */
  allowUnboundProbes: boolean;
  /**
   * Networks a mesh echo address may lie in besides Fly's 6PN (fdaa::/16), for local and lab runs
   * (FLYPROBE_MESH_ALLOW_CIDRS, comma-separated CIDRs).
   */
  meshAllowCidrs: string[];
  /** When set, `/metrics` wants `Authorization: Bearer <this>`; Fly's scraper is configured without one. */
  metricsToken: string | null;
  /** JSON array of targets loaded (and stored) at start. */
  targetsFile: string | null;
  rawRetentionMs: number;
  rollupRetentionMs: number;
  retentionIntervalMs: number;
  /** Largest request body accepted by `POST /v1/ingest`. */
  ingestMaxBytes: number;
  /** Per-token token bucket for ingest: sustained requests per second and burst size. */
  ingestRatePerSec: number;
  ingestBurst: number;
  /** Results whose timestamps are further ahead of the collector's clock than this are rejected. */
  maxFutureSkewMs: number;
  /** A probe is offered as a mesh peer while its last heartbeat is younger than this. */
  meshPeerMaxAgeMs: number;
  meshEnabled: boolean;
  /** What every probe's mesh checks run (served in `/v1/config`); mesh rule durations count this interval. */
  meshIntervalMs: number;
  meshTimeoutMs: number;
  meshProtocols: Protocol[];
  reportIntervalMs: number;
  reportMaxBatch: number;
  configPollMs: number;
  /** Hard cap on matrix cells (target, path, protocol, probe region, column region) with per-cell series. */
  metricsMaxCells: number;
  /** Whether the per-cell phase histograms are exported. */
  metricsPhases: boolean;
  /** Time a graceful stop waits for in-flight requests before closing connections. */
  shutdownTimeoutMs: number;
}

const { booleanQuoted, commaList, intFromTo, numberFromTo, text } = envParse;

const MIN_SECRET_LENGTH = 16;
const MAX_BOOTSTRAP_SECRETS = 4;
const MINUTE = 60_000;

function secret(raw: string): string {
  if (raw.length < MIN_SECRET_LENGTH) throw new Error(`must be at least ${MIN_SECRET_LENGTH} characters`);
  return raw;
}

/** A comma-separated list of secrets (current, next), each of at least MIN_SECRET_LENGTH characters. */
function secrets(raw: string): string[] {
  const list = commaList(raw);
  if (list.length > MAX_BOOTSTRAP_SECRETS || list.some((x) => x.length < MIN_SECRET_LENGTH)) {
    throw new Error(
      `must be 1 to ${MAX_BOOTSTRAP_SECRETS} comma-separated secrets of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return list;
}

/** A comma-separated list of CIDRs (`10.0.0.0/8`, `::1/128`). */
function cidrs(raw: string): string[] {
  const list = commaList(raw);
  const problems = list.flatMap((cidr) => {
    const problem = cidrProblem(cidr);
    return problem ? [`"${cidr}" ${problem}`] : [];
  });
  if (problems.length > 0) throw new Error(problems.join(', '));
  return list;
}

function databaseUrl(raw: string): string {
  try {
    storeLocation(raw);
  } catch (error) {
    // storeLocation names the variable itself; the reader adds the name again.
    throw new Error((error as Error).message.replace(/^FLYPROBE_DATABASE_URL: /, ''));
  }
  return raw;
}

/** A comma-separated subset of PROTOCOLS, at least one, no repeats. */
function protocols(raw: string): Protocol[] {
  const items = raw
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const bad = items.filter((x) => !(PROTOCOLS as readonly string[]).includes(x));
  if (items.length === 0 || bad.length > 0 || new Set(items).size !== items.length) {
    throw new Error(
      `must be a comma-separated list of ${PROTOCOLS.join(', ')} without repeats, got "${raw}"`,
    );
  }
  return items as Protocol[];
}

/** Every variable the collector core reads (alerts and causes read their own beside their code). */
export const COLLECTOR_ENV = {
  FLYPROBE_DB: { name: 'FLYPROBE_DB', parse: text, default: 'flyprobe.db', doc: 'SQLite database file' },
  FLYPROBE_DATABASE_URL: {
    name: 'FLYPROBE_DATABASE_URL',
    parse: databaseUrl,
    default: null as string | null,
    doc: 'postgres://... (several collectors share it), file:PATH or a path; default: FLYPROBE_DB',
  },
  FLYPROBE_HOST: { name: 'FLYPROBE_HOST', parse: text, default: '::', doc: 'listen address' },
  FLYPROBE_PORT: { name: 'FLYPROBE_PORT', parse: intFromTo(0, 65535), default: 8080, doc: 'listen port' },
  FLYPROBE_ADMIN_TOKEN: {
    name: 'FLYPROBE_ADMIN_TOKEN',
    parse: secrets,
    default: [] as string[],
    doc: 'bootstrap admin secrets, "current,next" during a rotation',
  },
  FLYPROBE_READ_TOKEN: {
    name: 'FLYPROBE_READ_TOKEN',
    parse: secrets,
    default: [] as string[],
    doc: 'bootstrap read secrets, "current,next" during a rotation',
  },
  FLYPROBE_ALLOW_UNBOUND_PROBES: {
    name: 'FLYPROBE_ALLOW_UNBOUND_PROBES',
    parse: booleanQuoted,
    default: false,
    doc: 'local/lab mode: probe tokens without a probe binding',
  },
  FLYPROBE_MESH_ALLOW_CIDRS: {
    name: 'FLYPROBE_MESH_ALLOW_CIDRS',
    parse: cidrs,
    default: [] as string[],
    doc: "networks a mesh echo address may lie in besides Fly's 6PN (local/lab runs)",
  },
  FLYPROBE_METRICS_TOKEN: {
    name: 'FLYPROBE_METRICS_TOKEN',
    parse: secret,
    default: null as string | null,
    doc: '/metrics wants this bearer token when set',
  },
  FLYPROBE_TARGETS_FILE: {
    name: 'FLYPROBE_TARGETS_FILE',
    parse: text,
    default: null as string | null,
    doc: 'JSON array of targets loaded (and stored) at start',
  },
  FLYPROBE_RAW_RETENTION_HOURS: {
    name: 'FLYPROBE_RAW_RETENTION_HOURS',
    parse: intFromTo(1, 24 * 365),
    default: 48,
    doc: 'raw results kept this long',
  },
  FLYPROBE_ROLLUP_RETENTION_DAYS: {
    name: 'FLYPROBE_ROLLUP_RETENTION_DAYS',
    parse: intFromTo(1, 3650),
    default: 30,
    doc: 'rollups kept this long',
  },
  FLYPROBE_RETENTION_INTERVAL_S: {
    name: 'FLYPROBE_RETENTION_INTERVAL_S',
    parse: intFromTo(1, 86_400),
    default: 60,
    doc: 'how often retention runs',
  },
  FLYPROBE_INGEST_MAX_BYTES: {
    name: 'FLYPROBE_INGEST_MAX_BYTES',
    parse: intFromTo(1024, 256 * 1024 * 1024),
    default: 8 * 1024 * 1024,
    doc: 'largest POST /v1/ingest body',
  },
  FLYPROBE_INGEST_RATE: {
    name: 'FLYPROBE_INGEST_RATE',
    parse: numberFromTo(0.01, 1_000_000),
    default: 20,
    doc: 'ingest requests per second per token, sustained',
  },
  FLYPROBE_INGEST_BURST: {
    name: 'FLYPROBE_INGEST_BURST',
    parse: intFromTo(1, 1_000_000),
    default: 40,
    doc: 'ingest burst per token',
  },
  FLYPROBE_MESH_PEER_MAX_AGE_S: {
    name: 'FLYPROBE_MESH_PEER_MAX_AGE_S',
    parse: intFromTo(10, 86_400),
    default: 300,
    doc: 'a probe is a mesh peer while its last heartbeat is younger than this',
  },
  FLYPROBE_MESH: { name: 'FLYPROBE_MESH', parse: booleanQuoted, default: true, doc: 'mesh checks on' },
  FLYPROBE_MESH_INTERVAL_MS: {
    name: 'FLYPROBE_MESH_INTERVAL_MS',
    parse: intFromTo(100, 86_400_000),
    default: 15_000,
    doc: "every probe's mesh check interval",
  },
  FLYPROBE_MESH_TIMEOUT_MS: {
    name: 'FLYPROBE_MESH_TIMEOUT_MS',
    parse: intFromTo(50, 600_000),
    default: 5_000,
    doc: 'mesh check timeout',
  },
  FLYPROBE_MESH_PROTOCOLS: {
    name: 'FLYPROBE_MESH_PROTOCOLS',
    parse: protocols,
    default: ['http', 'tcp'] as Protocol[],
    doc: 'protocols the mesh checks speak',
  },
  FLYPROBE_REPORT_INTERVAL_MS: {
    name: 'FLYPROBE_REPORT_INTERVAL_MS',
    parse: intFromTo(50, 600_000),
    default: 2000,
    doc: 'how often probes report (served in /v1/config)',
  },
  FLYPROBE_REPORT_MAX_BATCH: {
    name: 'FLYPROBE_REPORT_MAX_BATCH',
    parse: intFromTo(1, 5000),
    default: 500,
    doc: 'results per probe batch (served in /v1/config)',
  },
  FLYPROBE_CONFIG_POLL_MS: {
    name: 'FLYPROBE_CONFIG_POLL_MS',
    parse: intFromTo(1000, 86_400_000),
    default: 30_000,
    doc: 'how often probes poll /v1/config',
  },
  FLYPROBE_METRICS_MAX_CELLS: {
    name: 'FLYPROBE_METRICS_MAX_CELLS',
    parse: intFromTo(1, 100_000),
    default: 1000,
    doc: 'matrix cells with per-cell Prometheus series',
  },
  FLYPROBE_METRICS_PHASES: {
    name: 'FLYPROBE_METRICS_PHASES',
    parse: booleanQuoted,
    default: true,
    doc: 'export the per-cell phase histograms',
  },
  FLYPROBE_SHUTDOWN_TIMEOUT_MS: {
    name: 'FLYPROBE_SHUTDOWN_TIMEOUT_MS',
    parse: intFromTo(0, 600_000),
    default: 4000,
    doc: 'how long a graceful stop waits for in-flight requests',
  },
} satisfies EnvSpec;

/** Reads the collector's settings; throws one Error naming every bad variable and why. */
export function loadCollectorSettings(env: NodeJS.ProcessEnv): CollectorSettings {
  let v: EnvValues<typeof COLLECTOR_ENV>;
  try {
    v = readEnv(env, COLLECTOR_ENV);
  } catch (err) {
    if (err instanceof EnvError) throw new Error(`invalid collector settings: ${err.message}`);
    throw err;
  }
  return {
    dbPath: v.FLYPROBE_DB,
    databaseUrl: v.FLYPROBE_DATABASE_URL ?? v.FLYPROBE_DB,
    host: v.FLYPROBE_HOST,
    port: v.FLYPROBE_PORT,
    adminTokens: v.FLYPROBE_ADMIN_TOKEN,
    readTokens: v.FLYPROBE_READ_TOKEN,
    allowUnboundProbes: v.FLYPROBE_ALLOW_UNBOUND_PROBES,
    meshAllowCidrs: v.FLYPROBE_MESH_ALLOW_CIDRS,
    metricsToken: v.FLYPROBE_METRICS_TOKEN,
    targetsFile: v.FLYPROBE_TARGETS_FILE,
    rawRetentionMs: v.FLYPROBE_RAW_RETENTION_HOURS * 60 * MINUTE,
    rollupRetentionMs: v.FLYPROBE_ROLLUP_RETENTION_DAYS * 24 * 60 * MINUTE,
    retentionIntervalMs: v.FLYPROBE_RETENTION_INTERVAL_S * 1000,
    ingestMaxBytes: v.FLYPROBE_INGEST_MAX_BYTES,
    ingestRatePerSec: v.FLYPROBE_INGEST_RATE,
    ingestBurst: v.FLYPROBE_INGEST_BURST,
    maxFutureSkewMs: 5 * MINUTE,
    meshPeerMaxAgeMs: v.FLYPROBE_MESH_PEER_MAX_AGE_S * 1000,
    meshEnabled: v.FLYPROBE_MESH,
    meshIntervalMs: v.FLYPROBE_MESH_INTERVAL_MS,
    meshTimeoutMs: v.FLYPROBE_MESH_TIMEOUT_MS,
    meshProtocols: v.FLYPROBE_MESH_PROTOCOLS,
    reportIntervalMs: v.FLYPROBE_REPORT_INTERVAL_MS,
    reportMaxBatch: v.FLYPROBE_REPORT_MAX_BATCH,
    configPollMs: v.FLYPROBE_CONFIG_POLL_MS,
    metricsMaxCells: v.FLYPROBE_METRICS_MAX_CELLS,
    metricsPhases: v.FLYPROBE_METRICS_PHASES,
    shutdownTimeoutMs: v.FLYPROBE_SHUTDOWN_TIMEOUT_MS,
  };
}
