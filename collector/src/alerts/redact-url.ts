import { providerModule } from './providers/index.ts';
import type { ReceiverKind } from './types.ts';

/** A receiver URL as `GET /v1/receivers` shows it: credentials replaced, never returned (its provider decides how). */
export function redactUrl(url: string, kind: ReceiverKind): string {
  return providerModule(kind).redactUrl(url);
}
