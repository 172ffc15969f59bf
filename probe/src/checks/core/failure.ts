import { bracketErrorAddress, MAX_TEXT, type Outcome, type ProbeResult } from '@flyprobe/shared';

export type FailedPhase = NonNullable<ProbeResult['failedPhase']>;

/** A failure whose class is already known (time limits, protocol violations, bad status). */
export class CheckFailure extends Error {
  constructor(
    readonly outcome: Outcome,
    message: string,
    readonly phase?: FailedPhase,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
]);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);
const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
  'EREFUSED',
  'EBADRESP',
  'EFORMERR',
  'EBADNAME',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first error in a `cause` chain that carries a system error code. */
function rootCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur; depth++) {
    const code = codeOf(cur);
    if (code && !code.startsWith('UND_ERR')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return codeOf(err);
}

/** Maps a Node, undici or TLS error to an outcome; `phase` disambiguates (DNS server errors, TLS). */
export function classifyError(err: unknown, phase?: FailedPhase): Outcome {
  if (err instanceof CheckFailure) return err.outcome;
  const code = rootCode(err);
  if (code === 'ECONNREFUSED') return phase === 'dns' ? 'dns' : 'refused';
  if (code && RESET_CODES.has(code)) return 'reset';
  if (code && UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (phase === 'dns' || (code && DNS_CODES.has(code))) return 'dns';
  // undici's socket errors: an HTTP/2 GOAWAY with an error, or "other side closed" (a FIN mid-response).
  if (code === 'UND_ERR_SOCKET') return /GOAWAY/.test(messageOf(err)) ? 'reset' : 'eof';
  if (code?.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'ERR_HTTP2_PROTOCOL_ERROR')
    return 'protocol';
  if (phase === 'tls' || code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || code?.includes('CERT'))
    return 'tls';
  return 'error';
}

/** A bounded, single-line message for `errorMessage`. */
export function describeError(err: unknown): string {
  const base = bracketErrorAddress(err instanceof Error ? err.message : String(err), err);
  const code = rootCode(err);
  const text = code && !base.includes(code) ? `${code}: ${base}` : base;
  return text.replace(/\s+/g, ' ').slice(0, MAX_TEXT);
}
