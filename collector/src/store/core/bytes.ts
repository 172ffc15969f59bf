/** Little binary writer/reader for rollup blobs: varints (arithmetic, so counts above 2^31 survive), f64, short strings. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`varint: ${value} is not a non-negative integer`);
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) + 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** ASCII strings up to 255 bytes (region codes). */
  str(value: string): void {
    if (value.length > 255) throw new RangeError('str: longer than 255');
    this.ensure(1 + value.length);
    this.buf[this.length++] = value.length;
    for (let i = 0; i < value.length; i++) this.buf[this.length++] = value.charCodeAt(i) & 0x7f;
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.length);
    this.length += value.length;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.length++] = value;
  }

  /** Overwrites `width` bytes at `at` with a varint padded to that width (for length prefixes written afterwards). */
  patchVarint(at: number, width: number, value: number): void {
    let v = value;
    for (let i = 0; i < width; i++) {
      const last = i === width - 1;
      if (last && v >= 0x80) throw new RangeError(`patchVarint: ${value} does not fit ${width} bytes`);
      this.buf[at + i] = last ? v : (v % 0x80) + 0x80;
      v = Math.floor(v / 0x80);
    }
  }

  skip(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  /** Empties the writer, keeping its buffer for the next value. */
  reset(): void {
    this.length = 0;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  /** The bytes written so far without a copy; valid until the next write (SQLite copies what it binds). */
  written(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.length);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

const SHORT_STRINGS = new Map<number, string>();
const MAX_SHORT_STRINGS = 100_000;
/** Interned three-lowercase-letter strings by (a, b, c) as a base-26 number. */
const LOWER3: Array<string | undefined> = new Array(26 * 26 * 26).fill(undefined);

export class ByteReader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw new Error('rollup blob: truncated');
    return b;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new Error('rollup blob: varint too long');
  }

  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new Error('rollup blob: truncated');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.byte();
    if (this.pos + n > this.buf.length) throw new Error('rollup blob: truncated');
    if (n <= 4) return this.shortStr(n);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.buf[this.pos++]!);
    return s;
  }

  /** Region codes: the same few strings in every cell of every block, so they are interned, not rebuilt. */
  private shortStr(n: number): string {
    if (n === 3) {
      // Three lowercase letters (every catalog code): an array index, not a Map lookup.
      const a = this.buf[this.pos]! - 97;
      const b = this.buf[this.pos + 1]! - 97;
      const c = this.buf[this.pos + 2]! - 97;
      if (a >= 0 && a < 26 && b >= 0 && b < 26 && c >= 0 && c < 26) {
        const i = a * 676 + b * 26 + c;
        let s = LOWER3[i];
        if (s === undefined) {
          s = String.fromCharCode(a + 97, b + 97, c + 97);
          LOWER3[i] = s;
        }
        this.pos += 3;
        return s;
      }
    }
    let key = n;
    for (let i = 0; i < n; i++) key = key * 256 + this.buf[this.pos + i]!;
    let s = SHORT_STRINGS.get(key);
    if (s === undefined) {
      s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(this.buf[this.pos + i]!);
      if (SHORT_STRINGS.size < MAX_SHORT_STRINGS) SHORT_STRINGS.set(key, s);
    }
    this.pos += n;
    return s;
  }

  skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('rollup blob: truncated');
    this.pos += n;
  }
}
