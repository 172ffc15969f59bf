/// <reference lib="es2024.arraybuffer" />

/**
 * Frees the memory of a request body's chunks once their text is decoded, instead of when a GC collects them.
 * Under ingest a body's chunks (~170 KiB a batch) arrive over several turns of the event loop, so a scavenge
 * often finds them alive and promotes their wrappers to old space, where only a full GC frees them: megabytes
 * of the collector's RSS were such chunks. Only a chunk that is the whole of its ArrayBuffer is released
 * (Node's HTTP parser copies each body chunk into one of its own); a view into a buffer that other code
 * may still use (zlib's output slices) is left to the GC.
 */
export function releaseChunks(chunks: readonly Uint8Array[]): void {
  for (const chunk of chunks) {
    const buffer = chunk.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.detached) continue;
    // transfer(0) detaches the buffer and drops its memory at once; the empty buffer it returns is garbage.
    if (chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength) buffer.transfer(0);
  }
}
