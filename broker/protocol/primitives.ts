/**
 * Kafka wire primitives: a growable `Writer` and a bounds-checked `Reader`.
 *
 * Contracts:
 * - No I/O. Every generated codec is straight-line code over these two classes; nothing here
 *   interprets a schema.
 * - `Reader` never reads past its `end`: every read checks the remaining bytes first and throws
 *   `ProtocolDecodeError` on underflow, on a negative length that is not the null marker, and on
 *   any length or element count larger than the bytes that remain (so a lying length can never
 *   make us allocate). Malformed input therefore produces exactly one kind of exception.
 * - Byte values returned by `Reader` (`bytes()`, `nullableBytes()`, `raw()`, ...) are views into the
 *   input buffer, not copies: the produce path hands record batches to storage without copying.
 *   Callers that keep them beyond the life of the input must copy.
 * - `Writer.raw(buf)` keeps buffers of `RAW_REFERENCE_MIN_BYTES` or more by reference (the fetch
 *   path splices stored record batches into a response); the caller must not mutate such a buffer
 *   until the output has been written. Smaller buffers are copied.
 * - Writer errors (a string longer than int16 allows, a malformed uuid) are programmer errors and
 *   throw `RangeError`.
 */

/** Malformed or truncated input. The only exception `Reader` and the generated decoders throw. */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
}

/** Deep partial of a message type, used for encoding: a missing field means "its default". */
export type Init<T> = T extends Buffer | bigint | string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer E)[]
    ? readonly Init<E>[]
    : T extends object
      ? { [K in keyof T]?: Init<T[K]> }
      : T;

/** A generated message codec (see docs/architecture.md, "Generated codecs"). */
export interface MessageCodec<T> {
  readonly name: string;
  /** The API key, or -1 for `data` schemas that are not an API message. */
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The first flexible version (compact encodings + tagged fields), Infinity if none. */
  readonly flexibleMinVersion: number;
  /** True when the schema marks its newest version as still unstable (not to be advertised). */
  readonly latestVersionUnstable: boolean;
  encode(w: Writer, version: number, msg: Init<T>): void;
  decode(r: Reader, version: number): T;
}

/** Buffers at least this long are appended by reference by `Writer.raw`. */
export const RAW_REFERENCE_MIN_BYTES = 512;

/** Kafka's all-zero uuid, in its 22-character URL-safe base64 form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The shared zero-length buffer used as the default of `bytes` fields. Never write into it. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

const INT16_MAX = 0x7fff;

export class Writer {
  private buf: Buffer;
  /** Start of the bytes in `buf` not yet handed to `chunks`. */
  private start = 0;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private chunkedBytes = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.chunkedBytes + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, pending + n, 256));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = pending;
  }

  private flushPending(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.chunkedBytes += this.pos - this.start;
      this.start = this.pos;
    }
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  uint8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  int64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Unsigned LEB128 of a uint32 (at most 5 bytes). */
  uvarint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff)) throw new RangeError(`uvarint out of range: ${v}`);
    this.ensure(5);
    let x = v >>> 0;
    while (x > 0x7f) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }

  /** Zig-zag signed varint of an int32. */
  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag signed varint of an int64 (at most 10 bytes). */
  varlong(v: bigint): void {
    let x = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (x > 0x7fn) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  /** A uuid given as Kafka's 22-character URL-safe base64 text. */
  uuid(v: string): void {
    this.ensure(16);
    if (v.length !== 22 || this.buf.write(v, this.pos, 16, 'base64url') !== 16) {
      throw new RangeError(`not a 22-character base64url uuid: ${JSON.stringify(v)}`);
    }
    this.pos += 16;
  }

  private utf8(s: string, n: number): void {
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** int16 length + UTF-8. */
  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > INT16_MAX) throw new RangeError(`string of ${n} bytes does not fit an int16 length`);
    this.int16(n);
    this.utf8(s, n);
  }

  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.string(s);
  }

  /** uvarint (length + 1) + UTF-8. */
  compactString(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n + 1);
    this.utf8(s, n);
  }

  compactNullableString(s: string | null): void {
    if (s === null) this.uvarint(0);
    else this.compactString(s);
  }

  /** int32 length + bytes. */
  bytes(b: Uint8Array): void {
    this.int32(b.length);
    this.raw(b);
  }

  nullableBytes(b: Uint8Array | null): void {
    if (b === null) this.int32(-1);
    else this.bytes(b);
  }

  compactBytes(b: Uint8Array): void {
    this.uvarint(b.length + 1);
    this.raw(b);
  }

  compactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.uvarint(0);
    else this.compactBytes(b);
  }

  /** int32 element count; -1 is the null array. */
  arrayLength(n: number): void {
    this.int32(n);
  }

  /** uvarint (count + 1); pass -1 for the null array. */
  compactArrayLength(n: number): void {
    this.uvarint(n + 1);
  }

  /** An empty tagged-field section. */
  emptyTaggedFields(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }

  /** One tagged field whose value was encoded into `value`. */
  taggedField(tag: number, value: Writer): void {
    this.uvarint(tag);
    this.uvarint(value.length);
    this.append(value);
  }

  /** Appends bytes; large buffers are kept by reference (see module header). */
  raw(b: Uint8Array): void {
    const n = b.length;
    if (n >= RAW_REFERENCE_MIN_BYTES) {
      this.flushPending();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, n));
      this.chunkedBytes += n;
      return;
    }
    this.ensure(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** Appends everything another writer holds. */
  append(other: Writer): void {
    for (const c of other.toChunks()) this.raw(c);
  }

  /** The output as a list of buffers (large `raw` buffers appear as-is). */
  toChunks(): Buffer[] {
    this.flushPending();
    return this.chunks.slice();
  }

  /** The output as one buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    this.flushPending();
    if (this.chunks.length === 0) return EMPTY_BYTES;
    if (this.chunks.length === 1) return this.chunks[0]!;
    return Buffer.concat(this.chunks, this.chunkedBytes);
  }
}

export class Reader {
  readonly buf: Buffer;
  /** Position of the next byte to read. */
  offset: number;
  /** One past the last readable byte. */
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new RangeError(`bad reader window [${offset}, ${end}) over ${buf.length} bytes`);
    }
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): number {
    const at = this.offset;
    if (at + n > this.end) {
      throw new ProtocolDecodeError(`${what}: need ${n} bytes at offset ${at}, only ${this.end - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }

  uint8(): number {
    return this.buf[this.need(1, 'uint8')]!;
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  bool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }

  uvarint(): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1, 'uvarint')]!;
      if (i === 4 && b > 0x0f) throw new ProtocolDecodeError('uvarint does not fit 32 bits');
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return value >>> 0;
    }
    throw new ProtocolDecodeError('uvarint longer than 5 bytes');
  }

  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  varlong(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1, 'varlong')]!;
      if (i === 9 && b > 0x01) throw new ProtocolDecodeError('varlong does not fit 64 bits');
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes');
  }

  uuid(): string {
    const at = this.need(16, 'uuid');
    return this.buf.toString('base64url', at, at + 16);
  }

  /** Validates a decoded length: -1 means null, anything else must fit in what remains. */
  private length(n: number, what: string): number {
    if (n < -1) throw new ProtocolDecodeError(`${what}: negative length ${n}`);
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`${what}: length ${n} exceeds the ${this.end - this.offset} bytes left`);
    }
    return n;
  }

  private utf8(n: number): string {
    const at = this.need(n, 'string');
    return this.buf.toString('utf8', at, at + n);
  }

  string(): string {
    const n = this.length(this.int16(), 'string');
    if (n < 0) throw new ProtocolDecodeError('non-nullable string was null');
    return this.utf8(n);
  }

  nullableString(): string | null {
    const n = this.length(this.int16(), 'string');
    return n < 0 ? null : this.utf8(n);
  }

  compactString(): string {
    const n = this.length(this.uvarint() - 1, 'compact string');
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact string was null');
    return this.utf8(n);
  }

  compactNullableString(): string | null {
    const n = this.length(this.uvarint() - 1, 'compact string');
    return n < 0 ? null : this.utf8(n);
  }

  /** `n` bytes as a view into the input. */
  raw(n: number): Buffer {
    const at = this.need(n, 'bytes');
    return this.buf.subarray(at, at + n);
  }

  bytes(): Buffer {
    const n = this.length(this.int32(), 'bytes');
    if (n < 0) throw new ProtocolDecodeError('non-nullable bytes were null');
    return this.raw(n);
  }

  nullableBytes(): Buffer | null {
    const n = this.length(this.int32(), 'bytes');
    return n < 0 ? null : this.raw(n);
  }

  compactBytes(): Buffer {
    const n = this.length(this.uvarint() - 1, 'compact bytes');
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact bytes were null');
    return this.raw(n);
  }

  compactNullableBytes(): Buffer | null {
    const n = this.length(this.uvarint() - 1, 'compact bytes');
    return n < 0 ? null : this.raw(n);
  }

  /**
   * int32 element count, -1 for null. Like Kafka, a count larger than the bytes left is rejected
   * (every element takes at least one byte), which bounds the allocation.
   */
  arrayLength(): number {
    return this.length(this.int32(), 'array');
  }

  /** uvarint (count + 1), returned as the count; -1 for null. */
  compactArrayLength(): number {
    return this.length(this.uvarint() - 1, 'compact array');
  }

  skip(n: number): void {
    this.need(n, 'skip');
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number): Reader {
    const at = this.need(n, 'sub');
    return new Reader(this.buf, at, at + n);
  }

  /** Reads a tagged-field section, ignoring every field in it. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size, 'tagged field');
    }
  }
}

/** Throws when bytes are left in `r` after a decode that should have consumed everything. */
export function expectFullyConsumed(r: Reader, what: string): void {
  if (r.remaining !== 0) throw new ProtocolDecodeError(`${what}: ${r.remaining} trailing bytes`);
}
