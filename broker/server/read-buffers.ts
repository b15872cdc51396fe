/**
 * Buffers that fetch reads are lent, returned once the response holding them has been written.
 *
 * Why: a fresh Buffer per fetch read churned ~7 MB/s at W3's rate and ~1 GB/s while a consumer
 * catches up. V8 counts that memory against the old generation, so the churn turned into full
 * mark-compacts that stalled the event loop (the librdkafka p99 of the benchmark issue), and every
 * fresh buffer's pages are faulted in again. Pooled buffers live in the old generation once and are
 * reused hot.
 *
 * A buffer goes back only after the socket write of the response that references it completed
 * (`RequestContext.afterSend`), or at once when the read's bytes did not make it into a response.
 * A buffer that never comes back (connection destroyed mid-write) is simply collected. Reads
 * bigger than `bufferBytes` (a single batch over the partition limit) get a buffer of their own.
 */
export class ReadBufferPool {
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
