// The handler registry: which API keys and versions this broker implements. ApiVersions reads it.
import { apiMessages } from '../protocol/generated/index.js';
import type { ApiHandler } from './handler.js';

export class HandlerRegistry {
  private readonly handlers = new Map<number, ApiHandler>();

  constructor(handlers: readonly ApiHandler[]) {
    for (const handler of handlers) {
      const key = handler.request.apiKey;
      if (this.handlers.has(key)) throw new Error(`two handlers registered for api key ${key}`);
      if (handler.minVersion < handler.request.minVersion || handler.maxVersion > handler.request.maxVersion) {
        throw new Error(`handler for ${handler.request.name} claims versions outside its schema`);
      }
      this.handlers.set(key, handler);
    }
  }

  get(apiKey: number): ApiHandler | undefined {
    return this.handlers.get(apiKey);
  }

  advertised(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.handlers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([apiKey, h]) => ({ apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }
}

export function apiName(apiKey: number): string {
  const name = apiMessages.get(apiKey)?.name;
  return name ?? `unknown api key ${apiKey}`;
}
