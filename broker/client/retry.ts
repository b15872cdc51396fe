/**
 * Bounded retries for the internal client. Only errors the caller calls retriable are retried,
 * with a fixed back-off; after `attempts` tries the last error is thrown unchanged.
 */
import { KafkaError } from '../protocol/errors.js';
import { ConnectionError } from './connection.js';

export interface RetryOptions {
  attempts: number;
  backoffMs: number;
  /** Called before each retry (refresh metadata, forget a coordinator, ...). */
  beforeRetry?: (error: unknown, attempt: number) => Promise<void> | void;
  isRetriable?: (error: unknown) => boolean;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Kafka's retriable codes and dropped connections. */
export function isRetriableError(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof KafkaError && error.retriable);
}

export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetriable = options.isRetriable ?? isRetriableError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.attempts || !isRetriable(err)) throw err;
      await sleep(options.backoffMs);
      await options.beforeRetry?.(err, attempt);
    }
  }
}
