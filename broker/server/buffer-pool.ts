/**
 * Fixed-size buffers lent out and given back, so the hot paths stop allocating: fetch reads (lent
 * until the answer holding them was written, `RequestContext.afterSend`) and request frames that
 * arrive in several socket reads (lent until the handler is done with the request's bytes, see
 * frame-reader.ts).
 *
 * Why: a fresh Buffer per fetch read churned ~7 MB/s at W3's rate and ~1 GB/s while a consumer
 * catches up, and a fresh Buffer per 1 MB produce request as much again. V8 counts that memory
 * against the old generation, so the churn turned into full mark-compacts that stalled the event
 * loop (the librdkafka p99 of the benchmark issue), and every fresh buffer's pages are faulted in
 * again. Pooled buffers live in the old generation once and are reused hot.
 *
 * A buffer that never comes back (connection destroyed mid-write, a handler that keeps the
 * request's bytes) is simply collected. Requests for more than `bufferBytes` get a buffer of their
 * own, which `give` does not keep.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    /** Idle buffers kept at most; more are left to the garbage collector. */
    private readonly maxIdle: number,
  ) {}

  /** A buffer of at least `length` bytes; give it back with `give` when nothing references it. */
  take(length: number): Buffer {
    if (length > this.bufferBytes) return Buffer.allocUnsafeSlow(length);
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  give(buffer: Buffer): void {
    if (buffer.length !== this.bufferBytes || this.idle.length >= this.maxIdle) return;
    this.idle.push(buffer);
  }

  get idleCount(): number {
    return this.idle.length;
  }
}
