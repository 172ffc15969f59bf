import { FLY_HEADERS, urlHost } from '@flyprobe/shared';
import { CheckFailure } from '../core/failure.ts';
import type { HttpSpec } from './spec.ts';

/** A spec's request, built and checked once per spec; only `traceparent` changes between measurements. */
export interface RequestTemplate {
  /** HTTP/1.1: the request head up to (not including) the traceparent line. */
  h1Prefix: string;
  /** HTTP/2: the request's headers, pseudo-headers included, without traceparent. */
  h2Headers: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible ASCII, SP, HT and obs-text; no CR, LF or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A path that can be written in a request line as is. */
const REQUEST_PATH = /^\/[\x21-\x7e]*$/;

const templates = new WeakMap<HttpSpec, RequestTemplate | CheckFailure>();

function invalid(message: string): CheckFailure {
  return new CheckFailure('error', message, 'request');
}

function build(spec: HttpSpec): RequestTemplate | CheckFailure {
  const path = spec.httpPath ?? '/';
  if (!REQUEST_PATH.test(path))
    return invalid(`httpPath ${JSON.stringify(path)}: must start with / and hold no spaces or controls`);
  // Later names replace earlier ones whatever their case, so a spec can override the defaults.
  const fields = new Map<string, [string, string]>();
  const set = (name: string, value: string) => fields.set(name.toLowerCase(), [name, value]);
  set('user-agent', 'flyprobe');
  set('accept', 'application/json, */*;q=0.5');
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (!TOKEN.test(name)) return invalid(`request header ${JSON.stringify(name)}: not a valid header name`);
    if (!FIELD_VALUE.test(value))
      return invalid(
        `request header ${JSON.stringify(name)}: value holds CR, LF or another control character`,
      );
    set(name, value);
  }
  if (spec.path === 'pinned' && spec.targetRegion) set(FLY_HEADERS.forceRegion, spec.targetRegion);
  for (const own of ['host', FLY_HEADERS.traceparent, 'connection', 'content-length', 'transfer-encoding'])
    fields.delete(own);
  const defaultPort = spec.tls ? 443 : 80;
  const host = spec.port === defaultPort ? urlHost(spec.host) : `${urlHost(spec.host)}:${spec.port}`;
  let h1Prefix = `GET ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  const h2Headers: Record<string, string> = { ':method': 'GET', ':path': path };
  for (const [lower, [name, value]] of fields) {
    h1Prefix += `${name}: ${value}\r\n`;
    h2Headers[lower] = value;
  }
  return { h1Prefix, h2Headers };
}

/** The spec's request template, or the CheckFailure naming the field that cannot be sent. */
export function requestTemplate(spec: HttpSpec): RequestTemplate | CheckFailure {
  let t = templates.get(spec);
  if (t === undefined) {
    t = build(spec);
    templates.set(spec, t);
  }
  return t;
}

/** The HTTP/1.1 request of one measurement. */
export function h1Request(t: RequestTemplate, traceparent: string): string {
  return `${t.h1Prefix}${FLY_HEADERS.traceparent}: ${traceparent}\r\n\r\n`;
}
