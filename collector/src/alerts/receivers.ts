import { parseAlertmanagerUrls } from './providers/alertmanager/index.ts';
import type { AlertStore, Receiver, ReceiverKind } from './types.ts';

/**
 * Receivers from FLYPROBE_WEBHOOK_URL (+ FLYPROBE_WEBHOOK_SECRET), FLYPROBE_SLACK_WEBHOOK_URL,
 * FLYPROBE_ALERTMANAGER_URL (+ FLYPROBE_ALERTMANAGER_BEARER_TOKEN).
 */
export function receiversFromEnv(env: NodeJS.ProcessEnv): Receiver[] {
  const out: Receiver[] = [];
  const add = (kind: ReceiverKind, name: string, secret: string | null = null) => {
    const url = env[name]?.trim();
    if (!url) return;
    const problem = receiverUrlProblem(kind, url);
    if (problem) throw new Error(`${name}: ${problem}`);
    out.push({ id: `env:${kind}`, kind, url, secret, name, source: 'env', createdAt: 0 });
  };
  add('webhook', 'FLYPROBE_WEBHOOK_URL', env.FLYPROBE_WEBHOOK_SECRET?.trim() || null);
  add('slack', 'FLYPROBE_SLACK_WEBHOOK_URL');
  add('alertmanager', 'FLYPROBE_ALERTMANAGER_URL', env.FLYPROBE_ALERTMANAGER_BEARER_TOKEN?.trim() || null);
  return out;
}

/** Why a receiver URL is unusable, or null. */
export function urlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  return null;
}

/** Why a receiver's URL is unusable for its kind (Alertmanager takes a list of replicas), or null. */
export function receiverUrlProblem(kind: ReceiverKind, url: string): string | null {
  if (kind !== 'alertmanager') return urlProblem(url);
  const parsed = parseAlertmanagerUrls(url);
  return 'problem' in parsed ? parsed.problem : null;
}

/** Environment receivers first, then the ones added through the admin API. */
export function receiverSource(store: AlertStore, fromEnv: readonly Receiver[]): () => Promise<Receiver[]> {
  return async () => [...fromEnv, ...(await store.listReceivers())];
}
