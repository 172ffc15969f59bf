import { type AlertView, alertsRoutes, MAX_SILENCE_MS, type ReceiverView } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiEnv } from '../api/env.ts';
import { ApiError, validationError } from '../api/errors.ts';
import { route } from '../api/route.ts';
import { RULES } from '../detect/types.ts';
import { type AlertEngine, alertView } from './engine.ts';
import { receiverUrlProblem } from './receivers.ts';
import { redactUrl } from './redact-url.ts';
import { matcherProblem } from './silences.ts';
import type { AlertStore, Receiver } from './types.ts';

/** The alert routes' contract entries, for the rules this collector runs. */
export const alertsContract = alertsRoutes(RULES);

/** What the API shows of a receiver: never its signing secret, and its URL with credentials redacted. */
function publicReceiver(r: Receiver): ReceiverView {
  const { secret, url, ...rest } = r;
  return { ...rest, url: redactUrl(url, r.kind), hasSecret: secret !== null };
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
  const api = alertsContract;
  const view = (a: Parameters<typeof alertView>[0]) => (deps.annotate ?? ((v: AlertView) => v))(alertView(a));

  route(app, api.listAlerts, async ({ query, reply }) => {
    const alerts = await deps.store.listAlerts(query);
    return reply(200, { alerts: alerts.map(view) });
  });

  route(app, api.getAlert, async ({ params: { id }, reply }) => {
    const a = await deps.store.getAlert(id);
    if (!a) throw new ApiError(404, 'not_found', `no alert with id "${id}"`);
    return reply(200, view(a));
  });

  route(app, api.ackAlert, async ({ c, params: { id }, body, reply }) => {
    const by = body.by ?? c.get('caller').tokenId;
    const a = await deps.engine.acknowledge(id, by, deps.now());
    if (!a) throw new ApiError(404, 'not_found', `no alert with id "${id}"`);
    return reply(200, view(a));
  });

  route(app, api.listSilences, async ({ reply }) =>
    reply(200, { silences: await deps.store.listSilences(deps.now()) }),
  );

  route(app, api.createSilence, async ({ c, body, reply }) => {
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
    return reply(201, silence);
  });

  route(app, api.expireSilence, async ({ params: { id }, reply }) => {
    const expired = await deps.store.expireSilence(id, deps.now());
    if (!expired) throw new ApiError(404, 'not_found', `no active or pending silence with id "${id}"`);
    deps.onChange?.();
    return reply(200, { id, state: 'expired' });
  });

  route(app, api.listReceivers, async ({ reply }) => {
    const stored = await deps.store.listReceivers();
    return reply(200, { receivers: [...deps.envReceivers, ...stored].map(publicReceiver) });
  });

  route(app, api.createReceiver, async ({ body, reply }) => {
    const problem = receiverUrlProblem(body.kind, body.url);
    if (problem) throw validationError([{ field: 'url', message: problem }], 'receiver');
    const r = await deps.store.createReceiver(
      { kind: body.kind, url: body.url, secret: body.secret ?? null, name: body.name ?? null },
      deps.now(),
    );
    deps.onChange?.();
    return reply(201, publicReceiver(r));
  });

  route(app, api.deleteReceiver, async ({ c, params: { id } }) => {
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
