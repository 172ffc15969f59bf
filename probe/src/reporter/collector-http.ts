import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Requests to the collector (ingest, remote config) over node:http/node:https with keep-alive agents:
 * the probe process does not need undici for them (probe-modules bench). Idle sockets close after 10 s.
 */
export class CollectorAgents {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  constructor(maxSockets = Number.POSITIVE_INFINITY) {
    const options = { keepAlive: true, timeout: 10_000, maxSockets };
    this.#http = new HttpAgent(options);
    this.#https = new HttpsAgent(options);
  }

  for(url: URL): HttpAgent {
    return url.protocol === 'https:' ? this.#https : this.#http;
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

export interface CollectorRequest {
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Bytes of the response body kept (the rest is read and discarded). */
  maxBody: number;
}

export interface CollectorResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request; rejects on a network error, an abort or a response cut short. */
export function collectorRequest(
  agents: CollectorAgents,
  href: string,
  req: CollectorRequest,
): Promise<CollectorResponse> {
  const url = new URL(href);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers =
    req.body === undefined
      ? req.headers
      : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
  return new Promise((resolve, reject) => {
    const r = send(
      url,
      { method: req.method ?? 'GET', headers, agent: agents.for(url), signal: req.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < req.maxBody) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, req.maxBody),
          }),
        );
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('response cut short'));
        });
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}
