import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIngestRequest, IngestConnection } from './ingest-connection.ts';

/** What the server saw of each request, and how it answers the next one. */
const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
let answer: (res: ServerResponse) => void = () => undefined;

/** A JSON answer with its Content-Length, as the collector sends one. */
function json(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

describe('IngestConnection', () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      answer(res);
    });
  });
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it('sends the encoded request on one kept-alive socket and returns the accepted count of each answer', async () => {
    const connection = await IngestConnection.open(url);
    const body = JSON.stringify({ results: ['é'] });
    const request = encodeIngestRequest('collector', 'tok', body);
    answer = (res) => {
      const text = JSON.stringify({ accepted: 3, duplicate: 0, rejected: ['é'] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      // Headers and body in separate writes: the answer arrives in pieces.
      res.flushHeaders();
      setTimeout(() => res.end(text), 5);
    };
    seen.length = 0;
    expect(await connection.post(request)).toBe(3);
    expect(await connection.post(request)).toBe(3);
    connection.close();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/ingest', body });
    expect(seen[0]?.headers).toMatchObject({
      host: 'collector',
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
    // Both requests on one socket (keep-alive), not one connection each.
    expect(seen[1]?.headers.connection).not.toBe('close');
  });

  it('rejects an answer that is not a 200 with its status and body, or has no accepted count', async () => {
    const connection = await IngestConnection.open(url);
    answer = (res) => json(res, 400, '{"error":"validation_failed"}');
    await expect(connection.post(encodeIngestRequest('c', 't', '{}'))).rejects.toThrow(
      'ingest answered 400: {"error":"validation_failed"}',
    );
    answer = (res) => json(res, 200, '{"accepted":-1}');
    await expect(connection.post(encodeIngestRequest('c', 't', '{}'))).rejects.toThrow(
      'ingest answer without a count of accepted results',
    );
    connection.close();
  });

  it('refuses an answer without Content-Length (chunked) and fails every later request', async () => {
    const connection = await IngestConnection.open(url);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.end('{"accepted":1}');
    };
    await expect(connection.post(encodeIngestRequest('c', 't', '{}'))).rejects.toThrow(
      /answer without Content-Length/,
    );
    await expect(connection.post(encodeIngestRequest('c', 't', '{}'))).rejects.toThrow(
      /answer without Content-Length/,
    );
  });
});
