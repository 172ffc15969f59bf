import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`);
}

async function readCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
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
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads a JSON body of at most `limit` bytes (after gzip decoding, so a small compressed bomb is
 * refused too) and parses it. Refuses with 413, 415 or 400 naming the problem; never throws anything else.
 */
export async function readJsonBody(c: Context, limit: number): Promise<unknown> {
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
  const body = c.req.raw.body;
  if (!body) throw new ApiError(400, 'invalid_json', 'request body is empty; expected JSON');
  let bytes: Buffer;
  try {
    const stream = encoding === 'gzip' ? body.pipeThrough(new DecompressionStream('gzip')) : body;
    bytes = await readCapped(stream as ReadableStream<Uint8Array>, limit);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'bad_request', `could not read the request body: ${(err as Error).message}`);
  }
  if (bytes.length === 0) throw new ApiError(400, 'invalid_json', 'request body is empty; expected JSON');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}
