import { connect, type Socket } from 'node:net';

/**
 * The ingest benchmark's load generator, as lean as a C one: every request is encoded into one Buffer before
 * the timed phase (`encodeIngestRequest`), sent over a keep-alive socket, and its answer parsed only as far as
 * the benchmark needs (status line, Content-Length, the JSON body's `accepted`). The load generator shares the
 * machine's cores with the collector, and undici's request machinery plus the GC over its objects cost ~2 s of
 * CPU per 600,000 results, CPU the raw baseline's side never has to share; deployed probes run elsewhere.
 */

const HEADER_END = Buffer.from('\r\n\r\n');

/** One `POST /v1/ingest` as bytes: request line, headers, body. */
export function encodeIngestRequest(host: string, token: string, body: string): Buffer {
  const payload = Buffer.from(body, 'utf8');
  const head =
    'POST /v1/ingest HTTP/1.1\r\n' +
    `Host: ${host}\r\n` +
    `Authorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

interface Pending {
  resolve(accepted: number): void;
  reject(error: Error): void;
}

/** A keep-alive HTTP/1.1 connection that sends one encoded ingest request at a time. */
export class IngestConnection {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the collector closed the connection')));
  }

  static open(url: string): Promise<IngestConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.off('error', reject);
        resolve(new IngestConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one encoded request; resolves with the answer's `accepted` count, rejects on anything but a 200. */
  post(request: Buffer): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('IngestConnection: one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    let answer: Answer | undefined;
    try {
      answer = parseAnswer(data);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (!answer) {
      // Kept as one chunk, so the next chunk joins it with one copy.
      this.chunks.length = 0;
      this.chunks.push(data);
      return;
    }
    this.chunks.length = 0;
    this.buffered = 0;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) this.fail(new Error('an answer nobody asked for'));
    else if (answer instanceof Error) pending.reject(answer);
    else pending.resolve(answer.accepted);
    if (answer.close) this.fail(new Error('the collector closed the connection after an answer'));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
    this.socket.destroy();
  }
}

/** A complete answer: its `accepted` count, or why it is not a 200 with one; `close` if the socket closes after it. */
type Answer = (Error | { accepted: number }) & { close: boolean };

/** The answer in `data`, undefined while incomplete; throws on what is not one HTTP/1.1 answer with a length. */
function parseAnswer(data: Buffer): Answer | undefined {
  const headEnd = data.indexOf(HEADER_END);
  if (headEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
  const length = /\r\ncontent-length: *(\d+)\r?$/im.exec(head)?.[1];
  if (status === undefined) throw new Error(`not an HTTP/1.1 answer: ${head.slice(0, 80)}`);
  if (length === undefined)
    throw new Error(`answer without Content-Length (${status}): ${head.slice(0, 300)}`);
  const bodyStart = headEnd + HEADER_END.length;
  const bodyEnd = bodyStart + Number(length);
  if (data.length < bodyEnd) return undefined;
  if (data.length > bodyEnd) throw new Error('bytes after the answer, which nothing asked for');
  const text = data.toString('utf8', bodyStart, bodyEnd);
  const close = /\r\nconnection: *close\r?$/im.test(head);
  if (status !== '200')
    return Object.assign(new Error(`ingest answered ${status}: ${text.slice(0, 300)}`), { close });
  const accepted = (JSON.parse(text) as { accepted?: unknown }).accepted;
  if (typeof accepted !== 'number' || !Number.isInteger(accepted) || accepted < 0)
    return Object.assign(
      new Error(`ingest answer without a count of accepted results: ${text.slice(0, 300)}`),
      {
        close,
      },
    );
  return { accepted, close };
}
