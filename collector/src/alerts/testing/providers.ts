import { createProviders, type Providers } from '../providers/index.ts';
import { alertingSettingsFromEnv } from '../settings.ts';

/** Every registered provider as the plugin builds them (5 s timeout), with `over` replacing some. */
export function testProviders(now: () => number, over: Partial<Providers> = {}): Providers {
  const settings = { ...alertingSettingsFromEnv({}), deliveryTimeoutMs: 5000 };
  return { ...createProviders({ settings, now, onEndpointError: () => undefined }), ...over };
}
