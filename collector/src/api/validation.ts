import {
  type FieldError,
  identifier,
  isRoutedPath,
  MATRIX_METRICS,
  type MatrixMetric,
  type NetworkPath,
  networkPath,
  PATHS,
  PROTOCOLS,
  type Protocol,
  protocol,
  ROUTED_PATHS,
  type RoutedPath,
  regionCode,
} from '@flyprobe/shared';
import type { Context } from 'hono';
import { ApiError, validationError } from './errors.ts';
import { parseTimestamp } from './timestamp.ts';

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `15m`, `1h`, `7d`; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,7})(s|m|h|d)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const unit = DURATION_UNITS[m[2]];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Reads query parameters, collecting one error per bad parameter, then throws them all as one 400. */
export class QueryReader {
  readonly errors: FieldError[] = [];
  private readonly query: Record<string, string>;

  constructor(c: Context, allowed: readonly string[]) {
    this.query = c.req.query();
    for (const name of Object.keys(this.query)) {
      if (!allowed.includes(name))
        this.errors.push({ field: name, message: `unknown parameter; known: ${allowed.join(', ')}` });
    }
  }

  private raw(name: string): string | undefined {
    const v = this.query[name];
    return v === undefined || v === '' ? undefined : v;
  }

  private schema<T>(
    name: string,
    schema: {
      safeParse(
        v: unknown,
      ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
    },
    fallback?: T,
  ): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    this.errors.push({ field: name, message: r.error.issues[0]?.message ?? 'invalid' });
    return fallback;
  }

  required<T>(value: T | undefined, name: string): T {
    if (value === undefined && !this.errors.some((e) => e.field === name)) {
      this.errors.push({ field: name, message: 'is required' });
    }
    return value as T;
  }

  identifier(name: string): string | undefined {
    return this.schema(name, identifier);
  }

  region(name: string): string | undefined {
    return this.schema(name, regionCode);
  }

  path(name: string, fallback?: NetworkPath): NetworkPath | undefined {
    const v = this.raw(name);
    if (v !== undefined && !networkPath.safeParse(v).success) {
      this.errors.push({ field: name, message: `must be one of ${PATHS.join(', ')}` });
      return fallback;
    }
    return (v as NetworkPath | undefined) ?? fallback;
  }

  /** A path on which fly-proxy picks the region (routes exist only there). */
  routedPath(name: string): RoutedPath | undefined {
    const v = this.path(name);
    if (v === undefined || isRoutedPath(v)) return v;
    this.errors.push({ field: name, message: `must be one of ${ROUTED_PATHS.join(', ')}` });
    return undefined;
  }

  protocol(name: string, fallback?: Protocol): Protocol | undefined {
    const v = this.raw(name);
    if (v !== undefined && !protocol.safeParse(v).success) {
      this.errors.push({ field: name, message: `must be one of ${PROTOCOLS.join(', ')}` });
      return fallback;
    }
    return (v as Protocol | undefined) ?? fallback;
  }

  metric(name: string, fallback: MatrixMetric): MatrixMetric {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if ((MATRIX_METRICS as readonly string[]).includes(v)) return v as MatrixMetric;
    this.errors.push({ field: name, message: `must be one of ${MATRIX_METRICS.join(', ')}` });
    return fallback;
  }

  /** A duration like `15m`, between `min` and `max` ms. */
  duration(name: string, fallbackMs: number, minMs: number, maxMs: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.errors.push({ field: name, message: 'must be a duration like 90s, 15m, 1h or 7d' });
      return fallbackMs;
    }
    if (ms < minMs || ms > maxMs) {
      this.errors.push({
        field: name,
        message: `must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`,
      });
      return fallbackMs;
    }
    return ms;
  }

  /** Epoch ms or an RFC 3339 date-time, nothing else (see parseTimestamp). */
  time(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const t = parseTimestamp(v);
    if (t === undefined) {
      this.errors.push({
        field: name,
        message: 'must be Unix epoch milliseconds or an RFC 3339 date-time like 2026-12-01T10:00:00Z',
      });
    }
    return t;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      this.errors.push({ field: name, message: `must be an integer from ${min} to ${max}` });
      return fallback;
    }
    return n;
  }

  /** Throws the collected errors as one 400. */
  done(): void {
    if (this.errors.length > 0) throw validationError(this.errors, 'query');
  }
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'bad_request', message);
}
