import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Heartbeat, ProbeConfigInput, ProbeIdentity, ProbeResult } from '@flyprobe/shared';

export interface ReceivedBatch {
  probe: ProbeIdentity;
  results: ProbeResult[];
  heartbeat?: Heartbeat;
  authorization?: string;
}

/** What the receiver does with the next ingest request. */
export type IngestBehaviour =
  | { kind: 'store' }
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'destroy' }
  /** Never answers (until the receiver closes). */
  | { kind: 'hang' }
  /** Stores the batch but rejects the results whose seq is listed. */
  | { kind: 'reject-seqs'; seqs: number[] }
  /** Answers 413 to batches of more than `maxResults` results (a proxy with a small body limit), stores the rest. */
  | { kind: 'too-large-above'; maxResults: number };

/**
 * A real loopback HTTP server standing in for the collector in probe tests: records every ingest
 * batch, dedups by (probe id, boot id, seq) like the collector, serves a config with an ETag.
 */
export class IngestReceiver {
  readonly batches: ReceivedBatch[] = [];
  readonly stored = new Map<string, ProbeResult>();
  duplicates = 0;
  requests = 0;
  /** 413 answers given. */
  tooLarge = 0;
  configRequests: { ifNoneMatch?: string; status: number }[] = [];
  behaviour: IngestBehaviour = { kind: 'store' };
  private config: { etag: string; body: string } | undefined;
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  url = '';

  /** Listens on 127.0.0.1 (`port` 0 = ephemeral; a fixed one to come back where a probe is pointed). */
  static async start(port = 0): Promise<IngestReceiver> {
    const r = new IngestReceiver();
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(port, '127.0.0.1', () => resolve());
    });
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  /** Serves `doc` on GET /v1/config; a raw string is served as is (for invalid documents). */
  setConfig(doc: ProbeConfigInput | string, etag: string): void {
    this.config = { etag: `"${etag}"`, body: typeof doc === 'string' ? doc : JSON.stringify(doc) };
  }

  key(probe: ProbeIdentity, seq: number): string {
    return `${probe.probeId}/${probe.bootId}/${seq}`;
  }

  /** Resolves when `predicate` holds (checked after every request); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url === '/v1/config' && req.method === 'GET') this.serveConfig(req, res);
    else if (req.url === '/v1/ingest' && req.method === 'POST')
      this.ingest(req, res, Buffer.concat(chunks).toString());
    else res.writeHead(404).end();
    this.notify();
  }

  private serveConfig(req: IncomingMessage, res: ServerResponse): void {
    const ifNoneMatch = req.headers['if-none-match'];
    if (!this.config) {
      this.configRequests.push({ ifNoneMatch, status: 404 });
      res.writeHead(404).end();
      return;
    }
    const status = ifNoneMatch === this.config.etag ? 304 : 200;
    this.configRequests.push({ ifNoneMatch, status });
    if (status === 304) res.writeHead(304, { etag: this.config.etag }).end();
    else
      res
        .writeHead(200, { etag: this.config.etag, 'content-type': 'application/json' })
        .end(this.config.body);
  }

  private ingest(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.requests++;
    const b = this.behaviour;
    if (b.kind === 'destroy') {
      req.socket.destroy();
      return;
    }
    if (b.kind === 'hang') return;
    if (b.kind === 'status') {
      res
        .writeHead(b.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(b.body ?? { error: 'test' }));
      return;
    }
    const batch = JSON.parse(body) as ReceivedBatch;
    if (b.kind === 'too-large-above' && batch.results.length > b.maxResults) {
      this.tooLarge++;
      res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"too large"}');
      return;
    }
    batch.authorization = req.headers.authorization;
    this.batches.push(batch);
    let accepted = 0;
    const rejected: { index: number; reason: string }[] = [];
    batch.results.forEach((r, index) => {
      if (b.kind === 'reject-seqs' && b.seqs.includes(r.seq)) {
        rejected.push({ index, reason: 'rejected by test' });
        return;
      }
      const k = this.key(batch.probe, r.seq);
      if (this.stored.has(k)) this.duplicates++;
      else {
        this.stored.set(k, r);
        accepted++;
      }
    });
    const duplicate = batch.results.length - accepted - rejected.length;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ accepted, duplicate, rejected }));
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.predicate()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}
