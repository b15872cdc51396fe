// Bounds a call to an outside system (a Kafka cluster) by the injected clock, so a reconcile never
// waits on a silent peer longer than it was told to.
import type { Clock } from './clock.js';

/** Runs `work`; if it has not settled after `timeoutMs`, rejects with `timeoutError(message)`. */
export async function withDeadline<T>(
  clock: Clock,
  timeoutMs: number,
  what: string,
  work: () => Promise<T>,
  timeoutError: (message: string) => Error,
): Promise<T> {
  let timer: { cancel(): void } | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = clock.setTimer(timeoutMs, () => reject(timeoutError(`${what} got no answer within ${timeoutMs} ms`)));
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    timer?.cancel();
  }
}
