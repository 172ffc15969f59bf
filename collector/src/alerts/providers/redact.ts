const HIDDEN = 'redacted';

/**
 * One URL with its credentials replaced: userinfo, every query value (tokens often ride there), the fragment,
 * and with `hidePath` (or on hooks.slack.com, whose path is the secret) all but the first path segment.
 * Scheme, host, port and the rest of the path stay so an operator can tell receivers apart.
 */
export function redactOneUrl(url: string, hidePath = false): string {
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
  if (hidePath || u.hostname === 'hooks.slack.com') {
    const first = u.pathname.split('/').filter(Boolean)[0];
    u.pathname = first ? `/${first}/${HIDDEN}` : `/${HIDDEN}`;
  }
  return u.toString();
}
