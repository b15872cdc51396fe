/**
 * One TCP connection from the internal client to one broker.
 *
 * Contracts:
 * - Frames are int32 size + body. Requests are pipelined: any number may be in flight (bounded by
 *   `maxInFlight`), and each response is matched to its request by correlation id, so a broker that
 *   answered out of order would still be understood (Kafka brokers answer in order).
 * - Every request has its own timeout. A timed-out request is rejected with `RequestTimeoutError`
 *   and forgotten; if its response arrives later it is dropped. The connection stays open.
 * - A closed or failed socket rejects every in-flight request with `ConnectionError` naming the
 *   peer; later `request` calls reject immediately. Closing is idempotent.
 * - A frame larger than `maxFrameBytes` is a broken peer: the connection is closed with an error.
 * - Requests that expect no response (Produce with acks=0) resolve once written.
 * This is an I/O edge: it uses `node:net` and timers directly.
 */
import net from 'node:net';
import { encodeRequestHeader, decodeResponseHeader, responseHeaderVersion } from '../protocol/header.js';
import { Reader, Writer, type Init, type MessageCodec } from '../protocol/primitives.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 1024;

/** The socket could not be opened, or closed while requests were waiting. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  /** The system error code when there is one (ECONNREFUSED, ETIMEDOUT, ...). */
  readonly errno: string | undefined;
  constructor(message: string, errno?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errno = errno;
  }
}

/** No response arrived within the request's timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
  maxInFlight?: number;
}

export interface RawRequest<T> {
  apiKey: number;
  apiVersion: number;
  encodeBody: (w: Writer) => void;
  /** Reads the body; the reader starts after the response header. */
  decodeBody: (r: Reader) => T;
  /** False for requests the broker never answers (Produce acks=0). */
  expectResponse?: boolean;
  timeoutMs?: number;
}

interface InFlight {
  apiKey: number;
  apiVersion: number;
  decodeBody: (r: Reader) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Connection {
  readonly host: string;
  readonly port: number;
  private readonly socket: net.Socket;
  private readonly options: Required<Omit<ConnectionOptions, 'host' | 'port'>>;
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closedError: ConnectionError | null = null;
  private readonly closeListeners: Array<() => void> = [];

  private constructor(socket: net.Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.host = options.host;
    this.port = options.port;
    this.options = {
      clientId: options.clientId,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    };
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(new ConnectionError(`Connection to ${this.address} failed: ${err.message}`, err.code, { cause: err }));
    });
    socket.on('close', () => this.fail(new ConnectionError(`Connection to ${this.address} was closed`)));
  }

  /** Opens a connection; rejects with `ConnectionError` on refusal, DNS failure or timeout. */
  static connect(options: ConnectionOptions): Promise<Connection> {
    const address = formatAddress(options.host, options.port);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.host, port: options.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`Connection to ${address} timed out after ${timeoutMs} ms`, 'ETIMEDOUT'));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        const reason = err.code === 'ECONNREFUSED' ? 'refused' : `failed: ${err.message}`;
        reject(new ConnectionError(`Connection to ${address} ${reason}`, err.code, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Connection(socket, options));
      });
    });
  }

  get address(): string {
    return formatAddress(this.host, this.port);
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Called once when the connection closes, for any reason. */
  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  /** Sends a request encoded by a generated codec and decodes the response with its pair. */
  send<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    apiVersion: number,
    body: Init<Req>,
    options: { expectResponse?: boolean; timeoutMs?: number } = {},
  ): Promise<Res> {
    return this.request({
      apiKey: request.apiKey,
      apiVersion,
      encodeBody: (w) => request.encode(w, apiVersion, body),
      decodeBody: (r) => response.decode(r, apiVersion),
      ...options,
    });
  }

  request<T>(req: RawRequest<T>): Promise<T> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    if (this.inFlight.size >= this.options.maxInFlight) {
      return Promise.reject(new Error(`assertion failed: more than ${this.options.maxInFlight} requests in flight to ${this.address}`));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = this.nextCorrelationId >= 0x7fffffff ? 1 : this.nextCorrelationId + 1;
    const w = new Writer();
    w.int32(0); // size placeholder, patched below
    encodeRequestHeader(w, { apiKey: req.apiKey, apiVersion: req.apiVersion, correlationId, clientId: this.options.clientId });
    req.encodeBody(w);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    if (req.expectResponse === false) {
      return new Promise((resolve, reject) => {
        this.socket.write(frame, (err) => (err ? reject(this.closedError ?? new ConnectionError(err.message)) : resolve(undefined as T)));
      });
    }
    const timeoutMs = req.timeoutMs ?? this.options.requestTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(correlationId);
        reject(new RequestTimeoutError(`Request (api key ${req.apiKey} v${req.apiVersion}) to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.inFlight.set(correlationId, {
        apiKey: req.apiKey,
        apiVersion: req.apiVersion,
        decodeBody: req.decodeBody,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new ConnectionError(`Connection to ${this.address} was closed by the client`));
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 4) {
      const head = this.pending.length === 1 ? this.pending[0]! : this.coalesce();
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.options.maxFrameBytes) {
        this.fail(new ConnectionError(`Connection to ${this.address}: response frame of ${size} bytes is out of bounds`));
        return;
      }
      if (this.pendingBytes < 4 + size) return;
      const buf = this.coalesce();
      const frame = buf.subarray(4, 4 + size);
      const rest = buf.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.onFrame(frame);
      if (this.closedError !== null) return;
    }
  }

  private coalesce(): Buffer {
    if (this.pending.length !== 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0]!;
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.fail(new ConnectionError(`Connection to ${this.address}: response frame too short`));
      return;
    }
    const entry = this.inFlight.get(frame.readInt32BE(0));
    if (entry === undefined) return; // timed out earlier: drop the late answer
    this.inFlight.delete(frame.readInt32BE(0));
    clearTimeout(entry.timer);
    try {
      const r = new Reader(frame);
      decodeResponseHeader(r, responseHeaderVersion(entry.apiKey, entry.apiVersion));
      entry.resolve(entry.decodeBody(r));
    } catch (err) {
      entry.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(error: ConnectionError): void {
    if (this.closedError !== null) return;
    this.closedError = error;
    this.socket.destroy();
    for (const entry of this.inFlight.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.inFlight.clear();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/** `host:port`, with brackets around IPv6 literals. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parses `host:port` (or `[v6]:port`); throws on anything else. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address.trim()) ?? /^([^:\s]+):(\d+)$/.exec(address.trim());
  if (m === null) throw new Error(`Invalid address '${address}': expected host:port`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid port in '${address}'`);
  return { host: m[1]!, port };
}
