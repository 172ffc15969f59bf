import { PROVIDERS, providerModule } from './providers/index.ts';
import type { AlertStore, Receiver, ReceiverKind } from './types.ts';

/**
 * One environment receiver per provider whose URL variable is set (FLYPROBE_WEBHOOK_URL + FLYPROBE_WEBHOOK_SECRET,
 * FLYPROBE_SLACK_WEBHOOK_URL, FLYPROBE_ALERTMANAGER_URL + FLYPROBE_ALERTMANAGER_BEARER_TOKEN: each provider's `env`).
 */
export function receiversFromEnv(env: NodeJS.ProcessEnv): Receiver[] {
  const out: Receiver[] = [];
  for (const p of PROVIDERS) {
    const url = env[p.env.url]?.trim();
    if (!url) continue;
    const problem = receiverUrlProblem(p.kind, url);
    if (problem) throw new Error(`${p.env.url}: ${problem}`);
    const secret = (p.env.secret && env[p.env.secret]?.trim()) || null;
    out.push({
      id: `env:${p.kind}`,
      kind: p.kind,
      url,
      secret,
      name: p.env.url,
      source: 'env',
      createdAt: 0,
    });
  }
  return out;
}

/** Why a receiver's URL is unusable for its kind (its provider's config schema), or null. */
export function receiverUrlProblem(kind: ReceiverKind, url: string): string | null {
  const parsed = providerModule(kind).configSchema.safeParse({ url, secret: null });
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'is not a usable URL');
}

/** Environment receivers first, then the ones added through the admin API. */
export function receiverSource(store: AlertStore, fromEnv: readonly Receiver[]): () => Promise<Receiver[]> {
  return async () => [...fromEnv, ...(await store.listReceivers())];
}
