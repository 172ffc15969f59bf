import { isRegionCode, type RegionCode } from './regions.ts';

/** Headers fly-proxy adds or honours (see docs/ARCHITECTURE.md). */
export const FLY_HEADERS = {
  region: 'fly-region',
  requestId: 'fly-request-id',
  clientIp: 'fly-client-ip',
  forceRegion: 'fly-force-region',
  preferRegion: 'fly-prefer-region',
  forceInstance: 'fly-force-instance-id',
  preferInstance: 'fly-prefer-instance-id',
  traceparent: 'traceparent',
} as const;

/** Edge region from `Fly-Request-Id: <26-char ULID>-<edge>`; undefined when the header is absent or malformed. */
export function edgeFromRequestId(value: string | null | undefined): RegionCode | undefined {
  if (!value) return undefined;
  const m = /^[0-9A-HJKMNP-TV-Z]{26}-([a-z]{3})$/i.exec(value.trim());
  const code = m?.[1]?.toLowerCase();
  return code && isRegionCode(code) ? code : undefined;
}
