// One client connection: framing (frame-reader.ts), a bound on in-flight requests, and the
// ordering guarantee Kafka clients rely on: responses leave in the order the requests arrived,
// even when a later request (a Produce with acks=1) finishes before an earlier one (a long-poll
// Fetch). Re-entrancy: `onFrame` may resolve in any order; `flush()` only ever writes from the head.
import type { Socket } from 'node:net';
import type { BufferPool } from './buffer-pool.js';
import { FrameReader } from './frame-reader.js';

/**
 * `onSent`: called once every chunk has been written to the socket (see RequestContext.afterSend).
 * `frameReleased`: nothing references the request frame's bytes any more, so its memory may be
 * reused (ApiHandler.releasesRequestBytes).
 */
export type FrameResult =
  | { readonly kind: 'respond'; readonly chunks: readonly Buffer[]; readonly onSent?: () => void; readonly frameReleased?: boolean }
  | { readonly kind: 'none'; readonly frameReleased?: boolean }
  | { readonly kind: 'close'; readonly reason: string };

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly listenerName: string;
}

export interface ConnectionLimits {
  /** `socket.request.max.bytes`: a larger size prefix closes the connection. */
  readonly maxFrameBytes: number;
  /** Requests read but not yet answered; reading pauses at this bound. */
  readonly maxInFlight: number;
}

export type FrameHandler = (frame: Buffer, info: ConnectionInfo) => FrameResult | Promise<FrameResult>;

export interface ConnectionEvents {
  onClose(conn: Connection): void;
  onProtocolViolation(info: ConnectionInfo, reason: string): void;
  onHandlerFailure(info: ConnectionInfo, error: unknown): void;
}

interface Slot {
  result: FrameResult | undefined;
  /** Gives the frame's pooled buffer back (FrameReader); called when the result says it may be. */
  readonly release: (() => void) | undefined;
}

export class Connection {
  private readonly frames: FrameReader;
  private readonly slots: Slot[] = [];
  private closed = false;
  private readPausedForInFlight = false;
  private readPausedForDrain = false;
  private flushScheduled = false;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly limits: ConnectionLimits,
    private readonly handler: FrameHandler,
    private readonly events: ConnectionEvents,
    framePool: BufferPool,
  ) {
    this.frames = new FrameReader(limits.maxFrameBytes, framePool);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('drain', () => {
      this.readPausedForDrain = false;
      this.updateReading();
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get inFlight(): number {
    return this.slots.length;
  }

  /** Stop reading new requests; answer those already read, then close. */
  drainAndClose(): Promise<void> {
    this.socket.pause();
    if (this.slots.length === 0) {
      this.socket.end();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.closed || this.slots.length === 0) {
          this.socket.end();
          resolve();
        } else {
          setTimeout(check, 5).unref();
        }
      };
      check();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots.length = 0;
    this.socket.destroy();
    this.events.onClose(this);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    const violation = this.frames.push(data, this.onFrame);
    if (violation !== undefined && !this.closed) {
      this.events.onProtocolViolation(this.info, violation);
      this.close();
    }
  }

  /** The FrameReader's sink, made once rather than per socket read. */
  private readonly onFrame = (frame: Buffer, release: (() => void) | undefined): boolean => {
    this.dispatch(frame, release);
    return !this.closed;
  };

  private dispatch(frame: Buffer, release: (() => void) | undefined): void {
    const slot: Slot = { result: undefined, release };
    this.slots.push(slot);
    this.updateReading();
    let outcome: FrameResult | Promise<FrameResult>;
    try {
      outcome = this.handler(frame, this.info);
    } catch (error) {
      this.events.onHandlerFailure(this.info, error);
      outcome = { kind: 'close', reason: 'internal error while handling a request' };
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (result) => this.complete(slot, result),
        (error: unknown) => {
          this.events.onHandlerFailure(this.info, error);
          this.complete(slot, { kind: 'close', reason: 'internal error while handling a request' });
        },
      );
    } else {
      this.complete(slot, outcome);
    }
  }

  private complete(slot: Slot, result: FrameResult): void {
    if (result.kind !== 'close' && result.frameReleased === true) slot.release?.();
    if (this.closed) return;
    slot.result = result;
    this.scheduleFlush();
  }

  /**
   * Responses that become ready in the same tick (e.g. every pipelined request of one socket read)
   * leave in one corked write instead of one syscall each.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      if (!this.closed) this.flush();
    });
  }

  private flush(): void {
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.result !== undefined) {
      const result = this.slots.shift()!.result!;
      if (result.kind === 'close') {
        if (wrote) this.socket.uncork();
        this.events.onProtocolViolation(this.info, result.reason);
        this.close();
        return;
      }
      if (result.kind === 'none') continue;
      if (!wrote) {
        this.socket.cork();
        wrote = true;
      }
      let size = 0;
      for (const chunk of result.chunks) size += chunk.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      // The last write's callback fires once every chunk of this response left the process.
      const last = result.chunks.length - 1;
      this.socket.write(prefix, last < 0 ? result.onSent : undefined);
      result.chunks.forEach((chunk, i) => {
        if (!this.socket.write(chunk, i === last ? result.onSent : undefined)) this.readPausedForDrain = true;
      });
    }
    if (wrote) this.socket.uncork();
    this.updateReading();
  }

  private updateReading(): void {
    if (this.closed) return;
    const overInFlight = this.slots.length >= this.limits.maxInFlight;
    const shouldPause = overInFlight || this.readPausedForDrain;
    if (shouldPause && !this.readPausedForInFlight) {
      this.readPausedForInFlight = true;
      this.socket.pause();
    } else if (!shouldPause && this.readPausedForInFlight) {
      this.readPausedForInFlight = false;
      this.socket.resume();
    }
  }
}
