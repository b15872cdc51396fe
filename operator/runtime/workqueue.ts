/**
 * The controllers' work queue (client-go's workqueue semantics, written for this project).
 *
 * Invariants:
 * - De-duplication: a key is in the queue at most once; adding a queued key does nothing.
 * - Per-key serialisation: `get` never hands out a key that is being processed (between `get` and
 *   `done`). A key added while it is processed is remembered ("dirty") and queued again by `done`,
 *   so the change that caused the add is still seen, by a later reconcile.
 * - Back-off: `addRateLimited` waits `backoffBaseMs * 2^(failures)` capped at `backoffMaxMs`;
 *   `forget` resets the failure count (call it after a success or a terminal error).
 * - `addAfter` keeps only the earliest pending delay per key. All time comes from the injected
 *   Clock; the queue arms at most one timer per key.
 * - Bounded: the queue holds each key once, so its size is bounded by the number of objects.
 * Not re-entrant across threads (there are none); `get` waiters are served in FIFO order.
 */
import type { Clock, Timer } from './clock.js';

export interface WorkQueueOptions {
  readonly clock: Clock;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failureCounts = new Map<string, number>();
  private readonly delayed = new Map<string, { dueMs: number; timer: Timer }>();
  private readonly waiters: Array<(key: string | null) => void> = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.clock = options.clock;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 5 * 60_000;
  }

  /** Queues `key` now (see the header for de-duplication and serialisation). */
  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
  }

  /** Queues `key` after `delayMs`, unless an earlier delayed add is pending. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const dueMs = this.clock.nowMs() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.dueMs <= dueMs) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { dueMs, timer });
  }

  /** Records a failure of `key` and queues it after the back-off for its failure count. */
  addRateLimited(key: string): number {
    const delayMs = this.backoffMs(key);
    this.failureCounts.set(key, (this.failureCounts.get(key) ?? 0) + 1);
    this.addAfter(key, delayMs);
    return delayMs;
  }

  /** The delay the next `addRateLimited(key)` will use. */
  backoffMs(key: string): number {
    const failures = this.failureCounts.get(key) ?? 0;
    return Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(failures, 30));
  }

  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  /** Resets the failure count of `key`. */
  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  /** The next key to process; waits while the queue is empty; null once shut down. */
  get(): Promise<string | null> {
    if (this.shuttingDown) return Promise.resolve(null);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of `key`; re-queues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Keys waiting (not counting delayed or in-process ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Keys being processed right now. */
  get inFlight(): number {
    return this.processing.size;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Stops handing out keys: waiting `get` calls resolve null, timers are cancelled. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }
}
