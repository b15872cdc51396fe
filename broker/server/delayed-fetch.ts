// Long-poll Fetch ("purgatory"): a Fetch that found fewer than `min.bytes` parks here until enough
// bytes were appended to the partitions it reads, or `max.wait.ms` passes, or the broker stops.
// Bounded: past `maxWaiters` parked fetches, new ones answer at once with what they have.
import type { Clock, Timer } from '../io/clock.js';

interface Waiter {
  readonly keys: readonly string[];
  bytesNeeded: number;
  readonly timer: Timer;
  readonly resolve: () => void;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class DelayedFetches {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private count = 0;

  constructor(private readonly clock: Clock, private readonly maxWaiters = 10_000) {}

  get parked(): number {
    return this.count;
  }

  /** Resolves when `bytesNeeded` bytes were appended to any of `keys`, or after `maxWaitMs`. */
  wait(keys: readonly string[], bytesNeeded: number, maxWaitMs: number): Promise<void> {
    if (keys.length === 0 || maxWaitMs <= 0 || this.count >= this.maxWaiters) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        keys,
        bytesNeeded: Math.max(1, bytesNeeded),
        timer: this.clock.setTimer(maxWaitMs, () => this.release(waiter)),
        resolve,
      };
      this.count++;
      for (const key of keys) {
        let set = this.byKey.get(key);
        if (!set) this.byKey.set(key, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  /** Called after every append (and after truncation or leadership changes, with bytes = 0 meaning wake all). */
  notify(key: string, bytes: number): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const waiter of [...set]) {
      waiter.bytesNeeded -= bytes;
      if (bytes === 0 || waiter.bytesNeeded <= 0) this.release(waiter);
    }
  }

  releaseAll(): void {
    const all = new Set<Waiter>();
    for (const set of this.byKey.values()) for (const w of set) all.add(w);
    for (const w of all) this.release(w);
  }

  private release(waiter: Waiter): void {
    let removed = false;
    for (const key of waiter.keys) {
      const set = this.byKey.get(key);
      if (set?.delete(waiter)) removed = true;
      if (set && set.size === 0) this.byKey.delete(key);
    }
    if (!removed) return;
    this.count--;
    waiter.timer.cancel();
    waiter.resolve();
  }
}
