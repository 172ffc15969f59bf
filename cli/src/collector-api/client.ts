import type { RouteAnswer, RouteContract, RouteRequestBody } from '@flyprobe/shared';
import { request } from 'undici';
import { CliError, errorMessage } from '../errors.ts';
import { apiErrorMessage } from '../http-error.ts';

export interface CollectorTarget {
  url: string;
  token: string | undefined;
}

const REQUEST_TIMEOUT_MS = 15_000;

export interface CallInput<R> {
  /** Path parameters (`{ id }` for `/v1/tokens/:id`), encoded into the path. */
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: RouteRequestBody<R>;
}

/** The collector answered with an error status. */
export class CollectorApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CollectorApiError';
  }
}

/** Calls the collector's /v1 API with the bearer token; any failure becomes a CliError naming the call. */
export class CollectorClient {
  readonly baseUrl: string;

  constructor(private readonly target: CollectorTarget) {
    this.baseUrl = target.url.replace(/\/+$/, '');
  }

  /** Calls one route of the wire contract: method and path from the entry, the answer typed by it. */
  call<R extends RouteContract>(route: R, input: CallInput<R> = {}): Promise<RouteAnswer<R>> {
    const path = route.path.replace(/:(\w+)/g, (_, name: string) =>
      encodeURIComponent(input.params?.[name] ?? ''),
    );
    const method = route.method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'DELETE';
    return this.send<RouteAnswer<R>>(method, path, input.query ?? {}, input.body);
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    return this.send<T>('GET', path, query, undefined);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, {}, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, {}, body);
  }

  /** Resolves once the collector accepted the deletion (204 has no body). */
  async delete(path: string): Promise<void> {
    await this.send<unknown>('DELETE', path, {}, undefined);
  }

  private async send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Record<string, string | undefined>,
    body: unknown,
  ): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const call = `${method} ${url.pathname}`;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
    } catch (err) {
      throw new CliError(`collector at ${this.baseUrl} is unreachable (${call}): ${errorMessage(err)}`);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      const msg = apiErrorMessage(text);
      const hint = res.statusCode === 401 ? ' (set --token or FLYPROBE_TOKEN)' : '';
      throw new CollectorApiError(
        res.statusCode,
        `collector ${call} failed: HTTP ${res.statusCode}${msg ? `: ${msg}` : ''}${hint}`,
      );
    }
    if (text === '' && method === 'DELETE') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`collector ${call} returned a body that is not JSON`);
    }
  }
}

/** Reads the collector URL and token from flags or FLYPROBE_COLLECTOR_URL / FLYPROBE_TOKEN. */
export function collectorTarget(
  flags: { collector?: string; token?: string },
  env: NodeJS.ProcessEnv,
): CollectorTarget | undefined {
  const url = flags.collector ?? env.FLYPROBE_COLLECTOR_URL;
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CliError(`collector URL "${url}" is not an http(s) URL`, 2);
  }
  return { url, token: flags.token ?? env.FLYPROBE_TOKEN };
}

/** Like collectorTarget but the command cannot work without a collector. */
export function requireCollector(
  flags: { collector?: string; token?: string },
  env: NodeJS.ProcessEnv,
): CollectorClient {
  const target = collectorTarget(flags, env);
  if (!target) throw new CliError('no collector: pass --collector URL or set FLYPROBE_COLLECTOR_URL', 2);
  return new CollectorClient(target);
}

/** Collector list endpoints answer either a bare array or `{ <key>: [...] }`; both are accepted. */
export function unwrapList<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const inner = (body as Record<string, unknown>)[key];
    if (Array.isArray(inner)) return inner as T[];
  }
  throw new CliError(`collector answer has no "${key}" list`);
}
