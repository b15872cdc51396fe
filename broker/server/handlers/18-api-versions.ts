// ApiVersions (18): what this broker implements, read from the handler registry so it can never
// advertise an API it does not handle. Unsupported request versions are answered by the
// dispatcher (v0 response with UNSUPPORTED_VERSION) before reaching here.
import { ApiVersionsRequest } from '../../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../protocol/generated/api-versions-response.js';
import { defineHandler } from '../handler.js';
import { allHandlers } from './index.js';

export const apiVersionsHandler = defineHandler({
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  minVersion: 0,
  maxVersion: 4,
  handle() {
    const apiKeys = allHandlers
      .map((h) => ({ apiKey: h.request.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
  },
});
