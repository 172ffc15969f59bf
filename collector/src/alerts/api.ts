import { ALERT_STATES, type AlertView, identifier, parseWith, plainText, regionCode } from '@flyprobe/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../api/env.ts';
import { ApiError, validationError } from '../api/errors.ts';
import { requireRole } from '../api/middleware/auth.ts';
import { readJsonBody } from '../api/middleware/body.ts';
import { QueryReader } from '../api/validation.ts';
import { RULES } from '../detect/types.ts';
import type { OpenApiPaths } from '../openapi.ts';
import { type AlertEngine, alertView } from './engine.ts';
import { receiverUrlProblem } from './receivers.ts';
import { redactUrl } from './redact-url.ts';
import { matcherProblem } from './silences.ts';
import { type AlertStore, RECEIVER_KINDS, type Receiver } from './types.ts';

const BODY_LIMIT = 64 * 1024;
const MAX_SILENCE_MS = 90 * 24 * 3_600_000;

const silenceBody = z.strictObject({
  matchers: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(64),
        value: z.string().max(256),
        isRegex: z.boolean().default(false),
        isEqual: z.boolean().default(true),
      }),
    )
    .min(1, { message: 'at least one matcher is required' })
    .max(20),
  startsAt: z.number().int().positive().optional(),
  endsAt: z.number().int().positive().optional(),
  /** Alternative to endsAt. */
  durationMs: z.number().int().positive().max(MAX_SILENCE_MS).optional(),
  comment: z.string().max(512).default(''),
  createdBy: z.string().min(1).max(128).optional(),
});

const ackBody = z.strictObject({
  by: plainText(128).min(1).optional(),
  comment: plainText(512).optional(),
});

const receiverBody = z.strictObject({
  kind: z.enum(RECEIVER_KINDS),
  url: z.string().min(1).max(2048),
  secret: z.string().min(16, { message: 'must be at least 16 characters' }).max(256).optional(),
  name: identifier.optional(),
});

/** What the API shows of a receiver: never its signing secret, and its URL with credentials redacted. */
function publicReceiver(r: Receiver) {
  const { secret, url, ...rest } = r;
  return { ...rest, url: redactUrl(url, r.kind), hasSecret: secret !== null };
}

async function parsedBody<S extends z.ZodType>(
  c: Parameters<typeof readJsonBody>[0],
  schema: S,
  what: string,
  optional = false,
) {
  const raw =
    optional && !c.req.header('content-length') && !c.req.header('transfer-encoding')
      ? {}
      : await readJsonBody(c, BODY_LIMIT);
  const r = parseWith(schema, raw ?? {});
  if (!r.ok) throw validationError(r.errors, what);
  return r.value as z.infer<S>;
}

export interface AlertsApiDeps {
  store: AlertStore;
  engine: AlertEngine;
  /** Environment receivers (read-only through the API). */
  envReceivers: readonly Receiver[];
  now: () => number;
  /** Something changed that the engine or delivery should act on now (silence ended, receiver added). */
  onChange?: () => void;
  /** Attaches what the cause sources know (the `causes` field) to every alert the API returns. */
  annotate?: (a: AlertView) => AlertView;
}

/**
 * `/v1/alerts` (read; ack needs admin), `/v1/silences` (read; create/expire admin) and `/v1/receivers`
 * (admin). Mounted at `/` behind the collector's bearer authentication.
 */
export function alertsApi(deps: AlertsApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const view = (a: Parameters<typeof alertView>[0]) => (deps.annotate ?? ((v: AlertView) => v))(alertView(a));

  app.get('/v1/alerts', requireRole('read'), async (c) => {
    const q = new QueryReader(c, ['state', 'rule', 'region', 'limit']);
    const query = c.req.query();
    const errors = q.errors;
    const state = query.state || undefined;
    if (state && !(ALERT_STATES as readonly string[]).includes(state))
      errors.push({ field: 'state', message: `must be one of ${ALERT_STATES.join(', ')}` });
    const rule = query.rule || undefined;
    if (rule && !(RULES as readonly string[]).includes(rule))
      errors.push({ field: 'rule', message: `must be one of ${RULES.join(', ')}` });
    const region = q.region('region');
    const limitText = query.limit;
    const limit = limitText === undefined || limitText === '' ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      errors.push({ field: 'limit', message: 'must be an integer from 1 to 1000' });
    if (errors.length > 0) throw validationError(errors, 'query');
    const alerts = await deps.store.listAlerts({
      state: state as AlertView['state'] | undefined,
      rule,
      region,
      limit,
    });
    return c.json({ alerts: alerts.map(view) });
  });

  app.get('/v1/alerts/:id', requireRole('read'), async (c) => {
    const a = await deps.store.getAlert(c.req.param('id'));
    if (!a) throw new ApiError(404, 'not_found', `no alert with id "${c.req.param('id')}"`);
    return c.json(view(a));
  });

  app.post('/v1/alerts/:id/ack', requireRole('admin'), async (c) => {
    const body = await parsedBody(c, ackBody, 'acknowledgement', true);
    const by = body.by ?? c.get('caller').tokenId;
    const a = await deps.engine.acknowledge(c.req.param('id'), by, deps.now());
    if (!a) throw new ApiError(404, 'not_found', `no alert with id "${c.req.param('id')}"`);
    return c.json(view(a));
  });

  app.get('/v1/silences', requireRole('read'), async (c) =>
    c.json({ silences: await deps.store.listSilences(deps.now()) }),
  );

  app.post('/v1/silences', requireRole('admin'), async (c) => {
    const body = await parsedBody(c, silenceBody, 'silence');
    const now = deps.now();
    const startsAt = body.startsAt ?? now;
    const endsAt = body.endsAt ?? (body.durationMs !== undefined ? startsAt + body.durationMs : undefined);
    const errors = body.matchers.flatMap((m, i) => {
      const problem = matcherProblem(m);
      return problem ? [{ field: `matchers[${i}]`, message: problem }] : [];
    });
    if (endsAt === undefined) errors.push({ field: 'endsAt', message: 'endsAt or durationMs is required' });
    else if (endsAt <= startsAt) errors.push({ field: 'endsAt', message: 'must be after startsAt' });
    else if (endsAt <= now) errors.push({ field: 'endsAt', message: 'must be in the future' });
    else if (endsAt - startsAt > MAX_SILENCE_MS)
      errors.push({ field: 'endsAt', message: 'a silence lasts at most 90 days' });
    if (errors.length > 0) throw validationError(errors, 'silence');
    const silence = await deps.store.createSilence(
      {
        matchers: body.matchers,
        startsAt,
        endsAt: endsAt as number,
        comment: body.comment,
        createdBy: body.createdBy ?? c.get('caller').tokenId,
      },
      now,
    );
    deps.onChange?.();
    return c.json(silence, 201);
  });

  app.delete('/v1/silences/:id', requireRole('admin'), async (c) => {
    const expired = await deps.store.expireSilence(c.req.param('id'), deps.now());
    if (!expired)
      throw new ApiError(404, 'not_found', `no active or pending silence with id "${c.req.param('id')}"`);
    deps.onChange?.();
    return c.json({ id: c.req.param('id'), state: 'expired' });
  });

  app.get('/v1/receivers', requireRole('admin'), async (c) => {
    const stored = await deps.store.listReceivers();
    return c.json({ receivers: [...deps.envReceivers, ...stored].map(publicReceiver) });
  });

  app.post('/v1/receivers', requireRole('admin'), async (c) => {
    const body = await parsedBody(c, receiverBody, 'receiver');
    const problem = receiverUrlProblem(body.kind, body.url);
    if (problem) throw validationError([{ field: 'url', message: problem }], 'receiver');
    const r = await deps.store.createReceiver(
      { kind: body.kind, url: body.url, secret: body.secret ?? null, name: body.name ?? null },
      deps.now(),
    );
    deps.onChange?.();
    return c.json(publicReceiver(r), 201);
  });

  app.delete('/v1/receivers/:id', requireRole('admin'), async (c) => {
    const id = c.req.param('id');
    if (id.startsWith('env:'))
      throw new ApiError(
        400,
        'bad_request',
        `receiver "${id}" comes from the environment; unset its variable instead`,
      );
    if (!(await deps.store.deleteReceiver(id)))
      throw new ApiError(404, 'not_found', `no receiver with id "${id}"`);
    return c.body(null, 204);
  });

  return app;
}

const ok = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const errors = {
  '400': { description: 'invalid input; names the field' },
  '401': { description: 'no or bad token' },
  '403': { description: 'role too low' },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** OpenAPI path items for the alert routes, merged into `/openapi.json`. */
export const alertsOpenApi: OpenApiPaths = {
  '/v1/alerts': {
    get: {
      summary: 'List alerts, newest first (read)',
      parameters: [
        { name: 'state', in: 'query', schema: { type: 'string', enum: [...ALERT_STATES] } },
        { name: 'rule', in: 'query', schema: { type: 'string', enum: [...RULES] } },
        {
          name: 'region',
          in: 'query',
          description: 'matches the region or probe_region label',
          schema: regionCode.toJSONSchema(),
        },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
      ],
      responses: { '200': ok('{ alerts: AlertView[] } (each with `causes` when known)'), ...errors },
    },
  },
  '/v1/alerts/{id}': {
    get: {
      summary: 'One alert with its evidence and, when cause sources know any, its likely `causes` (read)',
      parameters: [idParam],
      responses: { '200': ok('AlertView'), '404': { description: 'unknown id' }, ...errors },
    },
  },
  '/v1/alerts/{id}/ack': {
    post: {
      summary: 'Acknowledge an alert (admin); body { by?, comment? } is optional',
      parameters: [idParam],
      responses: { '200': ok('AlertView'), '404': { description: 'unknown id' }, ...errors },
    },
  },
  '/v1/silences': {
    get: {
      summary: 'List silences with their state (read)',
      responses: { '200': ok('{ silences: SilenceView[] }'), ...errors },
    },
    post: {
      summary:
        'Create a silence (admin): { matchers: [{name, value, isRegex?, isEqual?}], startsAt?, endsAt | durationMs, comment?, createdBy? }',
      responses: { '201': ok('SilenceView'), ...errors },
    },
  },
  '/v1/silences/{id}': {
    delete: {
      summary: 'Expire a silence now (admin)',
      parameters: [idParam],
      responses: {
        '200': ok('{ id, state }'),
        '404': { description: 'unknown or already expired' },
        ...errors,
      },
    },
  },
  '/v1/receivers': {
    get: {
      summary: 'Notification receivers; secrets are never returned (admin)',
      responses: { '200': ok('{ receivers }'), ...errors },
    },
    post: {
      summary:
        'Add a receiver (admin): { kind: webhook|slack|alertmanager, url, secret?, name? }; for alertmanager, url lists every replica (comma-separated, user:password@ for basic auth) and secret is a bearer token',
      responses: { '201': ok('receiver'), ...errors },
    },
  },
  '/v1/receivers/{id}': {
    delete: {
      summary: 'Remove a receiver added through the API (admin)',
      parameters: [idParam],
      responses: { '204': { description: 'removed' }, '404': { description: 'unknown id' }, ...errors },
    },
  },
};
