import { alertmanagerUrlList } from './providers/alertmanager/endpoints.ts';
import type { ReceiverKind } from './types.ts';

const HIDDEN = 'redacted';

/**
 * A receiver URL as `GET /v1/receivers` shows it: credentials are replaced, never returned. Userinfo,
 * every query value (tokens often ride there), the fragment, and a Slack incoming-webhook path (the path
 * is the secret) are hidden; scheme, host, port and the rest of the path stay so an operator can tell
 * receivers apart.
 */
export function redactUrl(url: string, kind: ReceiverKind): string {
  // An Alertmanager receiver lists every replica of its cluster: each URL is redacted on its own.
  if (kind === 'alertmanager')
    return alertmanagerUrlList(url)
      .map((one) => redactOne(one, kind))
      .join(',');
  return redactOne(url, kind);
}

function redactOne(url: string, kind: ReceiverKind): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return HIDDEN;
  }
  if (u.username || u.password) {
    u.username = HIDDEN;
    u.password = '';
  }
  for (const key of [...new Set(u.searchParams.keys())]) u.searchParams.set(key, HIDDEN);
  u.hash = '';
  if (kind === 'slack' || u.hostname === 'hooks.slack.com') {
    const first = u.pathname.split('/').filter(Boolean)[0];
    u.pathname = first ? `/${first}/${HIDDEN}` : `/${HIDDEN}`;
  }
  return u.toString();
}
