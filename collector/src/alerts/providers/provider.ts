import type { AlertView } from '@flyprobe/shared';
import type { z } from 'zod';
import type { AlertingSettings } from '../settings.ts';
import type { NotificationKind, Receiver } from '../types.ts';
import type { DeliveryError } from './post.ts';

export interface Notification {
  eventId: string;
  kind: NotificationKind;
  alert: AlertView;
  /** 1 for the first attempt. */
  attempt: number;
}

/** One way of telling people. `deliver` throws `DeliveryError` on failure. */
export interface Provider {
  deliver(receiver: Receiver, notification: Notification): Promise<void>;
  /**
   * For receivers that forget an alert unless told again (Alertmanager expires it at `endsAt`): re-sends every
   * firing alert. The delivery worker calls it every `DeliveryOptions.alertmanagerRefreshMs`.
   */
  refresh?(receiver: Receiver, firing: readonly AlertView[]): Promise<void>;
}

/** What a receiver of any kind is configured with (the columns a receiver row stores). */
export interface ReceiverConfig {
  url: string;
  /** Webhook HMAC secret, Alertmanager bearer token; unused by Slack. */
  secret: string | null;
}

/** What a provider is built from. */
export interface ProviderContext {
  settings: AlertingSettings;
  now: () => number;
  /** One endpoint of several (an Alertmanager replica) failed while the delivery as a whole succeeded. */
  onEndpointError(receiver: Receiver, url: string, error: DeliveryError): void;
}

/** A notification provider: one folder under providers/ and one entry in PROVIDERS (providers/index.ts). */
export interface ProviderModule<K extends string = string> {
  /** The receiver `kind` (API body, environment receiver id `env:<kind>`, metrics label). */
  kind: K;
  /** The environment variables of this kind's environment receiver. */
  env: { url: string; secret?: string };
  /** Validates a receiver of this kind, from the environment or `POST /v1/receivers`; messages say what is wrong. */
  configSchema: z.ZodType<ReceiverConfig>;
  /** The URL as `GET /v1/receivers` shows it: credentials hidden, never returned. */
  redactUrl(url: string): string;
  create(ctx: ProviderContext): Provider;
}

/** Keeps the literal `kind` in the module's type, so `ReceiverKind` is derived from the list. */
export function defineProvider<const K extends string>(module: ProviderModule<K>): ProviderModule<K> {
  return module;
}
