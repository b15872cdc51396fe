// Turns one request frame into one response (or none): header, version check, decode, handler,
// encode. Protocol violations close only the offending connection, as Kafka does; an unsupported
// ApiVersions version gets the UNSUPPORTED_VERSION answer in v0 so any client can read it.
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/index.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion, type RequestHeader } from '../protocol/header.js';
import { ProtocolDecodeError, Reader, Writer } from '../protocol/primitives.js';
import type { Clock } from '../io/clock.js';
import type { Logger } from '../io/logger.js';
import type { ConnectionInfo, FrameHandler, FrameResult } from './connection.js';
import type { ApiHandler, HandlerResult, RequestContext } from './handler.js';
import type { Broker } from './broker.js';
import { apiName, type HandlerRegistry } from './registry.js';

export interface RequestObserver {
  onRequest(apiKey: number, durationMs: number): void;
}

export interface DispatchOptions {
  readonly registry: HandlerRegistry;
  readonly broker: Broker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: RequestObserver;
}

export function createFrameHandler(options: DispatchOptions): FrameHandler {
  const { registry, logger } = options;
  return (frame, connection) => {
    const startedMs = options.clock.monotonicMs();
    const reader = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(reader);
    } catch (error) {
      return close(`unreadable request header (${describe(error)})`);
    }
    const handler = registry.get(header.apiKey);
    if (handler === undefined || header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (header.apiKey === ApiKey.ApiVersions) return unsupportedApiVersions(header, registry);
      const supported = handler ? `${handler.minVersion}-${handler.maxVersion}` : 'none';
      return close(
        `unsupported request ${apiName(header.apiKey)} v${header.apiVersion} from client ${JSON.stringify(header.clientId)} ` +
          `(this broker supports versions ${supported}); upgrade or downgrade the client, or pin its API version`,
      );
    }
    let request: unknown;
    try {
      request = handler.request.decode(reader, header.apiVersion);
    } catch (error) {
      if (error instanceof ProtocolDecodeError) {
        return close(`malformed ${apiName(header.apiKey)} v${header.apiVersion} request: ${error.message}`);
      }
      throw error;
    }
    const sent: Array<() => void> = [];
    const ctx: RequestContext = { header, apiVersion: header.apiVersion, connection, broker: options.broker, afterSend: (fn) => void sent.push(fn) };
    const onSent = (): void => {
      for (const fn of sent.splice(0)) fn();
    };
    const frameReleased = handler.releasesRequestBytes === true;
    const finish = (result: HandlerResult<unknown>): FrameResult => {
      options.observer?.onRequest(header.apiKey, options.clock.monotonicMs() - startedMs);
      if (result === null) {
        onSent();
        return { kind: 'none', frameReleased };
      }
      const chunks = encodeResponse(handler, header, result);
      return sent.length === 0 ? { kind: 'respond', chunks, frameReleased } : { kind: 'respond', chunks, onSent, frameReleased };
    };
    const outcome = handler.handle(ctx, request);
    return outcome instanceof Promise ? outcome.then(finish) : finish(outcome);
  };

  function close(reason: string): FrameResult {
    logger.debug(reason);
    return { kind: 'close', reason };
  }
}

function encodeResponse(handler: ApiHandler, header: RequestHeader, result: HandlerResult<unknown>): Buffer[] {
  const w = new Writer(256);
  encodeResponseHeader(w, responseHeaderVersion(header.apiKey, header.apiVersion), header.correlationId);
  handler.response.encode(w, header.apiVersion, result as never);
  return w.toChunks();
}

function unsupportedApiVersions(header: RequestHeader, registry: HandlerRegistry): FrameResult {
  const w = new Writer(256);
  encodeResponseHeader(w, 0, header.correlationId);
  ApiVersionsResponse.encode(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: registry.advertised() });
  return { kind: 'respond', chunks: w.toChunks() };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { ConnectionInfo };
