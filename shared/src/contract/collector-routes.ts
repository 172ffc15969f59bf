import { z } from 'zod';
import { ingestBatch, ingestResponse } from '../schema/batch.ts';
import { probeConfig } from '../schema/config.ts';
import { parseTargets } from '../schema/targets.ts';
import {
  createdToken,
  TOKEN_ID_MAX,
  targetsRequest,
  targetsResponse,
  tokenListResponse,
  tokenRequest,
} from './admin.ts';
import {
  durationParam,
  durationRangeMessage,
  enumParam,
  formatDuration,
  identifierParam,
  integerParam,
  MAX_WINDOW_MS,
  MINUTE_MS,
  pathParam,
  protocolParam,
  regionParam,
  routedPathParam,
  timeParam,
} from './query.ts';
import {
  MATRIX_METRICS,
  matrixResponse,
  probesResponse,
  regionsResponse,
  resultsResponse,
  routesResponse,
  routeTimelineResponse,
  seriesResponse,
} from './read.ts';
import { defineRoute, empty, json } from './route.ts';

/** The collector's own routes (the alert routes are in alerts-routes.ts, mounted by the alerting plugin). */

/** Bound on series points per answer, so a long window with a small step cannot ask for millions. */
export const MAX_SERIES_POINTS = 2000;
const DEFAULT_SERIES_POINTS = 120;
/** Raw results one route timeline reads; past it the oldest part of the window is left out (`coveredFrom`). */
export const TIMELINE_MAX_RESULTS = 10_000;
const TIMELINE_MAX_BUCKETS = 360;
const TIMELINE_DEFAULT_BUCKETS = 60;
const TIMELINE_MIN_STEP_MS = 10_000;
const TIMELINE_MAX_WINDOW_MS = 7 * 24 * 60 * MINUTE_MS;
export const MAX_RESULTS_LIMIT = 1000;
const TARGETS_MAX_BYTES = 1024 * 1024;
const TOKENS_MAX_BYTES = 64 * 1024;

const status = <const S extends string>(...values: [S, ...S[]]) => z.strictObject({ status: z.enum(values) });
const window = (fallback: string, maxMs = MAX_WINDOW_MS) =>
  durationParam(MINUTE_MS, maxMs).prefault(fallback);
const cellQuery = {
  target: identifierParam,
  path: pathParam.default('anycast'),
  protocol: protocolParam.default('http'),
  metric: enumParam(MATRIX_METRICS).default('p50'),
};
const matrixQuery = { ...cellQuery, window: window('15m') };

export const healthz = defineRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers.',
  auth: 'public',
  responses: { 200: json(status('ok'), 'The process answers.') },
});

export const readyz = defineRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the store answers and the collector is not shutting down.',
  auth: 'public',
  responses: {
    200: json(status('ready'), 'Ready.'),
    503: json(status('shutting_down', 'store_unavailable'), 'Not ready, and why.'),
  },
});

export const metrics = defineRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics; bearer FLYPROBE_METRICS_TOKEN when that is set.',
  auth: 'metrics',
  responses: { 200: { description: 'Prometheus text format.', media: 'text/plain' } },
});

export const openapi = defineRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This document, generated from the wire contract (shared/src/contract).',
  auth: 'public',
  responses: {
    200: json(
      z.strictObject({
        openapi: z.literal('3.1.0'),
        info: z.record(z.string(), z.unknown()),
        components: z.record(z.string(), z.unknown()),
        security: z.array(z.record(z.string(), z.array(z.string()))),
        paths: z.record(z.string(), z.record(z.string(), z.unknown())),
      }),
      'OpenAPI 3.1.',
    ),
  },
});

export const dashboardRoot = defineRoute({
  method: 'get',
  path: '/',
  summary: 'Redirects to the web dashboard.',
  auth: 'public',
  responses: { 302: empty('To /dashboard/.', { Location: '/dashboard/' }) },
});

export const dashboardRedirect = defineRoute({
  method: 'get',
  path: '/dashboard',
  summary: 'Redirects to /dashboard/.',
  auth: 'public',
  responses: { 301: empty('To /dashboard/.', { Location: '/dashboard/' }) },
});

const revalidated = empty('Unchanged since the ETag given in If-None-Match.');

export const dashboardPage = defineRoute({
  method: 'get',
  path: '/dashboard/',
  summary: 'The web dashboard (sign in with a read or admin token; see docs/DASHBOARD.md).',
  auth: 'public',
  responses: {
    200: { description: 'HTML.', media: 'text/html', headers: { ETag: 'The page version.' } },
    304: revalidated,
  },
});

export const dashboardFile = defineRoute({
  method: 'get',
  path: '/dashboard/:file',
  summary: 'A dashboard file (ES module, CSS), with ETag and gzip.',
  auth: 'public',
  params: { file: z.string() },
  responses: { 200: { description: 'The file.', media: '*/*' }, 304: revalidated },
  errors: { 404: 'No such file.' },
});

export const ingest = defineRoute({
  method: 'post',
  path: '/v1/ingest',
  summary: 'Store a batch of results and a heartbeat (probe token). Idempotent on (probeId, bootId, seq).',
  auth: ['probe'],
  // Parsed by the ingest route itself, result by result; at most FLYPROBE_INGEST_MAX_BYTES.
  body: { schema: ingestBatch, what: 'batch' },
  responses: {
    200: json(ingestResponse, 'Counts of new, duplicate and rejected results (each with its reason).'),
  },
  errors: {
    403: 'Not a probe token, or the batch identity (probe.probeId, probe.app, probe.region) differs from the token binding.',
    413: 'Body larger than FLYPROBE_INGEST_MAX_BYTES (after gzip decoding).',
    429: 'Per-token rate limit; see Retry-After.',
    503: 'Nothing acknowledged, send the batch again (idempotent): the collector is shutting down (`shutting_down`), or its SQLite writer thread stopped before answering (`unavailable`).',
  },
});

export const config = defineRoute({
  method: 'get',
  path: '/v1/config',
  summary: "The calling probe's configuration (probe or admin token), with an ETag; If-None-Match gives 304.",
  auth: ['probe', 'admin'],
  query: { probeId: identifierParam.optional() },
  responses: {
    200: json(probeConfig, 'The configuration: at most 200 mesh peers, the freshest.', {
      ETag: 'Strong tag of the document.',
      'Flyprobe-Mesh-Peers-Omitted': 'Live peers left out, when any.',
    }),
    304: revalidated,
  },
  errors: { 403: "Not a probe or admin token, an unbound probe token, or another probe's probeId." },
});

export const getTargets = defineRoute({
  method: 'get',
  path: '/v1/targets',
  summary: 'Current targets and revision.',
  auth: ['read'],
  responses: { 200: json(targetsResponse, 'Targets.') },
});

export const putTargets = defineRoute({
  method: 'put',
  path: '/v1/targets',
  summary: 'Replace the target list; returns the new revision.',
  auth: ['admin'],
  body: {
    schema: targetsRequest,
    what: 'targets',
    maxBytes: TARGETS_MAX_BYTES,
    // Each entry on its own (`[2].intervalMs`), and names unique.
    parse: (input: unknown) => {
      const r = parseTargets(input);
      return r.ok ? { ok: true as const, value: r.targets } : r;
    },
  },
  responses: { 200: json(targetsResponse, 'Stored, with defaults filled.') },
});

export const createToken = defineRoute({
  method: 'post',
  path: '/v1/tokens',
  summary: 'Create a token; the secret is returned only here.',
  auth: ['admin'],
  body: { schema: tokenRequest, what: 'token request', maxBytes: TOKENS_MAX_BYTES },
  responses: { 201: json(createdToken, 'Created: the record and, only here, its secret.') },
  errors: {
    400: 'Invalid request; a probe token needs probeId, app and region unless FLYPROBE_ALLOW_UNBOUND_PROBES=1.',
  },
});

export const listTokens = defineRoute({
  method: 'get',
  path: '/v1/tokens',
  summary: 'List tokens without secrets.',
  auth: ['admin'],
  responses: { 200: json(tokenListResponse, 'Tokens.') },
});

export const revokeToken = defineRoute({
  method: 'delete',
  path: '/v1/tokens/:id',
  summary: 'Revoke a token.',
  auth: ['admin'],
  params: { id: z.string().max(TOKEN_ID_MAX, { message: `must be at most ${TOKEN_ID_MAX} characters` }) },
  responses: { 204: empty('Revoked.') },
  errors: { 400: `An id longer than ${TOKEN_ID_MAX} characters.`, 404: 'No such token.' },
});

export const matrix = defineRoute({
  method: 'get',
  path: '/v1/matrix',
  summary:
    'Region x region matrix for one target, path, protocol and metric, from rollups (CSV with Accept: text/csv).',
  auth: ['read'],
  query: matrixQuery,
  responses: {
    200: {
      ...json(matrixResponse, 'One cell per (probe region, column region) with samples.'),
      media: 'text/csv',
    },
  },
});

export const matrixCsv = defineRoute({
  method: 'get',
  path: '/v1/matrix.csv',
  summary: 'The matrix as CSV: from,to,value,samples,floor_ms,inflation.',
  auth: ['read'],
  query: matrixQuery,
  responses: { 200: { description: 'CSV.', media: 'text/csv' } },
});

/** A whole number of minutes giving about DEFAULT_SERIES_POINTS points over the window. */
function defaultSeriesStep(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / DEFAULT_SERIES_POINTS / MINUTE_MS)) * MINUTE_MS;
}

export const series = defineRoute({
  method: 'get',
  path: '/v1/series',
  summary: 'One matrix cell over time, from rollups.',
  auth: ['read'],
  query: {
    ...cellQuery,
    from: regionParam,
    to: regionParam,
    window: window('1h'),
    step: durationParam(MINUTE_MS, MAX_WINDOW_MS).optional(),
  },
  resolve: (q, errors) => {
    const stepMs = q.step ?? defaultSeriesStep(q.window);
    if (stepMs % MINUTE_MS !== 0)
      errors.push({ field: 'step', message: 'must be a whole number of minutes' });
    else if (q.window / stepMs > MAX_SERIES_POINTS) {
      const least = Math.ceil(q.window / MAX_SERIES_POINTS / MINUTE_MS) * MINUTE_MS;
      errors.push({
        field: 'step',
        message: `gives more than ${MAX_SERIES_POINTS} points over ${formatDuration(q.window)}; use at least ${formatDuration(least)}`,
      });
    }
    return { ...q, step: stepMs };
  },
  responses: { 200: json(seriesResponse, 'Points.') },
});

export const routes = defineRoute({
  method: 'get',
  path: '/v1/routes',
  summary:
    'Per probe region and routed path (anycast, flycast): edge and served region shares in the window, last change.',
  auth: ['read'],
  query: { target: identifierParam.optional(), path: routedPathParam.optional(), window: window('1h') },
  responses: { 200: json(routesResponse, 'Route summaries.') },
});

export const routeTimeline = defineRoute({
  method: 'get',
  path: '/v1/routes/timeline',
  summary:
    'Per probe region: sample counts per edge and served region in each time bucket (anycast or flycast), from raw results; for the dashboard.',
  auth: ['read'],
  query: {
    target: identifierParam,
    // Only where the proxy picks the region can edge and served move.
    path: routedPathParam.default('anycast'),
    protocol: protocolParam.default('http'),
    window: window('1h', TIMELINE_MAX_WINDOW_MS),
    step: durationParam().optional(),
  },
  resolve: (q, errors) => {
    const fallback =
      Math.max(1, Math.ceil(q.window / TIMELINE_DEFAULT_BUCKETS / TIMELINE_MIN_STEP_MS)) *
      TIMELINE_MIN_STEP_MS;
    let stepMs = q.step ?? fallback;
    if (stepMs < TIMELINE_MIN_STEP_MS || stepMs > q.window) {
      errors.push({ field: 'step', message: durationRangeMessage(TIMELINE_MIN_STEP_MS, q.window) });
      stepMs = fallback;
    }
    if (q.window / stepMs > TIMELINE_MAX_BUCKETS)
      errors.push({
        field: 'step',
        message: `gives more than ${TIMELINE_MAX_BUCKETS} buckets over ${formatDuration(q.window)}`,
      });
    return { ...q, step: stepMs };
  },
  responses: { 200: json(routeTimelineResponse, 'Timeline rows.') },
});

export const probes = defineRoute({
  method: 'get',
  path: '/v1/probes',
  summary: 'Every probe that ever reported, with its last heartbeat.',
  auth: ['read'],
  query: {},
  responses: { 200: json(probesResponse, 'Probes.') },
});

export const regions = defineRoute({
  method: 'get',
  path: '/v1/regions',
  summary: 'The Fly region catalog with where probes and targets are; unknown codes in use appear too.',
  auth: ['read'],
  query: {},
  responses: { 200: json(regionsResponse, 'Regions.') },
});

export const results = defineRoute({
  method: 'get',
  path: '/v1/results',
  summary: 'Raw results within raw retention, newest first.',
  auth: ['read'],
  query: {
    probeId: identifierParam.optional(),
    probeRegion: regionParam.optional(),
    target: identifierParam.optional(),
    path: pathParam.optional(),
    protocol: protocolParam.optional(),
    since: timeParam.optional(),
    until: timeParam.optional(),
    limit: integerParam(1, MAX_RESULTS_LIMIT).prefault('100'),
  },
  resolve: (q, errors) => {
    if (q.since !== undefined && q.until !== undefined && q.since > q.until)
      errors.push({ field: 'since', message: 'must not be after until' });
    return q;
  },
  responses: { 200: json(resultsResponse, 'Results.') },
});

/** What a stopping collector still answers; everything else gets 503 `shutting_down`. */
export const SERVED_WHILE_STOPPING: readonly string[] = [healthz.path, readyz.path];

/** Every route of the collector itself, in the order the app mounts them. */
export const COLLECTOR_ROUTES = [
  healthz,
  readyz,
  metrics,
  openapi,
  ingest,
  config,
  getTargets,
  putTargets,
  createToken,
  listTokens,
  revokeToken,
  matrix,
  matrixCsv,
  series,
  routes,
  routeTimeline,
  probes,
  regions,
  results,
  dashboardRoot,
  dashboardPage,
  dashboardRedirect,
  dashboardFile,
] as const;
