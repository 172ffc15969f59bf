import type { ReceiverKind } from '@flyprobe/shared';
import { alertmanager } from './alertmanager/index.ts';
import type { Provider, ProviderContext, ProviderModule } from './provider.ts';
import { slack } from './slack/index.ts';
import { webhook } from './webhook/index.ts';

/**
 * Every notification provider, in the order environment receivers are listed. Add a provider here; its kind
 * must be one of the wire contract's RECEIVER_KINDS (shared/src/contract/alerts.ts), which `POST /v1/receivers`
 * accepts (providers.test.ts checks that each kind has exactly one provider).
 */
export const PROVIDERS = [
  webhook,
  slack,
  alertmanager,
] as const satisfies readonly ProviderModule<ReceiverKind>[];

/** One built provider per receiver kind: what the delivery worker sends through. */
export type Providers = Record<ReceiverKind, Provider>;

const BY_KIND = new Map<string, ProviderModule>(PROVIDERS.map((p) => [p.kind, p]));

export function providerModule(kind: ReceiverKind): ProviderModule {
  const module = BY_KIND.get(kind);
  if (!module) throw new Error(`no provider for receiver kind "${kind}"`);
  return module;
}

export function createProviders(ctx: ProviderContext): Providers {
  return Object.fromEntries(PROVIDERS.map((p) => [p.kind, p.create(ctx)])) as Providers;
}
