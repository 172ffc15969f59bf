import {
  isCount,
  isDurationMs,
  isEchoPressure,
  isEpochMs,
  isIdentifier,
  isMachineRegionCode,
  isText,
  isWellFormedRegion,
  OUTCOMES,
  PATHS,
  PROTOCOLS,
  type ProbeResult,
  probeResult,
  STREAM_END_REASONS,
  streamInfo,
} from '@flyprobe/shared';

/**
 * Fast acceptance test for one wire result, mirroring the shared zod schema `probeResult`.
 *
 * Why: zod copies every object it validates and costs a few microseconds per result, a large share of the
 * ingest CPU. This check allocates nothing and answers only "certainly valid": `true` means zod would accept
 * the value and return a deep-equal copy, so the value itself can be stored. `false` means "ask zod", which
 * then decides and names the failing field; anything unusual (undefined values, a foreign prototype) falls
 * back to zod too. result-check.test.ts holds both to the same verdict on JSON input.
 */
export function isValidResult(value: unknown): value is ProbeResult {
  if (!isPlainObject(value)) return false;
  let required = 0;
  for (const key in value) {
    const v = value[key];
    switch (key) {
      case 'seq':
        if (!isCount(v)) return false;
        required |= 1;
        break;
      case 'target':
        if (!isIdentifier(v)) return false;
        required |= 2;
        break;
      case 'path':
        if (!PATH_SET.has(v)) return false;
        required |= 4;
        break;
      case 'protocol':
        if (!PROTOCOL_SET.has(v)) return false;
        required |= 8;
        break;
      case 'startedAt':
        if (!isEpochMs(v)) return false;
        required |= 16;
        break;
      case 'phases':
        if (!isPhases(v)) return false;
        required |= 32;
        break;
      case 'outcome':
        if (!OUTCOME_SET.has(v)) return false;
        required |= 64;
        break;
      case 'targetRegion':
      case 'servedRegion':
        if (!isMachineRegionCode(v)) return false;
        break;
      case 'edgeRegion':
        if (!isWellFormedRegion(v)) return false;
        break;
      case 'peer':
      case 'servedMachine':
        if (!isIdentifier(v)) return false;
        break;
      case 'latencyMs':
        if (!isDurationMs(v)) return false;
        break;
      case 'errorMessage':
        if (!isText(v)) return false;
        break;
      case 'failedPhase':
        if (!FAILED_PHASE_SET.has(v)) return false;
        break;
      case 'httpStatus':
        if (!isIntIn(v, 100, 599)) return false;
        break;
      case 'httpVersion':
        if (!HTTP_VERSION_SET.has(v)) return false;
        break;
      case 'bytes':
        if (!isCount(v)) return false;
        break;
      case 'grpcCode':
        if (!isIntIn(v, 0, 16)) return false;
        break;
      case 'echo':
        if (!isEchoInfo(v)) return false;
        break;
      case 'stream':
        if (!isStreamInfo(v)) return false;
        break;
      case 'degraded':
        if (typeof v !== 'boolean') return false;
        break;
      case 'traceId':
        if (typeof v !== 'string' || !TRACE_ID.test(v)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 127;
}

const PATH_SET = new Set<unknown>(PATHS);
const PROTOCOL_SET = new Set<unknown>(PROTOCOLS);
const OUTCOME_SET = new Set<unknown>(OUTCOMES);
const FAILED_PHASE_SET = new Set<unknown>(probeResult.shape.failedPhase.unwrap().options);
const HTTP_VERSION_SET = new Set<unknown>(probeResult.shape.httpVersion.unwrap().options);
const STREAM_EVENT_SET = new Set<unknown>(streamInfo.shape.event.options);
const STREAM_END_SET = new Set<unknown>(STREAM_END_REASONS);
const PHASE_KEYS = new Set<string>(Object.keys(probeResult.shape.phases.shape));
const TRACE_ID = /^[0-9a-f]{32}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function isIntIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

function isPhases(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const key in v) if (!PHASE_KEYS.has(key) || !isDurationMs(v[key])) return false;
  return true;
}

function isEchoInfo(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  let required = 0;
  for (const key in v) {
    const x = v[key];
    switch (key) {
      case 'region':
        if (!isMachineRegionCode(x)) return false;
        required |= 1;
        break;
      case 'machineId':
        if (!isIdentifier(x)) return false;
        required |= 2;
        break;
      case 'startedAt':
        if (!isEpochMs(x)) return false;
        required |= 4;
        break;
      case 'receivedAt':
        if (!isEpochMs(x)) return false;
        required |= 8;
        break;
      case 'requestId':
        if (!isIdentifier(x)) return false;
        required |= 16;
        break;
      case 'app':
        if (!isIdentifier(x)) return false;
        break;
      case 'imageRef':
        if (!isText(x)) return false;
        break;
      case 'edgeRegion':
        if (!isWellFormedRegion(x)) return false;
        break;
      case 'pressure':
        if (!isEchoPressure(x)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 31;
}

function isStreamInfo(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  let required = 0;
  for (const key in v) {
    const x = v[key];
    switch (key) {
      case 'streamId':
        if (!isIdentifier(x)) return false;
        required |= 1;
        break;
      case 'event':
        if (!STREAM_EVENT_SET.has(x)) return false;
        required |= 2;
        break;
      case 'openedAt':
        if (!isEpochMs(x)) return false;
        required |= 4;
        break;
      case 'lifetimeMs':
        if (!isDurationMs(x)) return false;
        required |= 8;
        break;
      case 'ticks':
        if (!isCount(x)) return false;
        required |= 16;
        break;
      case 'maxGapMs':
        if (!isDurationMs(x)) return false;
        required |= 32;
        break;
      case 'endReason':
        if (!STREAM_END_SET.has(x)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 63;
}
