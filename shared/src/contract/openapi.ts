import { z } from 'zod';
import { SERVED_WHILE_STOPPING } from './collector-routes.ts';
import { apiErrorBody } from './errors.ts';
import { type ResponseSpec, ROLES, type RouteContract, roleAllows } from './route.ts';

/** JSON Schema / OpenAPI objects: plain JSON. */
export type JsonObject = { [key: string]: unknown };
/** OpenAPI path items keyed by path (`/v1/tokens/{id}`), each keyed by lower-case method. */
export type OpenApiPaths = Record<string, Record<string, JsonObject>>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Formats zod names that JSON Schema does not (zod writes the `pattern` beside them too). */
const ZOD_ONLY_FORMATS = new Set(['starts_with', 'ends_with', 'includes', 'lowercase', 'uppercase']);

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of one zod schema, inline. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: ({ jsonSchema: s }) => {
      if (typeof s.format === 'string' && ZOD_ONLY_FORMATS.has(s.format)) delete s.format;
      // zod bounds every integer to the safe range; JSON says nothing more by repeating it.
      if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    },
  }) as JsonObject;
  return rest;
}

/** `/v1/tokens/:id` -> `/v1/tokens/{id}`; `/dashboard/` is documented as `/dashboard`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
}

/** The roles that may call a route, for the `x-roles` extension (admin may call what read may). */
export function allowedRoles(route: RouteContract): string[] {
  const { auth } = route;
  return typeof auth === 'string' ? [] : ROLES.filter((r) => roleAllows(r, auth));
}

function response(spec: ResponseSpec): JsonObject {
  const content: JsonObject = {};
  if (spec.json) content['application/json'] = { schema: jsonSchema(spec.json, 'output') };
  if (spec.media) content[spec.media] = { schema: { type: 'string' } };
  const headers = spec.headers
    ? Object.fromEntries(
        Object.entries(spec.headers).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      )
    : undefined;
  return {
    description: spec.description,
    ...(headers ? { headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

/** The error answers a route implies (auth, query, body), then the ones it names (path parameters' 400 too). */
function errorResponses(route: RouteContract): Record<string, JsonObject> {
  const why: Record<string, string> = {};
  if (route.auth === 'metrics') why[401] = 'FLYPROBE_METRICS_TOKEN is set and the bearer token is not it.';
  if (Array.isArray(route.auth)) {
    why[401] = 'Missing, invalid, revoked or expired bearer token.';
    why[403] = `The token's role may not call this; needs ${allowedRoles(route).join(' or ')}.`;
  }
  if (route.query || route.body)
    why[400] = 'Invalid JSON, parameters or body; `fields` names each failing field.';
  if (route.body) {
    why[413] = `Body larger than ${route.body.maxBytes ? `${route.body.maxBytes} bytes` : 'its limit'} (after gzip decoding).`;
    why[415] = 'Not JSON, or a content-encoding other than gzip.';
  }
  if (!SERVED_WHILE_STOPPING.includes(route.path))
    why[503] = 'The collector is shutting down; retry against another instance or later (Retry-After).';
  Object.assign(why, route.errors);
  return Object.fromEntries(
    Object.entries(why).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: ERROR_REF } } },
    ]),
  );
}

function operation(route: RouteContract): JsonObject {
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: jsonSchema(schema, 'input'),
    })),
    ...Object.entries(route.query ?? {}).map(([name, schema]) => {
      const s = jsonSchema(schema, 'input');
      return {
        name,
        in: 'query',
        required: !schema.safeParse(undefined).success,
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
        schema: s,
      };
    }),
  ];
  const responses: Record<string, JsonObject> = {};
  for (const [status, spec] of Object.entries(route.responses)) responses[status] = response(spec);
  if (route.method === 'get' && Array.isArray(route.auth) && !responses[304])
    responses[304] = {
      description: 'Unchanged since the ETag given in If-None-Match (every /v1 answer has one).',
    };
  Object.assign(responses, errorResponses(route));
  return {
    summary: route.summary,
    ...(route.auth === 'public' || route.auth === 'metrics'
      ? { security: [] }
      : { 'x-roles': allowedRoles(route) }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.optional,
            content: { 'application/json': { schema: jsonSchema(route.body.schema, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** Two routes documented under one path and method (`/dashboard` and `/dashboard/`) become one operation. */
function merge(a: JsonObject, b: JsonObject): JsonObject {
  return {
    ...a,
    summary: `${a.summary} ${b.summary}`,
    responses: { ...(b.responses as JsonObject), ...(a.responses as JsonObject) },
  };
}

/** The OpenAPI 3.1 document of `routes`; `extraPaths` are path items of plugins without a contract. */
export function buildOpenApiDocument(
  routes: readonly RouteContract[],
  extraPaths: OpenApiPaths = {},
): JsonObject {
  const paths: OpenApiPaths = {};
  for (const route of routes) {
    const key = openApiPath(route.path);
    const item = paths[key] ?? {};
    paths[key] = item;
    const op = operation(route);
    const seen = item[route.method];
    item[route.method] = seen ? merge(seen, op) : op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'flyprobe collector',
      version: '1',
      description:
        'Ingest from probes, probe configuration, region latency matrices and alerts. Generated from the wire contract in shared/src/contract; `x-roles` lists the token roles that may call an operation. Errors are `Error` bodies.',
    },
    components: {
      schemas: { Error: jsonSchema(apiErrorBody, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: { ...paths, ...extraPaths },
  };
}
