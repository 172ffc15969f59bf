import {
  ingestBatch,
  ingestResponse,
  MATRIX_METRICS,
  PATHS,
  PROTOCOLS,
  probeConfig,
  probeResult,
  ROUTED_PATHS,
  targetConfig,
} from '@flyprobe/shared';

/** JSON Schema / OpenAPI objects: plain JSON. */
export type JsonObject = { [key: string]: unknown };
/** OpenAPI path items keyed by path (`/v1/tokens/{id}`), each keyed by lower-case method. */
export type OpenApiPaths = Record<string, Record<string, JsonObject>>;

type ZodLike = { toJSONSchema(params?: { io?: 'input' | 'output'; target?: 'draft-2020-12' }): unknown };

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) straight from the shared zod schemas, so the document cannot drift. */
function fromZod(schema: ZodLike, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = schema.toJSONSchema({ io, target: 'draft-2020-12' }) as JsonObject;
  return rest;
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject) => ({ 'application/json': { schema } });
const nullable = (type: string): JsonObject => ({ type: [type, 'null'] });
const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const regionCode = { type: 'string', pattern: '^[a-z]{3}$' };
const arrayOf = (items: JsonObject): JsonObject => ({ type: 'array', items });
const object = (properties: Record<string, JsonObject>, required = Object.keys(properties)): JsonObject => ({
  type: 'object',
  properties,
  required,
});

const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });
const readErrors = {
  '400': errorResponse('A query parameter is invalid; `fields` names each one.'),
  '401': errorResponse('Missing, invalid, revoked or expired bearer token.'),
  '403': errorResponse('The token lacks the role this endpoint needs.'),
};

function query(name: string, schema: JsonObject, description: string, required = false): JsonObject {
  return { name, in: 'query', required, description, schema };
}

const cellParams = [
  query('target', { type: 'string' }, 'Target name.', true),
  query('path', { enum: [...PATHS], default: 'anycast' }, 'Network path.'),
  query('protocol', { enum: [...PROTOCOLS], default: 'http' }, 'Protocol.'),
  query(
    'metric',
    { enum: [...MATRIX_METRICS], default: 'p50' },
    'Latency quantile/mean in ms, or loss/reset rate 0..1.',
  ),
];
const windowParam = (fallback: string) =>
  query(
    'window',
    { type: 'string', pattern: '^\\d+[smhd]$', default: fallback },
    'Window ending now, e.g. 15m, 1h, 24h.',
  );

function schemas(): Record<string, JsonObject> {
  return {
    Error: object({
      error: object(
        {
          code: str,
          message: str,
          fields: arrayOf(object({ field: str, message: str })),
        },
        ['code', 'message'],
      ),
    }),
    IngestBatch: fromZod(ingestBatch, 'input'),
    ProbeResult: fromZod(probeResult, 'input'),
    IngestResponse: fromZod(ingestResponse, 'output'),
    ProbeConfig: fromZod(probeConfig, 'output'),
    TargetConfigInput: fromZod(targetConfig, 'input'),
    TargetConfig: fromZod(targetConfig, 'output'),
    Targets: object({ revision: str, targets: arrayOf(ref('TargetConfig')) }),
    TokenRecord: object({
      id: str,
      role: { enum: ['probe', 'read', 'admin'] },
      probeId: nullable('string'),
      app: nullable('string'),
      region: nullable('string'),
      name: nullable('string'),
      expiresAt: nullable('integer'),
      createdAt: int,
    }),
    MatrixCell: object({
      from: regionCode,
      to: {
        type: 'string',
        description: 'Column region; "" for samples that reached no region (e.g. anycast failures).',
      },
      value: nullable('number'),
      samples: int,
      floorMs: nullable('number'),
      inflation: nullable('number'),
    }),
    MatrixResponse: object({
      target: str,
      path: { enum: [...PATHS] },
      protocol: { enum: [...PROTOCOLS] },
      metric: { enum: [...MATRIX_METRICS] },
      from: int,
      to: int,
      rows: arrayOf(regionCode),
      columns: arrayOf(regionCode),
      cells: arrayOf(ref('MatrixCell')),
    }),
    SeriesResponse: object({
      target: str,
      path: { enum: [...PATHS] },
      protocol: { enum: [...PROTOCOLS] },
      metric: { enum: [...MATRIX_METRICS] },
      fromRegion: regionCode,
      toRegion: regionCode,
      from: int,
      to: int,
      stepMs: int,
      points: arrayOf(object({ t: int, value: nullable('number'), samples: int })),
    }),
    RouteSummary: object({
      probeRegion: regionCode,
      target: str,
      path: { enum: [...ROUTED_PATHS] },
      protocol: { enum: [...PROTOCOLS] },
      edges: { type: 'object', additionalProperties: num },
      served: { type: 'object', additionalProperties: num },
      current: object({ edge: nullable('string'), served: nullable('string'), since: nullable('integer') }),
      lastChange: nullable('integer'),
    }),
    RouteTimelineResponse: object({
      target: str,
      path: { enum: [...ROUTED_PATHS] },
      protocol: { enum: [...PROTOCOLS] },
      from: int,
      to: int,
      stepMs: int,
      coveredFrom: { ...int, description: 'Oldest result included; later than `from` when truncated.' },
      truncated: { type: 'boolean', description: 'The window held more raw results than one answer reads.' },
      rows: arrayOf(
        object({
          probeRegion: regionCode,
          changes: { ...int, description: 'Changes of served or edge region between consecutive results.' },
          buckets: arrayOf(
            object({
              t: int,
              samples: int,
              failed: int,
              edges: { type: 'object', additionalProperties: int },
              served: { type: 'object', additionalProperties: int },
            }),
          ),
        }),
      ),
    }),
    ProbeListing: object({
      probeId: str,
      region: regionCode,
      machineId: str,
      app: nullable('string'),
      version: str,
      bootId: str,
      firstSeen: int,
      lastSeen: int,
      degraded: { type: 'boolean' },
      degradedReason: nullable('string'),
      echoAddress: nullable('string'),
      health: { type: ['object', 'null'] },
      online: { type: 'boolean' },
    }),
    RegionListing: object(
      {
        code: str,
        name: str,
        lat: nullable('number'),
        lon: nullable('number'),
        status: { enum: ['current', 'deprecated', 'edge_only', 'unknown'] },
        gateway: { type: 'boolean' },
        replacement: regionCode,
        probes: arrayOf(str),
        targets: arrayOf(str),
      },
      ['code', 'name', 'lat', 'lon', 'status', 'gateway', 'probes', 'targets'],
    ),
    StoredResult: {
      allOf: [
        ref('ProbeResult'),
        object({ id: int, probeId: str, bootId: str, probeRegion: regionCode, receivedAt: int }),
      ],
    },
  };
}

function corePaths(): OpenApiPaths {
  const matrixGet = {
    summary: 'Region x region matrix for one target, path, protocol and metric, from rollups.',
    parameters: [...cellParams, windowParam('15m')],
    responses: {
      '200': {
        description: 'One cell per (probe region, column region) with samples.',
        content: { ...json(ref('MatrixResponse')), 'text/csv': { schema: str } },
      },
      ...readErrors,
    },
  };
  return {
    '/healthz': {
      get: {
        summary: 'Liveness.',
        security: [],
        responses: { '200': { description: 'The process answers.' } },
      },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: the store answers and the collector is not shutting down.',
        security: [],
        responses: { '200': { description: 'Ready.' }, '503': { description: 'Not ready.' } },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics; bearer FLYPROBE_METRICS_TOKEN when that is set.',
        security: [],
        responses: {
          '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: str } } },
        },
      },
    },
    '/': {
      get: {
        summary: 'Redirects to the web dashboard.',
        security: [],
        responses: { '302': { description: 'To /dashboard/.' } },
      },
    },
    '/dashboard': {
      get: {
        summary: 'The web dashboard (sign in with a read or admin token; see docs/DASHBOARD.md).',
        security: [],
        responses: { '200': { description: 'HTML.', content: { 'text/html': { schema: str } } } },
      },
    },
    '/dashboard/{file}': {
      get: {
        summary: 'A dashboard file (ES module, CSS), with ETag and gzip.',
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: str }],
        responses: { '200': { description: 'The file.' }, '404': errorResponse('No such file.') },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document.', security: [], responses: { '200': { description: 'OpenAPI 3.1.' } } },
    },
    '/v1/ingest': {
      post: {
        summary:
          'Store a batch of results and a heartbeat (probe token). Idempotent on (probeId, bootId, seq).',
        requestBody: { required: true, content: json(ref('IngestBatch')) },
        responses: {
          '200': {
            description: 'Counts of new, duplicate and rejected results.',
            content: json(ref('IngestResponse')),
          },
          '400': errorResponse('Malformed JSON or batch envelope; `fields` names each problem.'),
          '401': errorResponse('Missing or invalid token.'),
          '403': errorResponse(
            'Not a probe token, or the batch identity (probe.probeId, probe.app, probe.region) differs from the token binding.',
          ),
          '413': errorResponse('Body larger than FLYPROBE_INGEST_MAX_BYTES.'),
          '415': errorResponse('Not JSON, or an unsupported content-encoding (gzip is accepted).'),
          '429': errorResponse('Per-token rate limit; see Retry-After.'),
          '503': errorResponse('Shutting down.'),
        },
      },
    },
    '/v1/config': {
      get: {
        summary: "The calling probe's configuration (probe or admin token), with an ETag.",
        parameters: [
          query(
            'probeId',
            str,
            'Probe asking, for tokens not bound to one probe (excluded from its own mesh peers).',
          ),
          { name: 'If-None-Match', in: 'header', required: false, schema: str },
        ],
        responses: {
          '200': {
            description:
              'The configuration: at most 200 mesh peers, the freshest; header Flyprobe-Mesh-Peers-Omitted counts live peers left out.',
            content: json(ref('ProbeConfig')),
          },
          '304': { description: 'Unchanged since the ETag given in If-None-Match.' },
          ...readErrors,
        },
      },
    },
    '/v1/targets': {
      get: {
        summary: 'Current targets and revision (read token).',
        responses: { '200': { description: 'Targets.', content: json(ref('Targets')) }, ...readErrors },
      },
      put: {
        summary: 'Replace the target list (admin token); returns the new revision.',
        requestBody: { required: true, content: json(arrayOf(ref('TargetConfigInput'))) },
        responses: {
          '200': { description: 'Stored, with defaults filled.', content: json(ref('Targets')) },
          ...readErrors,
          '400': errorResponse('Invalid targets; `fields` names each, e.g. `[0].intervalMs`.'),
        },
      },
    },
    '/v1/tokens': {
      post: {
        summary: 'Create a token (admin); the secret is returned only here.',
        requestBody: {
          required: true,
          content: json(
            object(
              {
                role: { enum: ['probe', 'read', 'admin'] },
                probeId: {
                  ...str,
                  description: 'Probe tokens: the probe id it speaks for (with app and region).',
                },
                app: { ...str, description: 'Probe tokens: the Fly app the probe runs in.' },
                region: { ...regionCode, description: 'Probe tokens: the region the probe runs in.' },
                name: { type: 'string', maxLength: 64 },
                expiresAt: {
                  oneOf: [int, str],
                  description: 'Epoch ms or RFC 3339 date-time after which the token is refused.',
                },
              },
              ['role'],
            ),
          ),
        },
        responses: {
          '201': {
            description: 'Created: the record and, only here, its secret.',
            content: json({ allOf: [ref('TokenRecord'), object({ secret: str })] }),
          },
          ...readErrors,
          '400': errorResponse(
            'Invalid request; a probe token needs probeId, app and region unless FLYPROBE_ALLOW_UNBOUND_PROBES=1.',
          ),
        },
      },
      get: {
        summary: 'List tokens without secrets (admin).',
        responses: {
          '200': { description: 'Tokens.', content: json(object({ tokens: arrayOf(ref('TokenRecord')) })) },
          ...readErrors,
        },
      },
    },
    '/v1/tokens/{id}': {
      delete: {
        summary: 'Revoke a token (admin).',
        parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
        responses: {
          '204': { description: 'Revoked.' },
          '404': errorResponse('No such token.'),
          ...readErrors,
        },
      },
    },
    '/v1/matrix': { get: matrixGet },
    '/v1/matrix.csv': {
      get: {
        ...matrixGet,
        summary: 'The matrix as CSV: from,to,value,samples,floor_ms,inflation.',
        responses: {
          '200': { description: 'CSV.', content: { 'text/csv': { schema: str } } },
          ...readErrors,
        },
      },
    },
    '/v1/series': {
      get: {
        summary: 'One matrix cell over time, from rollups.',
        parameters: [
          ...cellParams,
          query('from', regionCode, 'Row: probe region.', true),
          query('to', regionCode, 'Column: served, forced, private or peer region.', true),
          windowParam('1h'),
          query(
            'step',
            { type: 'string', pattern: '^\\d+[mhd]$' },
            'Bucket size, whole minutes; default gives ~120 points.',
          ),
        ],
        responses: { '200': { description: 'Points.', content: json(ref('SeriesResponse')) }, ...readErrors },
      },
    },
    '/v1/routes': {
      get: {
        summary:
          'Per probe region and routed path (anycast, flycast): edge and served region shares in the window, last change.',
        parameters: [
          query('target', str, 'Only this target.'),
          query('path', { enum: [...ROUTED_PATHS] }, 'Only this path; both when absent.'),
          windowParam('1h'),
        ],
        responses: {
          '200': {
            description: 'Route summaries.',
            content: json(object({ from: int, to: int, routes: arrayOf(ref('RouteSummary')) })),
          },
          ...readErrors,
        },
      },
    },
    '/v1/routes/timeline': {
      get: {
        summary:
          'Per probe region: sample counts per edge and served region in each time bucket (anycast or flycast), from raw results; for the dashboard.',
        parameters: [
          query('target', str, 'Target name.', true),
          query('path', { enum: [...ROUTED_PATHS], default: 'anycast' }, 'Network path.'),
          query('protocol', { enum: [...PROTOCOLS], default: 'http' }, 'Protocol.'),
          windowParam('1h'),
          query(
            'step',
            { type: 'string', pattern: '^\\d+[smhd]$' },
            'Bucket size, at least 10s and at most 360 buckets; default gives ~60 buckets.',
          ),
        ],
        responses: {
          '200': { description: 'Timeline rows.', content: json(ref('RouteTimelineResponse')) },
          ...readErrors,
        },
      },
    },
    '/v1/probes': {
      get: {
        summary: 'Every probe with its last heartbeat.',
        responses: {
          '200': {
            description: 'Probes.',
            content: json(object({ at: int, probes: arrayOf(ref('ProbeListing')) })),
          },
          ...readErrors,
        },
      },
    },
    '/v1/regions': {
      get: {
        summary: 'The Fly region catalog with where probes and targets are.',
        responses: {
          '200': {
            description: 'Regions.',
            content: json(object({ regions: arrayOf(ref('RegionListing')) })),
          },
          ...readErrors,
        },
      },
    },
    '/v1/results': {
      get: {
        summary: 'Raw results within raw retention, newest first.',
        parameters: [
          query('probeId', str, 'Only this probe.'),
          query('probeRegion', regionCode, 'Only probes in this region.'),
          query('target', str, 'Only this target.'),
          query('path', { enum: [...PATHS] }, 'Only this path.'),
          query('protocol', { enum: [...PROTOCOLS] }, 'Only this protocol.'),
          query('since', str, 'Epoch ms or RFC 3339 date-time with a zone; nothing else.'),
          query('until', str, 'Epoch ms or RFC 3339 date-time with a zone; nothing else.'),
          query(
            'limit',
            { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            'Most results returned.',
          ),
        ],
        responses: {
          '200': {
            description: 'Results.',
            content: json(object({ results: arrayOf(ref('StoredResult')) })),
          },
          ...readErrors,
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document served at `/openapi.json`; plugins add their own paths. */
export function buildOpenApiDocument(extraPaths: OpenApiPaths = {}): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'flyprobe collector',
      version: '1',
      description:
        'Ingest from probes, probe configuration, and region latency matrices. Errors are `Error` bodies.',
    },
    components: {
      schemas: schemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: { ...corePaths(), ...extraPaths },
  };
}
