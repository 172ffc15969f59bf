import fc from 'fast-check';
import type { Script } from './scripted-server.ts';

/*
 * Generators of HTTP/1.x responses for the parser's property tests: valid ones with what the check must
 * report for them, and malformed ones with the failure it must name. Wire bytes are built here by hand,
 * independently of the parser.
 */

/** A valid response and what the check reads from it. */
export interface ValidCase {
  script: Script;
  status: number;
  bodyBytes: number;
  /** Edge region named by the Fly-Request-Id suffix, if the response has one. */
  edgeRegion: string | undefined;
  /** Region of the echo answer in a JSON body, if the body is one. */
  servedRegion: string | undefined;
}

/** A malformed (or cut short) response and the failure it must give. */
export interface MalformedCase {
  script: Script;
  outcome: 'protocol' | 'eof';
  phase: 'ttfb' | 'transfer';
  reason: RegExp;
}

const CRLF = '\r\n';
const REGIONS = ['ams', 'syd', 'iad', 'gru'] as const;
const FILLER_NAMES = ['server', 'date', 'cache-control', 'vary', 'x-trace', 'etag', 'content-language'];

const ows = fc.constantFrom('', ' ', '  ', '\t', ' \t');
/** Visible ASCII and spaces, no leading or trailing whitespace (the parser trims it, as HTTP says). */
const fieldValue = fc
  .string({ maxLength: 40 })
  .map((s) => s.trim())
  .filter((s) => !s.includes('\r') && !s.includes('\n'));

const header = (name: string, value: string) =>
  fc.tuple(fc.mixedCase(fc.constant(name)), ows, ows).map(([n, a, b]) => `${n}:${a}${value}${b}${CRLF}`);

const fillerHeaders = fc.array(
  fc.tuple(fc.constantFrom(...FILLER_NAMES), fieldValue).chain(([n, v]) => header(n, v)),
  { maxLength: 6 },
);

/** Write sizes and pauses that split `wire` at random byte boundaries. */
function split(wire: Buffer, end: boolean): fc.Arbitrary<Script> {
  return fc
    .record({
      pieces: fc.array(fc.integer({ min: 1, max: Math.max(1, Math.ceil(wire.length / 2)) }), {
        maxLength: 6,
      }),
      delaysMs: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 6 }),
    })
    .map(({ pieces, delaysMs }) => ({ wire, pieces, delaysMs, end }));
}

function echoBody(region: string): Buffer {
  const at = Date.now() - 1000;
  return Buffer.from(
    JSON.stringify({
      region,
      machineId: 'm-prop',
      startedAt: at,
      receivedAt: at,
      requestId: 'req-1',
      schemaVersion: 1,
      protocol: 'http',
    }),
  );
}

/** Chunked coding of `body` in chunks of the given sizes, with random size case, extensions and trailers. */
function chunked(body: Buffer): fc.Arbitrary<Buffer> {
  return fc
    .record({
      sizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
      upper: fc.boolean(),
      exts: fc.array(fc.constantFrom('', ';a', ';name=value', ' ;q="x y"', ';a=1;b'), {
        minLength: 1,
        maxLength: 4,
      }),
      trailers: fc.array(
        fc.tuple(fc.constantFrom('x-checksum', 'server-timing'), fieldValue).chain(([n, v]) => header(n, v)),
        { maxLength: 3 },
      ),
    })
    .map(({ sizes, upper, exts, trailers }) => {
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = 0; at < body.length; i++) {
        const size = Math.min(sizes[i % sizes.length] as number, body.length - at);
        const hex = upper ? size.toString(16).toUpperCase() : size.toString(16);
        parts.push(
          Buffer.from(`${hex}${exts[i % exts.length]}${CRLF}`),
          body.subarray(at, at + size),
          Buffer.from(CRLF),
        );
        at += size;
      }
      parts.push(Buffer.from(`0${exts[0]}${CRLF}${trailers.join('')}${CRLF}`));
      return Buffer.concat(parts);
    });
}

const interim = fc
  .array(
    fc.constantFrom(
      `HTTP/1.1 100 Continue${CRLF}${CRLF}`,
      `HTTP/1.1 103 Early Hints${CRLF}Link: </s.css>; rel=preload${CRLF}${CRLF}`,
    ),
    {
      maxLength: 2,
    },
  )
  .map((heads) => heads.join(''));

/** Valid responses: random header sets and casing, Content-Length / chunked / close-delimited, 1xx first. */
export const validResponse: fc.Arbitrary<ValidCase> = fc
  .record({
    http10: fc.boolean(),
    status: fc.constantFrom(200, 201, 203, 204, 206, 301, 304, 404, 418, 500, 503),
    framing: fc.constantFrom('length', 'chunked', 'close'),
    echo: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
    bytes: fc.uint8Array({ maxLength: 3000 }),
    edge: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
    reason: fc.constantFrom(' OK', ' Whatever It Says', ' ', ''),
    fillers: fillerHeaders,
    interim,
  })
  .chain((c) => {
    const noBody = c.status === 204 || c.status === 304;
    const body = noBody ? Buffer.alloc(0) : c.echo ? echoBody(c.echo) : Buffer.from(c.bytes);
    const framing = c.http10 && c.framing === 'chunked' ? 'length' : c.framing;
    const encoded = framing === 'chunked' && !noBody ? chunked(body) : fc.constant(body);
    const heads = fc.tuple(
      header('content-type', c.echo ? 'application/json; charset=utf-8' : 'application/octet-stream'),
      header('fly-request-id', `01HZY3Z1Q2W3E4R5T6Y7V8X9QP-${c.edge ?? 'ams'}`),
      noBody || framing === 'close'
        ? fc.constant('')
        : framing === 'chunked'
          ? header('transfer-encoding', 'chunked')
          : header('content-length', String(body.length)),
    );
    return fc
      .tuple(encoded, heads, fc.shuffledSubarray(c.fillers))
      .chain(([payload, [type, id, framingHeader], fillers]) => {
        const lines = [...fillers, ...(noBody ? [] : [type]), ...(c.edge ? [id] : []), framingHeader];
        const head = `${c.http10 ? '' : c.interim}HTTP/1.${c.http10 ? 0 : 1} ${c.status}${c.reason}${CRLF}${lines.join('')}${CRLF}`;
        const wire = Buffer.concat([Buffer.from(head, 'latin1'), payload]);
        return split(wire, framing === 'close' || c.http10).map((script) => ({
          script,
          status: c.status,
          bodyBytes: body.length,
          edgeRegion: c.edge,
          servedRegion: noBody ? undefined : c.echo,
        }));
      });
  });

const malformedCases: fc.Arbitrary<Omit<MalformedCase, 'script'> & { wire: string; end: boolean }> = fc.oneof(
  fc
    .constantFrom(
      'HTTP/1.1 20 OK',
      'HTTP/2.0 200 OK',
      'HTTP/1.1 abc OK',
      'HTTPS/1.1 200 OK',
      'hello world',
      'HTTP/1.1  200 OK',
    )
    .map((line) => ({
      wire: `${line}${CRLF}content-length: 0${CRLF}${CRLF}`,
      end: false,
      outcome: 'protocol' as const,
      phase: 'ttfb' as const,
      reason: /malformed status line/,
    })),
  fc.constantFrom('zz', '-1', '', '0x10', '1 2').map((size) => ({
    wire: `HTTP/1.1 200 OK${CRLF}transfer-encoding: chunked${CRLF}${CRLF}${size}${CRLF}xx${CRLF}0${CRLF}${CRLF}`,
    end: false,
    outcome: 'protocol' as const,
    phase: 'transfer' as const,
    reason: /chunk size/,
  })),
  fc.constantFrom(['5', '6'], ['5', '5, 6'], ['12a'], ['-5'], ['']).map((values) => ({
    wire: `HTTP/1.1 200 OK${CRLF}${values.map((v) => `Content-Length: ${v}${CRLF}`).join('')}${CRLF}hello`,
    end: false,
    outcome: 'protocol' as const,
    phase: 'ttfb' as const,
    reason: /Content-Length/,
  })),
  fc.integer({ min: 33 * 1024, max: 40 * 1024 }).map((size) => ({
    wire: `HTTP/1.1 200 OK${CRLF}x-big: ${'a'.repeat(size)}${CRLF}${CRLF}`,
    end: false,
    outcome: 'protocol' as const,
    phase: 'ttfb' as const,
    reason: /response head larger than 32768 bytes/,
  })),
  fc.integer({ min: 0, max: 999 }).map((sent) => ({
    wire: `HTTP/1.1 200 OK${CRLF}content-length: 1000${CRLF}${CRLF}${'b'.repeat(sent)}`,
    end: true,
    outcome: 'eof' as const,
    phase: 'transfer' as const,
    reason: new RegExp(`connection closed after ${sent} of 1000 body bytes`),
  })),
  fc.constantFrom('5\r\nabc', '5\r\nabcde\r\n', '5\r\nabcde\r\n0\r\n', '').map((rest) => ({
    wire: `HTTP/1.1 200 OK${CRLF}transfer-encoding: chunked${CRLF}${CRLF}${rest}`,
    end: true,
    outcome: 'eof' as const,
    phase: 'transfer' as const,
    reason: /connection closed in a chunked body/,
  })),
  fc.constantFrom('HTTP/1.1 200 OK\r\ncontent-len', '', 'HTTP/1.1 200').map((head) => ({
    wire: head,
    end: true,
    outcome: 'eof' as const,
    phase: 'ttfb' as const,
    reason: /connection closed (before the response|after \d+ bytes of the response head)/,
  })),
  fc.constant({
    wire: `HTTP/1.1 200 OK${CRLF}transfer-encoding: chunked${CRLF}content-length: 5${CRLF}${CRLF}5${CRLF}hello${CRLF}0${CRLF}${CRLF}`,
    end: false,
    outcome: 'protocol' as const,
    phase: 'ttfb' as const,
    reason: /both Transfer-Encoding and Content-Length/,
  }),
  fc
    .constantFrom(
      `HTTP/1.1 200 OK${CRLF}bad header${CRLF}${CRLF}`,
      `HTTP/1.1 200 OK${CRLF}na me: x${CRLF}${CRLF}`,
    )
    .map((wire) => ({
      wire,
      end: false,
      outcome: 'protocol' as const,
      phase: 'ttfb' as const,
      reason: /malformed header line/,
    })),
);

/** Malformed responses, split at random byte boundaries like the valid ones. */
export const malformedResponse: fc.Arbitrary<MalformedCase> = malformedCases.chain(
  ({ wire, end, ...expected }) =>
    split(Buffer.from(wire, 'latin1'), end).map((script) => ({ script, ...expected })),
);
