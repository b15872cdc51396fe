/**
 * Request and response headers (hand-written; the schemas' RequestHeader/ResponseHeader are not
 * generated because the request header's client id is never compact, even in header v2).
 *
 * Request header: v0 = apiKey int16, apiVersion int16, correlationId int32; v1 adds clientId
 * (nullable string with an int16 length); v2 = v1 + a tagged-field section.
 * Response header: v0 = correlationId int32; v1 adds a tagged-field section.
 *
 * Which version a message uses follows from whether its API version is flexible, with two
 * exceptions Kafka keeps for old clients: ApiVersions responses always use header v0 (so a client
 * that sent a too-new version can still read the error), and ControlledShutdown v0 requests use
 * request header v0.
 *
 * `decodeRequestHeader` must work for api keys and versions we do not know (the broker answers
 * those with UNSUPPORTED_VERSION): it reads the fixed part and the client id, and reads the
 * tagged-field section only when the key and version are known and flexible. For an unknown
 * flexible version the reader is therefore left before that section; callers do not decode such
 * bodies.
 */
import { ApiKey, apiMessages } from './generated/index.js';
import type { Reader, Writer } from './primitives.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface ResponseHeader {
  correlationId: number;
}

function isKnownVersion(apiKey: number, apiVersion: number): boolean {
  const api = apiMessages.get(apiKey);
  return api !== undefined && apiVersion >= api.request.minVersion && apiVersion <= api.request.maxVersion;
}

/** The request header version (0, 1 or 2) for a request of this key and version. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  const api = apiMessages.get(apiKey);
  if (api === undefined) return 1;
  return apiVersion >= api.request.flexibleMinVersion ? 2 : 1;
}

/** The response header version (0 or 1) for a response of this key and version. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const api = apiMessages.get(apiKey);
  if (api === undefined) return 0;
  return apiVersion >= api.response.flexibleMinVersion ? 1 : 0;
}

export function decodeRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const version = requestHeaderVersion(apiKey, apiVersion);
  const clientId = version >= 1 ? r.nullableString() : null;
  if (version >= 2 && isKnownVersion(apiKey, apiVersion)) r.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(w: Writer, header: RequestHeader): void {
  const version = requestHeaderVersion(header.apiKey, header.apiVersion);
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  if (version >= 1) w.nullableString(header.clientId);
  if (version >= 2) w.emptyTaggedFields();
}

export function encodeResponseHeader(w: Writer, version: number, correlationId: number): void {
  w.int32(correlationId);
  if (version >= 1) w.emptyTaggedFields();
}

export function decodeResponseHeader(r: Reader, version: number): ResponseHeader {
  const correlationId = r.int32();
  if (version >= 1) r.skipTaggedFields();
  return { correlationId };
}
