// The contract every API handler meets (STYLE rule 11): one file per API key under handlers/,
// exporting an ApiHandler. ApiVersions is built from the registry, so the broker can only
// advertise what it handles. Handlers answer bad input with error codes inside the response and
// never throw past the frame boundary (a throw is a bug: the dispatcher logs it and closes only
// that connection).
import type { RequestHeader } from '../protocol/header.js';
import type { Init, MessageCodec } from '../protocol/primitives.js';
import type { ConnectionInfo } from './connection.js';
import type { Broker } from './broker.js';

export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiVersion: number;
  readonly connection: ConnectionInfo;
  readonly broker: Broker;
  /**
   * Runs `fn` once the response has been handed to the kernel (or at once when there is no
   * response). Buffers the response references by view may be reused only then. Not called if the
   * connection dies first: whatever `fn` would release is then left to the garbage collector.
   */
  afterSend(fn: () => void): void;
}

/** `null` means "send no response" (Produce with acks=0). */
export type HandlerResult<Res> = Init<Res> | null;

export interface ApiHandler<Req = unknown, Res = unknown> {
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  /** The versions this broker implements; a subset of the codec's range. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * True when nothing keeps a view of the request's bytes (decoded `bytes`/`records` fields are
   * views of the frame) once `handle` returned or its promise settled, so the frame's memory is
   * reused for a later request. Set only where every path copies what it keeps (Produce: the log
   * append copies the batches into the file); leaving it unset is always safe.
   */
  readonly releasesRequestBytes?: boolean;
  handle(ctx: RequestContext, req: Req): HandlerResult<Res> | Promise<HandlerResult<Res>>;
}

/** Keeps Req/Res inferred from the codecs while storing handlers in one untyped registry. */
export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler {
  return handler as unknown as ApiHandler;
}
