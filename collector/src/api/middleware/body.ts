import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Context } from 'hono';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { releaseChunks } from './release-chunks.ts';

function tooLarge(limit: number): ApiError {
  // The rest of the body is discarded, not read into memory; the connection is not reused.
  return new ApiError(
    413,
    'payload_too_large',
    `request body exceeds the limit of ${limit} bytes`,
    undefined,
    {
      Connection: 'close',
    },
  );
}

function unreadable(err: unknown): ApiError {
  return new ApiError(
    400,
    'bad_request',
    `could not read the request body: ${(err as Error)?.message ?? err}`,
  );
}

/**
 * Reads a Node request body's text straight from the socket stream (cheaper than a web stream on the ingest
 * hot path) and frees its chunks once decoded. Past the limit it stops buffering and discards the rest, so the
 * 413 still reaches the client.
 */
function readIncoming(incoming: IncomingMessage, limit: number, gzip: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const source = gzip ? incoming.pipe(createGunzip()) : incoming;
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      if (gzip) {
        incoming.unpipe(source as NodeJS.WritableStream);
        source.destroy();
      }
      incoming.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      const joined = Buffer.concat(chunks, total);
      const text = joined.toString('utf8');
      releaseChunks(chunks);
      releaseChunks([joined]);
      resolve(text);
    };
    const onError = (err: unknown) => {
      cleanup();
      incoming.resume();
      reject(unreadable(err));
    };
    const onClose = () => {
      if (!incoming.complete) {
        cleanup();
        reject(unreadable(new Error('the client closed the connection before the body was complete')));
      }
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    incoming.once('close', onClose);
  });
}

/** Fallback for requests not served by @hono/node-server (e.g. `app.request` in tests). */
async function readWeb(stream: ReadableStream<Uint8Array>, limit: number, gzip: boolean): Promise<string> {
  const source = gzip
    ? stream.pipeThrough(new DecompressionStream('gzip') as ReadableWritablePair<Uint8Array, Uint8Array>)
    : stream;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (err) {
    throw err instanceof ApiError ? err : unreadable(err);
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/**
 * Reads a JSON body of at most `limit` bytes (after gzip decoding, so a small compressed bomb is
 * refused too) and parses it. Refuses with 413, 415 or 400 naming the problem; never throws anything else.
 */
export async function readJsonBody(c: Context<ApiEnv>, limit: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const type = c.req.header('content-type');
  if (type && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', `content-type must be application/json, got "${type}"`);
  }
  const encoding = (c.req.header('content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `content-encoding must be gzip or identity, got "${encoding}"`,
    );
  }
  const gzip = encoding === 'gzip';
  const incoming = c.env?.incoming;
  let text: string;
  if (incoming) text = await readIncoming(incoming, limit, gzip);
  else {
    const body = c.req.raw.body;
    text = body ? await readWeb(body, limit, gzip) : '';
  }
  if (text.length === 0) throw new ApiError(400, 'invalid_json', 'request body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}
