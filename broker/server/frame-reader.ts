/**
 * Kafka request framing (int32 size + body) over socket reads of any size.
 *
 * A frame inside one read is handed on as a view of that read, with no copy. A frame spread over
 * several reads (every large produce request: loopback reads are 64 KiB) is copied into a pooled
 * buffer as its pieces arrive, so each read dies young instead of waiting, referenced, for the
 * rest of its frame and then being concatenated into a fresh 1 MB buffer. The pooled buffer goes
 * back only when the connection calls the frame's `release`, i.e. when the handler declared it no
 * longer references the request's bytes; otherwise the garbage collector takes it. Frames under
 * `MIN_POOLED_FRAME_BYTES` get a buffer of their own size: a small request kept for long (a group
 * member's metadata) must not pin a pooled megabyte.
 */
import type { BufferPool } from './buffer-pool.js';

const MIN_POOLED_FRAME_BYTES = 64 * 1024;

/** `release` is set when the frame lives in a pooled buffer that may be reused once called. */
export type FrameSink = (frame: Buffer, release: (() => void) | undefined) => boolean;

interface Partial {
  readonly buffer: Buffer;
  readonly size: number;
  filled: number;
}

export class FrameReader {
  private readonly sizePrefix = Buffer.alloc(4);
  private prefixFilled = 0;
  private partial: Partial | undefined;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly pool: BufferPool,
  ) {}

  /**
   * Feeds one socket read; `sink` gets every frame it completes, in order, and returns false to
   * stop (the connection closed). Returns a description of a size prefix outside 0..maxFrameBytes,
   * after which the reader must not be fed again.
   */
  push(data: Buffer, sink: FrameSink): string | undefined {
    let pos = 0;
    while (pos < data.length) {
      const partial = this.partial;
      if (partial !== undefined) {
        const n = Math.min(partial.size - partial.filled, data.length - pos);
        data.copy(partial.buffer, partial.filled, pos, pos + n);
        partial.filled += n;
        pos += n;
        if (partial.filled < partial.size) return undefined;
        this.partial = undefined;
        if (!sink(partial.buffer.subarray(0, partial.size), this.releaseFor(partial.buffer))) return undefined;
        continue;
      }
      let size: number;
      if (this.prefixFilled > 0 || data.length - pos < 4) {
        const n = Math.min(4 - this.prefixFilled, data.length - pos);
        data.copy(this.sizePrefix, this.prefixFilled, pos, pos + n);
        this.prefixFilled += n;
        pos += n;
        if (this.prefixFilled < 4) return undefined;
        this.prefixFilled = 0;
        size = this.sizePrefix.readInt32BE(0);
      } else {
        size = data.readInt32BE(pos);
        pos += 4;
      }
      if (size < 0 || size > this.maxFrameBytes) return `frame size ${size} is outside 0..${this.maxFrameBytes} (socket.request.max.bytes)`;
      if (data.length - pos >= size) {
        const frame = data.subarray(pos, pos + size);
        pos += size;
        if (!sink(frame, undefined)) return undefined;
      } else {
        const buffer = size >= MIN_POOLED_FRAME_BYTES ? this.pool.take(size) : Buffer.allocUnsafe(size);
        this.partial = { buffer, size, filled: 0 };
      }
    }
    return undefined;
  }

  private releaseFor(buffer: Buffer): (() => void) | undefined {
    if (buffer.length !== this.pool.bufferBytes) return undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pool.give(buffer);
    };
  }
}
