import {
  type BodySpec,
  type FieldError,
  formatFieldErrors,
  type JsonStatus,
  parseWith,
  type QueryShape,
  type ResponseBody,
  type ResponseSpec,
  type RouteContract,
} from '@flyprobe/shared';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ApiEnv } from './env.ts';
import { ApiError, validationError } from './errors.ts';
import { requireRole } from './middleware/auth.ts';
import { readJsonBody } from './middleware/body.ts';
import { jsonAnswer } from './middleware/read-answers.ts';

type PathParams = Record<string, z.ZodType<unknown, string>>;
type ParamValues<P> = P extends PathParams ? { [K in keyof P]: z.output<P[K]> } : Record<string, never>;
type BodyValue<B> = B extends BodySpec<infer S> ? z.output<S> : undefined;

/** What a handler gets: the request parsed by its contract entry, and a reply typed by it. */
export interface RouteInput<R, P, B, Rs> {
  c: Context<ApiEnv>;
  query: R;
  params: ParamValues<P>;
  body: BodyValue<B>;
  /** A JSON answer whose body is checked against the contract's response type for `status`. */
  reply<S extends JsonStatus<Rs>>(status: S, body: ResponseBody<Rs, S>): Response;
}

/**
 * Reads the query as the contract declares it: unknown parameters refused, each parameter parsed on its
 * own (a bad one reads as its default), then the entry's cross-parameter rules; every problem in one 400.
 */
function readQuery(
  c: Context<ApiEnv>,
  shape: QueryShape,
  resolve: ((q: never, errors: FieldError[]) => unknown) | undefined,
): unknown {
  const raw = c.req.query();
  const names = Object.keys(shape);
  const errors: FieldError[] = [];
  for (const name of Object.keys(raw))
    if (!names.includes(name))
      errors.push({ field: name, message: `unknown parameter; known: ${names.join(', ')}` });
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const text = raw[name] === '' ? undefined : raw[name];
    const parsed = schema.safeParse(text);
    if (parsed.success) {
      values[name] = parsed.data;
      continue;
    }
    errors.push({
      field: name,
      message: text === undefined ? 'is required' : (parsed.error.issues[0]?.message ?? 'invalid'),
    });
    const fallback = schema.safeParse(undefined);
    values[name] = fallback.success ? fallback.data : undefined;
  }
  const value = resolve ? resolve(values as never, errors) : values;
  if (errors.length > 0) throw validationError(errors, 'query');
  return value;
}

function readParams(c: Context<ApiEnv>, shape: PathParams): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(c.req.param(name));
    if (parsed.success) values[name] = parsed.data;
    else errors.push({ field: name, message: parsed.error.issues[0]?.message ?? 'invalid' });
  }
  if (errors.length > 0) throw new ApiError(400, 'bad_request', formatFieldErrors(errors));
  return values;
}

async function readBody(c: Context<ApiEnv>, spec: BodySpec, maxBytes: number): Promise<unknown> {
  const absent = spec.optional && !c.req.header('content-length') && !c.req.header('transfer-encoding');
  const raw = absent ? {} : await readJsonBody(c, maxBytes);
  const parsed = spec.parse ? spec.parse(raw) : parseWith(spec.schema, spec.optional ? (raw ?? {}) : raw);
  if (!parsed.ok) throw validationError(parsed.errors, spec.what);
  return parsed.value;
}

/**
 * Declares a route from its contract entry: method, path and role come from the entry, and the handler only
 * runs on a request that parsed (a 400 naming each failing field otherwise).
 */
export function route<
  Q extends QueryShape | undefined,
  R,
  P extends PathParams | undefined,
  B extends BodySpec | undefined,
  Rs extends Record<number, ResponseSpec>,
>(
  app: Hono<ApiEnv>,
  contract: RouteContract<Q, R, P, B, Rs>,
  handler: (input: RouteInput<R, P, B, Rs>) => Response | Promise<Response>,
): void {
  const { query, resolve, params, body } = contract;
  const maxBytes = body?.maxBytes;
  if (body && maxBytes === undefined)
    throw new Error(`${contract.method} ${contract.path}: the contract gives no body limit to bind with`);
  const run = async (c: Context<ApiEnv>) =>
    handler({
      c,
      query: (query ? readQuery(c, query, resolve as never) : {}) as R,
      params: (params ? readParams(c, params) : {}) as ParamValues<P>,
      body: (body && maxBytes !== undefined ? await readBody(c, body, maxBytes) : undefined) as BodyValue<B>,
      reply: (status, json) => jsonAnswer(c, status as ContentfulStatusCode, json),
    });
  const method = contract.method.toUpperCase();
  if (Array.isArray(contract.auth)) app.on(method, contract.path, requireRole(...contract.auth), run);
  else app.on(method, contract.path, run);
}
