/**
 * A deliberately thin pipelined Kafka connection for load generation: the caller hands in complete
 * request frames (size prefix included) and gets each response body back in order. Kafka brokers
 * answer the requests of one connection in order, so a FIFO of callbacks is the whole matching
 * logic; a response whose correlation id does not match the oldest request is a broken peer.
 *
 * Why not `broker/client/connection.ts`: that one encodes each request through the generated codecs
 * and allocates a promise, a timer and a map entry per request. Here a frame is built once and
 * re-sent with only its correlation id patched, so the client spends almost nothing per request and
 * the broker, not the load generator, is what is measured. This is an I/O edge (node:net).
 */
import net from 'node:net';
import { Writer } from '../../broker/protocol/primitives.js';
import { encodeRequestHeader } from '../../broker/protocol/header.js';

/** Byte offset of the correlation id in a request frame: size(4) apiKey(2) apiVersion(2). */
export const CORRELATION_ID_POSITION = 8;

type OnResponse = (body: Buffer, error: Error | null) => void;

export class Pipe {
  private readonly socket: net.Socket;
  private readonly waiting: Array<{ correlationId: number; onResponse: OnResponse }> = [];
  private head = 0;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private nextCorrelationId = 1;
  private failed: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, timeoutMs = 5_000): Promise<Pipe> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Pipe(socket));
      });
    });
  }

  get inFlight(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Sends `frame` after patching a fresh correlation id into it. The frame must not be modified
   * again until its response arrived (the socket may still hold a reference to it).
   */
  send(frame: Buffer, onResponse: OnResponse): void {
    if (this.failed !== null) {
      onResponse(Buffer.alloc(0), this.failed);
      return;
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId >= 0x7fffffff ? 1 : correlationId + 1;
    frame.writeInt32BE(correlationId, CORRELATION_ID_POSITION);
    this.waiting.push({ correlationId, onResponse });
    this.socket.write(frame);
  }

  close(): void {
    this.fail(new Error('closed by the load generator'));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    for (;;) {
      if (this.chunkBytes < 4) return;
      let first = this.chunks[0]!;
      if (first.length < 4) first = this.coalesce();
      const size = first.readInt32BE(0);
      if (this.chunkBytes < 4 + size) return;
      const buf = first.length >= 4 + size ? first : this.coalesce();
      const body = buf.subarray(4, 4 + size);
      const rest = buf.subarray(4 + size);
      this.chunks.shift();
      if (rest.length > 0) this.chunks.unshift(rest);
      this.chunkBytes -= 4 + size;
      this.deliver(body);
      if (this.failed !== null) return;
    }
  }

  private coalesce(): Buffer {
    const all = Buffer.concat(this.chunks, this.chunkBytes);
    this.chunks = [all];
    return all;
  }

  private deliver(body: Buffer): void {
    const entry = this.waiting[this.head];
    if (entry === undefined || body.readInt32BE(0) !== entry.correlationId) {
      this.fail(new Error(`response out of order (correlation id ${body.readInt32BE(0)})`));
      return;
    }
    this.waiting[this.head] = undefined as never;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    entry.onResponse(body, null);
  }

  private fail(err: Error): void {
    if (this.failed !== null) return;
    this.failed = err;
    this.socket.destroy();
    const pending = this.waiting.slice(this.head);
    this.waiting.length = 0;
    this.head = 0;
    for (const p of pending) p.onResponse(Buffer.alloc(0), err);
  }
}

/** A complete request frame (size prefix, header, body) with correlation id 0, to be patched. */
export function buildFrame(apiKey: number, apiVersion: number, clientId: string, encodeBody: (w: Writer) => void): Buffer {
  const w = new Writer(1024);
  w.int32(0);
  encodeRequestHeader(w, { apiKey, apiVersion, correlationId: 0, clientId });
  encodeBody(w);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}
