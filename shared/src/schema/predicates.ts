import { isMachineRegion } from '../regions.ts';
import { MAX_DURATION_MS, MAX_EPOCH_MS, MAX_TEXT } from './common.ts';
import type { EchoPressure } from './echo.ts';

/**
 * The primitive checks of the wire schema as allocation-free predicates, for the hot paths that mirror
 * zod by hand (the collector's result check, the probe's echo parser). Each says exactly what the
 * schema type of the same name accepts; the mirrors' tests hold them to zod's verdicts.
 */

/** `epochMs`: 2020-01-01 or later. */
export const MIN_EPOCH_MS = 1_577_836_800_000;

export function isDurationMs(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= MAX_DURATION_MS;
}

export function isEpochMs(v: unknown): v is number {
  return typeof v === 'number' && v >= MIN_EPOCH_MS && v <= MAX_EPOCH_MS;
}

export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** `text`: at most MAX_TEXT characters, none of them C0, DEL or C1 controls. */
export function isText(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > MAX_TEXT) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

/** `regionCode`: three lowercase ASCII letters. */
export function isWellFormedRegion(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = v.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** `machineRegion`: a catalog region where Machines run. */
export function isMachineRegionCode(v: unknown): v is string {
  return typeof v === 'string' && isMachineRegion(v);
}

/** `identifier`: 1 to 64 of [A-Za-z0-9_.:-], starting with a letter or digit. */
export function isIdentifier(v: unknown): v is string {
  if (typeof v !== 'string' || v.length < 1 || v.length > 64) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && (i === 0 || (c !== 95 && c !== 46 && c !== 58 && c !== 45))) return false;
  }
  return true;
}

const PRESSURE_COUNTS = new Set([
  'cpuNrThrottled',
  'cpuThrottledUsec',
  'memoryHigh',
  'memoryOom',
  'memoryOomKill',
  'memoryMaxBytes',
]);

/** `echoPressure` on JSON input: known keys only, counts, and a PSI percentage. */
export function isEchoPressure(v: unknown): v is EchoPressure {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const value = o[key];
    if (key === 'memorySomeAvg10') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 100)) return false;
    } else if (!PRESSURE_COUNTS.has(key) || !isCount(value)) return false;
  }
  return true;
}
