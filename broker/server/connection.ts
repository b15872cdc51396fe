// One client connection: framing (int32 size + body), a bound on in-flight requests, and the
// ordering guarantee Kafka clients rely on: responses leave in the order the requests arrived,
// even when a later request (a Produce with acks=1) finishes before an earlier one (a long-poll
// Fetch). Re-entrancy: `onFrame` may resolve in any order; `flush()` only ever writes from the head.
import type { Socket } from 'node:net';

export type FrameResult =
  /** `onSent`: called once every chunk has been written to the socket (see RequestContext.afterSend). */
  | { readonly kind: 'respond'; readonly chunks: readonly Buffer[]; readonly onSent?: () => void }
  | { readonly kind: 'none' }
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
}

export class Connection {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
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
  ) {
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
    this.chunks = [];
    this.socket.destroy();
    this.events.onClose(this);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.chunks.push(data);
    this.bufferedBytes += data.length;
    while (!this.closed && this.bufferedBytes >= 4) {
      const size = this.peekInt32();
      if (size < 0 || size > this.limits.maxFrameBytes) {
        this.events.onProtocolViolation(
          this.info,
          `frame size ${size} is outside 0..${this.limits.maxFrameBytes} (socket.request.max.bytes)`,
        );
        this.close();
        return;
      }
      if (this.bufferedBytes < 4 + size) break;
      const frame = this.take(4 + size).subarray(4);
      this.dispatch(frame);
    }
  }

  private peekInt32(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.bufferedBytes, 4));
    return head.readInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.bufferedBytes);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.bufferedBytes -= n;
    return out;
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { result: undefined };
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
