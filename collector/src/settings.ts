import { PROTOCOLS, type Protocol } from '@flyprobe/shared';
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

const MIN_SECRET_LENGTH = 16;
const MAX_BOOTSTRAP_SECRETS = 4;
const MINUTE = 60_000;

/** Collects every bad variable so that one start attempt reports all of them. */
class EnvReader {
  readonly errors: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | null {
    return this.raw(name) ?? null;
  }

  secret(name: string): string | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (v.length < MIN_SECRET_LENGTH) {
      this.errors.push(`${name}: must be at least ${MIN_SECRET_LENGTH} characters`);
      return null;
    }
    return v;
  }

  /** A comma-separated list of secrets, each of at least MIN_SECRET_LENGTH characters. */
  secrets(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    const list = v.split(',').map((x) => x.trim());
    if (list.length > MAX_BOOTSTRAP_SECRETS || list.some((x) => x.length < MIN_SECRET_LENGTH)) {
      this.errors.push(
        `${name}: must be 1 to ${MAX_BOOTSTRAP_SECRETS} comma-separated secrets of at least ${MIN_SECRET_LENGTH} characters`,
      );
      return [];
    }
    return list;
  }

  /** A comma-separated list of CIDRs (`10.0.0.0/8`, `::1/128`). */
  cidrs(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    const list = v.split(',').map((x) => x.trim());
    for (const cidr of list) {
      const problem = cidrProblem(cidr);
      if (problem) this.errors.push(`${name}: "${cidr}" ${problem}`);
    }
    return list;
  }

  number(name: string, fallback: number, opts: { min: number; max: number; integer?: boolean }): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    const integer = opts.integer ?? true;
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < opts.min || n > opts.max) {
      const kind = integer ? 'an integer' : 'a number';
      this.errors.push(`${name}: must be ${kind} from ${opts.min} to ${opts.max}, got "${v}"`);
      return fallback;
    }
    return n;
  }

  databaseUrl(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    try {
      storeLocation(v);
    } catch (error) {
      this.errors.push((error as Error).message);
      return fallback;
    }
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.errors.push(`${name}: must be true or false, got "${v}"`);
    return fallback;
  }

  /** A comma-separated subset of `allowed`, at least one, no repeats. */
  list<T extends string>(name: string, fallback: T[], allowed: readonly T[]): T[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const items = v
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
    const bad = items.filter((x) => !(allowed as readonly string[]).includes(x));
    if (items.length === 0 || bad.length > 0 || new Set(items).size !== items.length) {
      this.errors.push(
        `${name}: must be a comma-separated list of ${allowed.join(', ')} without repeats, got "${v}"`,
      );
      return fallback;
    }
    return items as T[];
  }
}

/** Reads the collector's settings; throws one Error naming every bad variable and why. */
export function loadCollectorSettings(env: NodeJS.ProcessEnv): CollectorSettings {
  const r = new EnvReader(env);
  const settings: CollectorSettings = {
    dbPath: r.string('FLYPROBE_DB', 'flyprobe.db'),
    databaseUrl: r.databaseUrl('FLYPROBE_DATABASE_URL', r.string('FLYPROBE_DB', 'flyprobe.db')),
    host: r.string('FLYPROBE_HOST', '::'),
    port: r.number('FLYPROBE_PORT', 8080, { min: 0, max: 65535 }),
    adminTokens: r.secrets('FLYPROBE_ADMIN_TOKEN'),
    readTokens: r.secrets('FLYPROBE_READ_TOKEN'),
    allowUnboundProbes: r.boolean('FLYPROBE_ALLOW_UNBOUND_PROBES', false),
    meshAllowCidrs: r.cidrs('FLYPROBE_MESH_ALLOW_CIDRS'),
    metricsToken: r.secret('FLYPROBE_METRICS_TOKEN'),
    targetsFile: r.optional('FLYPROBE_TARGETS_FILE'),
    rawRetentionMs: r.number('FLYPROBE_RAW_RETENTION_HOURS', 48, { min: 1, max: 24 * 365 }) * 60 * MINUTE,
    rollupRetentionMs:
      r.number('FLYPROBE_ROLLUP_RETENTION_DAYS', 30, { min: 1, max: 3650 }) * 24 * 60 * MINUTE,
    retentionIntervalMs: r.number('FLYPROBE_RETENTION_INTERVAL_S', 60, { min: 1, max: 86_400 }) * 1000,
    ingestMaxBytes: r.number('FLYPROBE_INGEST_MAX_BYTES', 8 * 1024 * 1024, {
      min: 1024,
      max: 256 * 1024 * 1024,
    }),
    ingestRatePerSec: r.number('FLYPROBE_INGEST_RATE', 20, { min: 0.01, max: 1_000_000, integer: false }),
    ingestBurst: r.number('FLYPROBE_INGEST_BURST', 40, { min: 1, max: 1_000_000 }),
    maxFutureSkewMs: 5 * MINUTE,
    meshPeerMaxAgeMs: r.number('FLYPROBE_MESH_PEER_MAX_AGE_S', 300, { min: 10, max: 86_400 }) * 1000,
    meshEnabled: r.boolean('FLYPROBE_MESH', true),
    meshIntervalMs: r.number('FLYPROBE_MESH_INTERVAL_MS', 15_000, { min: 100, max: 86_400_000 }),
    meshTimeoutMs: r.number('FLYPROBE_MESH_TIMEOUT_MS', 5_000, { min: 50, max: 600_000 }),
    meshProtocols: r.list('FLYPROBE_MESH_PROTOCOLS', ['http', 'tcp'], PROTOCOLS),
    reportIntervalMs: r.number('FLYPROBE_REPORT_INTERVAL_MS', 2000, { min: 50, max: 600_000 }),
    reportMaxBatch: r.number('FLYPROBE_REPORT_MAX_BATCH', 500, { min: 1, max: 5000 }),
    configPollMs: r.number('FLYPROBE_CONFIG_POLL_MS', 30_000, { min: 1000, max: 86_400_000 }),
    metricsMaxCells: r.number('FLYPROBE_METRICS_MAX_CELLS', 1000, { min: 1, max: 100_000 }),
    metricsPhases: r.boolean('FLYPROBE_METRICS_PHASES', true),
    shutdownTimeoutMs: r.number('FLYPROBE_SHUTDOWN_TIMEOUT_MS', 4000, { min: 0, max: 600_000 }),
  };
  if (r.errors.length > 0) throw new Error(`invalid collector settings: ${r.errors.join('; ')}`);
  return settings;
}
