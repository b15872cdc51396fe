// A Kafka listener: accepts TCP connections and hands each one a Connection. Shutdown stops
// accepting first, then lets every connection answer what it already read (SIGTERM contract).
import { createServer, type Server, type Socket } from 'node:net';
import { Connection, type ConnectionEvents, type ConnectionLimits, type FrameHandler } from './connection.js';
import type { BufferPool } from './buffer-pool.js';

export interface ListenerOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly limits: ConnectionLimits;
  readonly handler: FrameHandler;
  /** Buffers for request frames that arrive in several reads. */
  readonly framePool: BufferPool;
  readonly events: Omit<ConnectionEvents, 'onClose'> & {
    onOpen?(conn: Connection): void;
    onClose?(conn: Connection): void;
  };
}

export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private nextId = 1;
  private boundPort = 0;

  constructor(private readonly options: ListenerOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      // An empty host means all interfaces, as in Kafka's `PLAINTEXT://:9092`.
      this.server.listen({ host: this.options.host || undefined, port: this.options.port, backlog: 1024 }, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.boundPort = typeof address === 'object' && address !== null ? address.port : this.options.port;
        resolve();
      });
    });
  }

  /** Stop accepting; answer in-flight requests; close every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((conn) => conn.drainAndClose()));
    for (const conn of this.connections) conn.close();
    await closed;
  }

  private accept(socket: Socket): void {
    const events = this.options.events;
    const conn = new Connection(
      socket,
      { id: this.nextId++, remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`, listenerName: this.options.name },
      this.options.limits,
      this.options.handler,
      {
        onProtocolViolation: (info, reason) => events.onProtocolViolation(info, reason),
        onHandlerFailure: (info, error) => events.onHandlerFailure(info, error),
        onClose: (c) => {
          this.connections.delete(c);
          events.onClose?.(c);
        },
      },
      this.options.framePool,
    );
    this.connections.add(conn);
    events.onOpen?.(conn);
  }
}
