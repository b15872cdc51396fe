// Record-batch payload compression: the five codecs of Kafka's message format v2.
//
// Contract: `compress`/`decompress` are synchronous, pure functions of their input (no I/O). Output
// is what Kafka clients put after the 61-byte batch header when attributes bits 0-2 name a codec.
// `decompress` never returns partial data: truncated, corrupt or over-limit input throws a
// `CompressionError` carrying CORRUPT_MESSAGE (2), so callers can answer with an error code.
//
// Per codec, and where this departs from "just call the library":
// - gzip: node:zlib. Concatenated gzip members are accepted (zlib does this).
// - snappy: the Java client writes snappy-java's "xerial" framing: a 16-byte header (magic
//   0x82 'SNAPPY' 0x00, int32 version 1, int32 min-compatible version 1) then chunks of
//   [int32 big-endian length][raw snappy block]. librdkafka and others may write one raw snappy
//   block. Java, librdkafka and kafkajs-snappy all read both, so we write xerial (32 KiB chunks, like
//   snappy-java) and read either, told apart by the magic.
// - lz4: the standard LZ4 *frame* format (Kafka's KafkaLZ4BlockOutputStream writes independent
//   blocks, no content size). We write independent blocks without block or content checksums.
//   Kafka's old header-checksum bug only affects magic 0/1 message sets, which we never read here.
//   We walk the frame structure ourselves before decoding, because lz4-napi returns partial output
//   for truncated frames and ignores every frame after the first.
// - zstd: single-pass compress at the library default level (3, Kafka's default too); decompress
//   is our own streaming loop because producers (zstd-jni streams, librdkafka) often omit the
//   frame content size, and because a declared size must not make us allocate unbounded memory.
//
// Limits: decompression output is capped (default DEFAULT_MAX_DECOMPRESSED_BYTES). gzip, snappy and
// zstd are checked before or while producing output; lz4-napi has no output cap, so lz4 is checked
// frame by frame after decoding (LZ4's worst-case ratio is about 255:1, which bounds the damage).
//
// Loading: the snappy, lz4 and zstd addons are loaded on a codec's first use, not at import (together
// about 40 ms of broker start-up, spent before the first request even when no client compresses).
// They are CommonJS addons, so `require` loads them synchronously and the contract above holds.

import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import type * as SnappyAddon from 'snappy';
import type * as Lz4Addon from 'lz4-napi';
import type * as ZstdAddon from 'zstd-napi';
import type * as ZstdBindingAddon from 'zstd-napi/binding.js';

const requireAddon = createRequire(import.meta.url);
let snappyAddon: typeof SnappyAddon | undefined;
let lz4Addon: typeof Lz4Addon | undefined;
let zstdAddon: typeof ZstdAddon | undefined;
let zstdBindingAddon: typeof ZstdBindingAddon | undefined;

function snappy(): typeof SnappyAddon {
  return (snappyAddon ??= requireAddon('snappy') as typeof SnappyAddon);
}

function lz4(): typeof Lz4Addon {
  return (lz4Addon ??= requireAddon('lz4-napi') as typeof Lz4Addon);
}

function zstd(): typeof ZstdAddon {
  return (zstdAddon ??= requireAddon('zstd-napi') as typeof ZstdAddon);
}

function zstdBinding(): typeof ZstdBindingAddon {
  return (zstdBindingAddon ??= requireAddon('zstd-napi/binding.js') as typeof ZstdBindingAddon);
}

/** Attribute bits 0-2 of a v2 record batch. */
export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

/** Kafka's `compression.type` names, indexed by codec id. */
const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const CORRUPT_MESSAGE = 2;

/** Bad compressed input. `errorCode` is Kafka's CORRUPT_MESSAGE. */
export class CompressionError extends Error {
  readonly errorCode: number = CORRUPT_MESSAGE;
  constructor(message: string) {
    super(message);
    this.name = 'CompressionError';
  }
}

export function isCompression(value: number): value is Compression {
  return Number.isInteger(value) && value >= 0 && value <= 4;
}

export function compressionName(codec: Compression): CompressionName {
  return COMPRESSION_NAMES[codec];
}

/** Parses a `compression.type`-style name ('none', 'gzip', 'snappy', 'lz4', 'zstd'). */
export function parseCompression(name: string): Compression | undefined {
  const index = (COMPRESSION_NAMES as readonly string[]).indexOf(name.trim().toLowerCase());
  return index < 0 ? undefined : (index as Compression);
}

export function compress(codec: Compression, data: Buffer): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gzipSync(data);
    case Compression.Snappy:
      return xerialCompress(data);
    case Compression.Lz4:
      return lz4().compressFrameSync(data, { contentChecksum: false, blockChecksums: false });
    case Compression.Zstd:
      return zstd().compress(data);
    default:
      throw new Error(`assertion failed: unknown compression codec ${String(codec)}`);
  }
}

export function decompress(
  codec: Compression,
  data: Buffer,
  maxOutputBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gunzip(data, maxOutputBytes);
    case Compression.Snappy:
      return snappyDecompress(data, maxOutputBytes);
    case Compression.Lz4:
      return lz4Decompress(data, maxOutputBytes);
    case Compression.Zstd:
      return zstdDecompress(data, maxOutputBytes);
    default:
      throw new CompressionError(`unknown compression codec ${String(codec)}`);
  }
}

// ---- gzip ----

function gunzip(data: Buffer, maxOutputBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, maxOutputBytes) });
  } catch (err) {
    throw new CompressionError(`gzip: ${errorText(err)}`);
  }
}

// ---- snappy (xerial framing or one raw block) ----

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
const XERIAL_CHUNK_BYTES = 32 * 1024;

function hasXerialMagic(data: Buffer, position: number): boolean {
  return (
    data.length - position >= XERIAL_MAGIC.length &&
    data.compare(XERIAL_MAGIC, 0, XERIAL_MAGIC.length, position, position + XERIAL_MAGIC.length) === 0
  );
}

function xerialCompress(data: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  const parts: Buffer[] = [header];
  for (let start = 0; start < data.length; start += XERIAL_CHUNK_BYTES) {
    const block = snappy().compressSync(data.subarray(start, start + XERIAL_CHUNK_BYTES));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  if (!hasXerialMagic(data, 0)) return snappyBlock(data, maxOutputBytes);
  if (data.length < XERIAL_HEADER_BYTES) throw new CompressionError('snappy: truncated xerial header');
  const parts: Buffer[] = [];
  let total = 0;
  let position = XERIAL_HEADER_BYTES;
  while (position < data.length) {
    // snappy-java tolerates concatenated streams: a second header where a chunk would start.
    if (hasXerialMagic(data, position)) {
      if (data.length - position < XERIAL_HEADER_BYTES) throw new CompressionError('snappy: truncated xerial header');
      position += XERIAL_HEADER_BYTES;
      continue;
    }
    if (data.length - position < 4) throw new CompressionError('snappy: truncated xerial chunk length');
    const length = data.readInt32BE(position);
    position += 4;
    if (length < 0 || length > data.length - position) {
      throw new CompressionError(`snappy: xerial chunk length ${length} exceeds the remaining ${data.length - position} bytes`);
    }
    const block = snappyBlock(data.subarray(position, position + length), maxOutputBytes - total);
    total += block.length;
    parts.push(block);
    position += length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** One raw snappy block; its preamble (a varint) declares the uncompressed length. */
function snappyBlock(block: Buffer, maxOutputBytes: number): Buffer {
  const declared = readSnappyPreamble(block);
  if (declared > maxOutputBytes) {
    throw new CompressionError(`snappy: block declares ${declared} bytes, more than the limit of ${maxOutputBytes}`);
  }
  const addon = snappy(); // outside the try: an addon that fails to load is not corrupt input
  try {
    return addon.uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new CompressionError(`snappy: ${errorText(err)}`);
  }
}

function readSnappyPreamble(block: Buffer): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw new CompressionError('snappy: bad block length preamble');
}

// ---- lz4 (frame format) ----

// lz4-napi's frame decoder is lenient: it returns what it has for a truncated frame (even an empty
// buffer for empty input) and ignores frames after the first. So we walk the frame structure
// ourselves first, insisting on complete frames, and hand the library one frame at a time.

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
const LZ4_FLG_BLOCK_CHECKSUM = 0x10;
const LZ4_FLG_CONTENT_SIZE = 0x08;
const LZ4_FLG_CONTENT_CHECKSUM = 0x04;
const LZ4_FLG_DICT_ID = 0x01;
const LZ4_BLOCK_UNCOMPRESSED_BIT = 0x8000_0000;

function lz4Decompress(data: Buffer, maxOutputBytes: number): Buffer {
  if (data.length === 0) throw new CompressionError('lz4: empty input');
  const parts: Buffer[] = [];
  let total = 0;
  let position = 0;
  while (position < data.length) {
    const end = lz4FrameEnd(data, position);
    if (data.readUInt32LE(position) === LZ4_FRAME_MAGIC) {
      const frame = lz4Frame(data.subarray(position, end));
      total += frame.length;
      if (total > maxOutputBytes) {
        throw new CompressionError(`lz4: more than the limit of ${maxOutputBytes} decompressed bytes`);
      }
      parts.push(frame);
    }
    position = end;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

function lz4Frame(frame: Buffer): Buffer {
  const addon = lz4(); // outside the try: an addon that fails to load is not corrupt input
  try {
    return addon.decompressFrameSync(frame);
  } catch (err) {
    throw new CompressionError(`lz4: ${errorText(err)}`);
  }
}

/** Where the (skippable or LZ4) frame starting at `start` ends; throws unless it is complete. */
function lz4FrameEnd(data: Buffer, start: number): number {
  const need = (at: number, bytes: number, what: string): void => {
    if (data.length - at < bytes) throw new CompressionError(`lz4: truncated frame (${what})`);
  };
  need(start, 4, 'magic');
  const magic = data.readUInt32LE(start);
  if ((magic & LZ4_SKIPPABLE_MAGIC_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
    need(start + 4, 4, 'skippable frame size');
    const end = start + 8 + data.readUInt32LE(start + 4);
    need(start + 8, end - start - 8, 'skippable frame');
    return end;
  }
  if (magic !== LZ4_FRAME_MAGIC) throw new CompressionError(`lz4: bad frame magic 0x${magic.toString(16)}`);
  need(start + 4, 2, 'descriptor');
  const flg = data[start + 4]!;
  const blockMaxBytes = lz4BlockMaxBytes(data[start + 5]!);
  let at = start + 6 + ((flg & LZ4_FLG_CONTENT_SIZE) !== 0 ? 8 : 0) + ((flg & LZ4_FLG_DICT_ID) !== 0 ? 4 : 0) + 1;
  const blockChecksumBytes = (flg & LZ4_FLG_BLOCK_CHECKSUM) !== 0 ? 4 : 0;
  for (;;) {
    need(at, 4, 'block size');
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break; // end mark
    const size = (word & ~LZ4_BLOCK_UNCOMPRESSED_BIT) >>> 0;
    if (size > blockMaxBytes) throw new CompressionError(`lz4: block of ${size} bytes exceeds the frame's ${blockMaxBytes}`);
    need(at, size + blockChecksumBytes, 'block');
    at += size + blockChecksumBytes;
  }
  const end = at + ((flg & LZ4_FLG_CONTENT_CHECKSUM) !== 0 ? 4 : 0);
  need(at, end - at, 'content checksum');
  return end;
}

function lz4BlockMaxBytes(bd: number): number {
  const sizeId = (bd >> 4) & 0x07;
  if (sizeId < 4) throw new CompressionError(`lz4: invalid block size id ${sizeId}`);
  return 1 << (2 * sizeId + 8);
}

// ---- zstd (streaming decode: frames may lack a content size) ----

type DCtx = InstanceType<typeof ZstdBindingAddon.DCtx>;
let sharedDctx: DCtx | undefined;

function zstdDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  const { DCtx, ResetDirective } = zstdBinding();
  const dctx = (sharedDctx ??= new DCtx());
  dctx.reset(ResetDirective.sessionOnly);
  try {
    return zstdStreamAll(dctx, data, maxOutputBytes);
  } catch (err) {
    dctx.reset(ResetDirective.sessionOnly);
    if (err instanceof CompressionError) throw err;
    throw new CompressionError(`zstd: ${errorText(err)}`);
  }
}

function zstdStreamAll(dctx: DCtx, data: Buffer, maxOutputBytes: number): Buffer {
  if (data.length === 0) throw new CompressionError('zstd: empty input');
  const parts: Buffer[] = [];
  let total = 0;
  let input = data;
  let pending = 1; // ZSTD_decompressStream's hint: 0 once a frame is fully decoded and flushed
  const chunkBytes = Math.max(zstdBinding().dStreamOutSize(), Math.min(data.length * 4, 4 * 1024 * 1024));
  while (input.length > 0 || pending !== 0) {
    const room = Math.min(chunkBytes, maxOutputBytes - total + 1);
    const out = Buffer.allocUnsafe(Math.max(1, room));
    const [hint, produced, consumed] = dctx.decompressStream(out, input);
    if (produced === 0 && consumed === 0) throw new CompressionError('zstd: truncated frame');
    total += produced;
    if (total > maxOutputBytes) {
      throw new CompressionError(`zstd: more than the limit of ${maxOutputBytes} decompressed bytes`);
    }
    if (produced > 0) parts.push(out.subarray(0, produced));
    input = input.subarray(consumed);
    pending = hint;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
