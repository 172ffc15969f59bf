import type { z } from 'zod';
import type { FieldError, Parsed } from '../schema/errors.ts';

/** Token roles. Admin may call what read may (not what probe may); see `roleAllows`. */
export const ROLES = ['probe', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a token of `role` may call a route declared for `allowed`. */
export function roleAllows(role: Role, allowed: readonly Role[]): boolean {
  return allowed.includes(role) || (role === 'admin' && allowed.includes('read'));
}

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** One answer a route gives: a JSON body described by `json`, a non-JSON `media` type, or none. */
export interface ResponseSpec {
  description: string;
  json?: z.ZodType;
  /** Media type of a non-JSON body (`text/csv`, `text/html`). */
  media?: string;
  /** Response headers worth naming, with what they say. */
  headers?: Record<string, string>;
}

/** Query parameters, each parsed on its own from the raw string (absent and `''` alike read as undefined). */
export type QueryShape = Record<string, z.ZodType<unknown, string | undefined>>;
export type QueryValues<Q extends QueryShape> = { [K in keyof Q]: z.output<Q[K]> };

export interface BodySpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Named in the 400 message: `invalid silence: ...`. */
  what: string;
  /** Absent where the route reads its body itself (ingest: FLYPROBE_INGEST_MAX_BYTES). */
  maxBytes?: number;
  /** The body may be left out entirely (read as `{}`). */
  optional?: boolean;
  /** Where the body takes more than the schema (cross-entry rules); `parseWith(schema)` otherwise. */
  parse?: (input: unknown) => Parsed<z.output<S>>;
}

/**
 * One route of the wire contract: method, path (Hono syntax, `/v1/tokens/:id`), who may call it, how its
 * request is parsed and what it answers. The collector binds handlers to these; `/openapi.json` is
 * generated from them.
 */
export interface RouteContract<
  Q extends QueryShape | undefined = QueryShape | undefined,
  R = unknown,
  P extends Record<string, z.ZodType<unknown, string>> | undefined =
    | Record<string, z.ZodType<unknown, string>>
    | undefined,
  B extends BodySpec | undefined = BodySpec | undefined,
  Rs extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
> {
  method: HttpMethod;
  path: string;
  summary: string;
  /** `public`: no token; `metrics`: FLYPROBE_METRICS_TOKEN when set; else the roles as `requireRole` takes them. */
  auth: 'public' | 'metrics' | readonly Role[];
  /**
   * Query parameters; when present, any other parameter is refused. A parameter that fails reads as its
   * default, so `resolve` still runs and every problem is answered in one 400.
   */
  query?: Q;
  /** Cross-parameter rules and derived defaults; pushes to `errors` what it refuses. */
  resolve?(q: Q extends QueryShape ? QueryValues<Q> : Record<string, never>, errors: FieldError[]): R;
  params?: P;
  body?: B;
  responses: Rs;
  /** Error statuses beyond the ones the contract implies (401/403 with a role, 400 with input), with why. */
  errors?: Partial<Record<400 | 403 | 404 | 413 | 415 | 429 | 503, string>>;
}

/** Keeps the literal types of an entry, so handlers bound to it are typed by it. */
export function defineRoute<
  Q extends QueryShape | undefined = undefined,
  R = Q extends QueryShape ? QueryValues<Q> : Record<string, never>,
  P extends Record<string, z.ZodType<unknown, string>> | undefined = undefined,
  B extends BodySpec | undefined = undefined,
  const Rs extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
>(route: RouteContract<Q, R, P, B, Rs>): RouteContract<Q, R, P, B, Rs> {
  return route;
}

export const json = <S extends z.ZodType>(schema: S, description: string, headers?: Record<string, string>) =>
  ({ description, json: schema, ...(headers ? { headers } : {}) }) as const;
export const empty = (description: string, headers?: Record<string, string>): ResponseSpec => ({
  description,
  ...(headers ? { headers } : {}),
});

/** The statuses of `Rs` that answer JSON. */
export type JsonStatus<Rs> = { [S in keyof Rs]: Rs[S] extends { json: z.ZodType } ? S : never }[keyof Rs] &
  number;
/** The JSON body of the answer with `status` (`never` for a status without one). */
export type ResponseBody<Rs, S extends keyof Rs> = Rs[S] extends { json: infer J extends z.ZodType }
  ? z.output<J>
  : never;
type SuccessBody<Rs> = { [S in keyof Rs]: S extends 200 | 201 ? ResponseBody<Rs, S> : never }[keyof Rs];
/** The JSON a route answers on success (200, 201), as its contract entry declares it. */
export type RouteAnswer<R> =
  R extends RouteContract<infer _Q, infer _R, infer _P, infer _B, infer Rs> ? SuccessBody<Rs> : never;
/** What a client sends as a route's JSON body. */
export type RouteRequestBody<R> =
  R extends RouteContract<infer _Q, infer _R, infer _P, infer B>
    ? B extends BodySpec<infer S>
      ? z.input<S>
      : never
    : never;
