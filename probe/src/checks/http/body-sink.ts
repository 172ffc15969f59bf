/**
 * Counts a response body's bytes and keeps its first `cap` bytes when asked (JSON echo answers), as the
 * socket's own Buffers; `add` says when the body has passed the cap, so the check stops reading.
 */
export class BodySink {
  bytes = 0;
  keep = false;
  readonly #cap: number;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Counts (and keeps) one piece; true once the body is larger than the cap. */
  add(piece: Buffer): boolean {
    this.bytes += piece.length;
    if (this.keep && this.#keptBytes < this.#cap) {
      const room = this.#cap - this.#keptBytes;
      const part = piece.length <= room ? piece : piece.subarray(0, room);
      this.#kept.push(part);
      this.#keptBytes += part.length;
    }
    return this.bytes > this.#cap;
  }

  /** The kept bytes, undefined unless `keep` was set. */
  body(): Buffer | undefined {
    if (!this.keep) return undefined;
    return this.#kept.length === 1 ? this.#kept[0] : Buffer.concat(this.#kept, this.#keptBytes);
  }
}

/** Only a JSON body can be an echo answer, so only a JSON body is kept. */
export const keepsBody = (contentType: string | undefined): boolean => contentType?.includes('json') === true;
