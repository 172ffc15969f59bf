/** One Alertmanager replica: its base URL (credentials removed) and the basic auth they carried. */
export interface AlertmanagerEndpoint {
  url: string;
  basicAuth?: { username: string; password: string };
}

/** Replicas of one cluster at most; Prometheus users list every replica, a handful in practice. */
export const MAX_ALERTMANAGER_URLS = 16;

/**
 * Parses a receiver URL spec: one or more base URLs separated by commas or whitespace (every replica of an
 * Alertmanager cluster); `https://user:password@host` carries basic auth. Returns a problem naming the URL.
 */
export function parseAlertmanagerUrls(
  spec: string,
): { endpoints: AlertmanagerEndpoint[] } | { problem: string } {
  const parts = spec.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { problem: 'must list at least one URL' };
  if (parts.length > MAX_ALERTMANAGER_URLS) {
    return { problem: `lists ${parts.length} URLs, at most ${MAX_ALERTMANAGER_URLS} are allowed` };
  }
  const endpoints: AlertmanagerEndpoint[] = [];
  for (const [i, part] of parts.entries()) {
    let u: URL;
    try {
      u = new URL(part);
    } catch {
      return { problem: `URL ${i + 1} is not an absolute URL` };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return { problem: `URL ${i + 1} must be an http or https URL` };
    }
    const endpoint: AlertmanagerEndpoint = { url: '' };
    if (u.username || u.password) {
      endpoint.basicAuth = {
        username: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
      };
      u.username = '';
      u.password = '';
    }
    endpoint.url = u.toString().replace(/\/+$/, '');
    endpoints.push(endpoint);
  }
  return { endpoints };
}

/** The URLs of a spec, unparsed. */
export function alertmanagerUrlList(spec: string): string[] {
  return spec.split(/[\s,]+/).filter(Boolean);
}
