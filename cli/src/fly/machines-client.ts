import { request } from 'undici';
import { CliError, errorMessage } from '../errors.ts';
import { apiErrorMessage } from '../http-error.ts';
import { RateLimiter, sleep } from './rate-limiter.ts';
import type {
  CreateMachineRequest,
  Machine,
  MachineLease,
  MachineState,
  PlatformRegion,
  UpdateMachineRequest,
} from './types.ts';

export const DEFAULT_MACHINES_API = 'https://api.machines.dev';

/** A failed Machines API call: the HTTP status and the API's own `{error}` message. */
export class MachinesApiError extends CliError {
  constructor(
    readonly call: string,
    readonly status: number,
    readonly apiMessage: string,
  ) {
    super(`Machines API ${call} failed: HTTP ${status}${apiMessage ? `: ${apiMessage}` : ''}`);
    this.name = 'MachinesApiError';
  }
}

/** Another client (a person, `fly deploy`, another flyprobe run) holds the Machine's lease. */
export class LeaseHeldError extends CliError {
  constructor(
    readonly machineId: string,
    readonly owner: string,
    readonly expiresAt: number | undefined,
  ) {
    const until = expiresAt ? ` until ${new Date(expiresAt * 1000).toISOString()}` : '';
    super(
      `Machine ${machineId} is leased by ${owner || 'an unknown owner'}${until}; ` +
        'wait for it to finish or release it (fly machine leases clear)',
    );
    this.name = 'LeaseHeldError';
  }
}

/** Header carrying a lease's nonce on every mutation of a leased Machine (fly-go's NonceHeader). */
export const NONCE_HEADER = 'fly-machine-lease-nonce';

export interface RetryNotice {
  call: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface MachinesClientOptions {
  baseUrl: string;
  token: string;
  /** Retries of one call after 429 / 5xx / network errors before giving up. */
  maxRetries?: number;
  /** Ceiling for one backoff wait, whatever Retry-After says. */
  maxBackoffMs?: number;
  onRetry?: (notice: RetryNotice) => void;
}

type Method = 'GET' | 'POST' | 'DELETE';

interface Call {
  method: Method;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Lease nonce, sent as fly-machine-lease-nonce. */
  nonce?: string;
  /** Rate-limit bucket: "<action>:<machine or app>". */
  bucket: string;
  /** Whether a 5xx or network failure may be retried (the request had no effect or is idempotent). */
  idempotent: boolean;
  timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Client for https://api.machines.dev/v1 with client-side rate limiting and 429 / Retry-After handling. */
export class MachinesClient {
  private readonly baseUrl: string;
  private readonly limiter = new RateLimiter(1, 3);
  private readonly getLimiter = new RateLimiter(5, 10);
  private readonly maxRetries: number;
  private readonly maxBackoffMs: number;
  /** Calls retried so far, by reason; reported after a deploy. */
  readonly retries = { rateLimited: 0, serverError: 0, network: 0 };

  constructor(private readonly options: MachinesClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.maxRetries = options.maxRetries ?? 6;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /**
   * GET /v1/apps/{app}/machines; `metadata` becomes `metadata.<key>=<value>` filters, so the API
   * answers only Machines carrying them (callers still re-check: an older API may ignore the filter).
   */
  list(app: string, filter: { metadata?: Record<string, string> } = {}): Promise<Machine[]> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(filter.metadata ?? {})) query[`metadata.${k}`] = v;
    return this.call<Machine[]>({
      method: 'GET',
      path: `/v1/apps/${enc(app)}/machines`,
      query,
      bucket: `list:${app}`,
      idempotent: true,
    });
  }

  get(app: string, id: string): Promise<Machine> {
    return this.call<Machine>({
      method: 'GET',
      path: `/v1/apps/${enc(app)}/machines/${enc(id)}`,
      bucket: `get:${id}`,
      idempotent: true,
    });
  }

  create(app: string, body: CreateMachineRequest): Promise<Machine> {
    return this.call<Machine>({
      method: 'POST',
      path: `/v1/apps/${enc(app)}/machines`,
      body,
      bucket: `create:${app}`,
      idempotent: false,
    });
  }

  /** Waits server-side (at most 60 s per call, as the API allows) for a state; false when it timed out (408). */
  async waitForState(
    app: string,
    id: string,
    opts: { state: MachineState; instanceId?: string; timeoutSeconds: number },
  ): Promise<boolean> {
    const timeout = Math.max(1, Math.min(60, Math.round(opts.timeoutSeconds)));
    const query: Record<string, string> = { state: opts.state, timeout: String(timeout) };
    if (opts.instanceId) query.instance_id = opts.instanceId;
    try {
      await this.call<{ ok: boolean }>({
        method: 'GET',
        path: `/v1/apps/${enc(app)}/machines/${enc(id)}/wait`,
        query,
        bucket: `wait:${id}`,
        idempotent: true,
        timeoutMs: (timeout + 15) * 1000,
      });
      return true;
    } catch (err) {
      if (err instanceof MachinesApiError && err.status === 408) return false;
      throw err;
    }
  }

  /** POST /v1/apps/{app}/machines/{id}: replaces the whole config; the Machine restarts on it. */
  update(app: string, id: string, body: UpdateMachineRequest, nonce: string): Promise<Machine> {
    return this.call<Machine>({
      method: 'POST',
      path: machinePath(app, id),
      body,
      nonce,
      bucket: `update:${id}`,
      idempotent: false,
    });
  }

  async restart(app: string, id: string, nonce: string): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${machinePath(app, id)}/restart`,
      nonce,
      bucket: `restart:${id}`,
      idempotent: false,
    });
  }

  async stop(app: string, id: string, nonce: string): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${machinePath(app, id)}/stop`,
      nonce,
      bucket: `stop:${id}`,
      idempotent: true,
    });
  }

  async start(app: string, id: string, nonce: string): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${machinePath(app, id)}/start`,
      nonce,
      bucket: `start:${id}`,
      idempotent: true,
    });
  }

  async destroy(app: string, id: string, force: boolean, nonce?: string): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: machinePath(app, id),
      query: force ? { force: 'true' } : {},
      nonce,
      bucket: `delete:${id}`,
      idempotent: true,
    });
  }

  /**
   * POST /v1/apps/{app}/machines/{id}/lease. A lease held by someone else (409) becomes a
   * LeaseHeldError naming the holder, read from GET .../lease as flyctl does.
   */
  async acquireLease(app: string, id: string, ttlSeconds: number, description: string): Promise<string> {
    let lease: MachineLease;
    try {
      lease = await this.call<MachineLease>({
        method: 'POST',
        path: `${machinePath(app, id)}/lease`,
        query: { ttl: String(ttlSeconds) },
        body: { ttl: ttlSeconds, description },
        bucket: `lease:${id}`,
        idempotent: false,
      });
    } catch (err) {
      if (!(err instanceof MachinesApiError) || err.status !== 409) throw err;
      const held = await this.getLease(app, id).catch(() => undefined);
      throw new LeaseHeldError(id, held?.data?.owner ?? '', held?.data?.expires_at);
    }
    const nonce = lease.data?.nonce;
    if (!nonce) throw new CliError(`Machines API gave a lease on ${id} without a nonce`);
    return nonce;
  }

  getLease(app: string, id: string): Promise<MachineLease> {
    return this.call<MachineLease>({
      method: 'GET',
      path: `${machinePath(app, id)}/lease`,
      bucket: `get:lease:${id}`,
      idempotent: true,
    });
  }

  /** DELETE .../lease; a lease already gone (expired, or its Machine destroyed) is not an error. */
  async releaseLease(app: string, id: string, nonce: string): Promise<void> {
    try {
      await this.call({
        method: 'DELETE',
        path: `${machinePath(app, id)}/lease`,
        nonce,
        bucket: `lease:${id}`,
        idempotent: true,
      });
    } catch (err) {
      if (err instanceof MachinesApiError && err.status === 404) return;
      throw err;
    }
  }

  /** GET /v1/platform/regions: answers `{Regions: [...]}`. */
  async platformRegions(): Promise<PlatformRegion[]> {
    const body = await this.call<{ Regions?: PlatformRegion[] }>({
      method: 'GET',
      path: '/v1/platform/regions',
      bucket: 'platform:regions',
      idempotent: true,
    });
    return body.Regions ?? [];
  }

  private async call<T>(c: Call): Promise<T> {
    const label = `${c.method} ${c.path}`;
    const url = new URL(this.baseUrl + c.path);
    for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v);
    const limiter = c.bucket.startsWith('get:') ? this.getLimiter : this.limiter;
    for (let attempt = 0; ; attempt++) {
      await limiter.take(c.bucket);
      let status: number;
      let text: string;
      let retryAfter: string | undefined;
      try {
        const res = await request(url, {
          method: c.method,
          headers: {
            authorization: authorizationHeader(this.options.token),
            accept: 'application/json',
            ...(c.nonce ? { [NONCE_HEADER]: c.nonce } : {}),
            ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: c.body === undefined ? undefined : JSON.stringify(c.body),
          headersTimeout: c.timeoutMs ?? REQUEST_TIMEOUT_MS,
          bodyTimeout: c.timeoutMs ?? REQUEST_TIMEOUT_MS,
        });
        status = res.statusCode;
        text = await res.body.text();
        const ra = res.headers['retry-after'];
        retryAfter = Array.isArray(ra) ? ra[0] : ra;
      } catch (err) {
        if (!c.idempotent || attempt >= this.maxRetries) {
          throw new CliError(`Machines API ${label} failed: ${errorMessage(err)}`);
        }
        this.retries.network++;
        await this.backoff(label, attempt, undefined, `network error: ${errorMessage(err)}`);
        continue;
      }
      if (status < 400) return parseJson<T>(text, label);
      const retryable =
        status === 429 || (c.idempotent && (status === 502 || status === 503 || status === 504));
      if (!retryable || attempt >= this.maxRetries) {
        throw new MachinesApiError(label, status, apiErrorMessage(text));
      }
      if (status === 429) this.retries.rateLimited++;
      else this.retries.serverError++;
      await this.backoff(label, attempt, retryAfter, `HTTP ${status}`);
    }
  }

  private async backoff(call: string, attempt: number, retryAfter: string | undefined, reason: string) {
    const exponential = 500 * 2 ** attempt;
    const delayMs = Math.min(this.maxBackoffMs, Math.max(retryAfterMs(retryAfter) ?? 0, exponential));
    this.options.onRetry?.({ call, attempt: attempt + 1, delayMs, reason });
    await sleep(delayMs);
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJson<T>(text: string, label: string): T {
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`Machines API ${label} returned a body that is not JSON`);
  }
}

const enc = encodeURIComponent;
const machinePath = (app: string, id: string): string => `/v1/apps/${enc(app)}/machines/${enc(id)}`;

const MACAROON_PREFIXES = new Set(['fm1r', 'fm1a', 'fm2']);

/**
 * The Authorization header fly-go's tokens.FlapsHeader builds: any scheme the user pasted is stripped;
 * macaroon tokens (`fm1r_`, `fm1a_`, `fm2_`, comma-separated when several) go as `FlyV1 <macaroons>`,
 * anything else (an OAuth `fly auth token`) as `Bearer <token>`.
 */
export function authorizationHeader(raw: string): string {
  let token = raw.trim();
  for (;;) {
    const m = /^(bearer|flyv1)\s+(.*)$/is.exec(token);
    if (!m) break;
    token = (m[2] ?? '').trim();
  }
  const parts = token
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const macaroons = parts.filter((t) => MACAROON_PREFIXES.has(t.split('_')[0] ?? ''));
  return macaroons.length > 0 ? `FlyV1 ${macaroons.join(',')}` : `Bearer ${parts.join(',')}`;
}

/**
 * Token and base URL from the variables flyctl and fly-go read: --api-url, else FLY_FLAPS_BASE_URL
 * (fly-go's flaps client), else FLY_API_HOSTNAME (the Machines API docs' examples), else the public API.
 */
export function machinesClientFromEnv(
  env: NodeJS.ProcessEnv,
  flags: { apiUrl?: string },
  onRetry?: (n: RetryNotice) => void,
): MachinesClient {
  const token = env.FLY_API_TOKEN || env.FLY_ACCESS_TOKEN;
  if (!token) {
    throw new CliError(
      'no Fly API token: set FLY_API_TOKEN (e.g. FLY_API_TOKEN=$(fly tokens create deploy -a <app>))',
    );
  }
  let baseUrl = flags.apiUrl || env.FLY_FLAPS_BASE_URL || env.FLY_API_HOSTNAME || DEFAULT_MACHINES_API;
  if (!/^https?:\/\//.test(baseUrl)) baseUrl = `https://${baseUrl}`;
  try {
    new URL(baseUrl);
  } catch {
    throw new CliError(`Machines API URL "${baseUrl}" is not a URL`, 2);
  }
  return new MachinesClient({ baseUrl, token, onRetry });
}
