import { z } from 'zod';
import {
  ALERT_STATES,
  ackRequest,
  alertListResponse,
  alertView,
  RECEIVER_KINDS,
  receiverListResponse,
  receiverRequest,
  receiverView,
  silenceExpired,
  silenceListResponse,
  silenceRequest,
  silenceView,
} from './alerts.ts';
import { enumParam, regionParam } from './query.ts';
import { defineRoute, empty, json } from './route.ts';

const BODY_MAX_BYTES = 64 * 1024;
const LIMIT_MESSAGE = 'must be an integer from 1 to 1000';
const id = { id: z.string() };

/** Any number notation `Number` reads (`1e2`), whole and from 1 to 1000. */
const alertLimit = z
  .string()
  .transform(Number)
  .pipe(
    z
      .number({ message: LIMIT_MESSAGE })
      .int({ message: LIMIT_MESSAGE })
      .min(1, LIMIT_MESSAGE)
      .max(1000, LIMIT_MESSAGE),
  );

/**
 * The alert routes (`/v1/alerts`, `/v1/silences`, `/v1/receivers`), mounted by the alerting plugin.
 * `rules` are the detector rules the collector runs, which `?rule=` must name (any name for a client that
 * does not know them).
 */
export function alertsRoutes(rules?: readonly string[]) {
  const listAlerts = defineRoute({
    method: 'get',
    path: '/v1/alerts',
    summary: 'List alerts, newest first (each with `causes` when known).',
    auth: ['read'],
    query: {
      state: enumParam(ALERT_STATES).optional(),
      rule: (rules ? enumParam(rules) : z.string()).optional(),
      /** Matches the region or probe_region label. */
      region: regionParam.optional(),
      limit: alertLimit.prefault('100'),
    },
    responses: { 200: json(alertListResponse, 'Alerts.') },
  });
  const getAlert = defineRoute({
    method: 'get',
    path: '/v1/alerts/:id',
    summary: 'One alert with its evidence and, when cause sources know any, its likely `causes`.',
    auth: ['read'],
    params: id,
    responses: { 200: json(alertView, 'The alert.') },
    errors: { 404: 'No alert with this id.' },
  });
  const ackAlert = defineRoute({
    method: 'post',
    path: '/v1/alerts/:id/ack',
    summary: 'Acknowledge an alert; the body `{ by?, comment? }` may be left out.',
    auth: ['admin'],
    params: id,
    body: { schema: ackRequest, what: 'acknowledgement', maxBytes: BODY_MAX_BYTES, optional: true },
    responses: { 200: json(alertView, 'The acknowledged alert.') },
    errors: { 404: 'No alert with this id.' },
  });
  const listSilences = defineRoute({
    method: 'get',
    path: '/v1/silences',
    summary: 'Silences with their state.',
    auth: ['read'],
    responses: { 200: json(silenceListResponse, 'Silences, newest first.') },
  });
  const createSilence = defineRoute({
    method: 'post',
    path: '/v1/silences',
    summary:
      'Create a silence: label matchers, startsAt?, endsAt or durationMs (at most 90 days), comment?, createdBy?.',
    auth: ['admin'],
    body: { schema: silenceRequest, what: 'silence', maxBytes: BODY_MAX_BYTES },
    responses: { 201: json(silenceView, 'The silence.') },
  });
  const expireSilence = defineRoute({
    method: 'delete',
    path: '/v1/silences/:id',
    summary: 'Expire a silence now.',
    auth: ['admin'],
    params: id,
    responses: { 200: json(silenceExpired, 'Expired.') },
    errors: { 404: 'No active or pending silence with this id.' },
  });
  const listReceivers = defineRoute({
    method: 'get',
    path: '/v1/receivers',
    summary: 'Notification receivers; secrets are never returned and URLs are redacted.',
    auth: ['admin'],
    responses: { 200: json(receiverListResponse, 'Receivers, from the environment first.') },
  });
  const createReceiver = defineRoute({
    method: 'post',
    path: '/v1/receivers',
    summary: `Add a receiver: { kind: ${RECEIVER_KINDS.join('|')}, url, secret?, name? }; for alertmanager, url lists every replica (comma-separated, user:password@ for basic auth) and secret is a bearer token.`,
    auth: ['admin'],
    body: { schema: receiverRequest, what: 'receiver', maxBytes: BODY_MAX_BYTES },
    responses: { 201: json(receiverView, 'The receiver, redacted.') },
  });
  const deleteReceiver = defineRoute({
    method: 'delete',
    path: '/v1/receivers/:id',
    summary: 'Remove a receiver added through the API (environment receivers are a 400).',
    auth: ['admin'],
    params: id,
    responses: { 204: empty('Removed.') },
    errors: { 400: 'The receiver comes from the environment.', 404: 'No receiver with this id.' },
  });
  return {
    listAlerts,
    getAlert,
    ackAlert,
    listSilences,
    createSilence,
    expireSilence,
    listReceivers,
    createReceiver,
    deleteReceiver,
  };
}
