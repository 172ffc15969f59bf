import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { prng } from '@flyprobe/shared/testing';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { readJsonBody } from './body.ts';

const LIMIT = 64 * 1024;

/** A node:http server (the one the collector runs) whose route answers with the body readJsonBody parsed. */
function echoServer() {
  const app = new Hono<ApiEnv>();
  app.post('/echo', async (c) => {
    try {
      return c.json({ body: await readJsonBody(c, LIMIT) });
    } catch (error) {
      if (error instanceof ApiError) return c.json({ status: error.status, message: error.message }, 400);
      throw error;
    }
  });
  return createAdaptorServer({ fetch: app.fetch });
}

/**
 * Sends a request whose body is written in the given pieces, each after the previous one reached the socket
 * (on loopback with Nagle off, most arrive as chunks of their own), and returns the answer's body.
 */
async function sendInPieces(port: number, pieces: Buffer[], headers: string[] = []): Promise<unknown> {
  const length = pieces.reduce((n, p) => n + p.length, 0);
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const answer: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => answer.push(chunk));
  // Listened for before writing: the answer may come and the socket close before the last write's callback.
  const ended = once(socket, 'end');
  const head = [
    'POST /echo HTTP/1.1',
    'Host: test',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    'Connection: close',
    ...headers,
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  for (const piece of pieces) {
    await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await ended;
  const text = Buffer.concat(answer).toString('utf8');
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

/** Characters of every UTF-8 length (1 to 4 bytes), so chunk boundaries fall inside sequences. */
const ALPHABET = ['a', '"', '\\', 'é', 'ß', '€', '中', '😀', '𝄞', ' '];

describe('readJsonBody over node:http', () => {
  const server = echoServer();
  let port = 0;
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('decodes UTF-8 split anywhere across chunks (seeded random texts and split points)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = prng(seed);
      const text = Array.from(
        { length: 1 + Math.floor(next() * 400) },
        () => ALPHABET[Math.floor(next() * ALPHABET.length)],
      ).join('');
      const bytes = Buffer.from(JSON.stringify({ text }));
      const cuts = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
        Math.floor(next() * bytes.length),
      ).sort((a, b) => a - b);
      const pieces = [0, ...cuts]
        .map((from, i) => bytes.subarray(from, [...cuts, bytes.length][i]))
        .filter((p) => p.length > 0);
      expect(await sendInPieces(port, pieces), `seed ${seed}`).toEqual({ body: { text } });
    }
  });

  it('decodes a gzip body split across chunks', async () => {
    const text = '😀é中'.repeat(2000);
    const zipped = gzipSync(JSON.stringify({ text }));
    const third = Math.floor(zipped.length / 3);
    const pieces = [zipped.subarray(0, third), zipped.subarray(third, 2 * third), zipped.subarray(2 * third)];
    expect(await sendInPieces(port, pieces, ['Content-Encoding: gzip'])).toEqual({ body: { text } });
  });

  it('refuses invalid JSON split inside a UTF-8 sequence with its reason', async () => {
    const broken = Buffer.from('{"text": "é');
    expect(await sendInPieces(port, [broken.subarray(0, 11), broken.subarray(11)])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^request body is not valid JSON: /),
    });
  });
});
