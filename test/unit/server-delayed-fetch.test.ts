// DelayedFetches (the long-poll purgatory) on a manual clock: a parked fetch is released by the
// append that satisfies it, in that call, before any timer fires (end-to-end latency depends on
// it: the W3 investigation measured parked fetches answered ~0.2 ms after the produce), and its
// max.wait timer is cancelled then; otherwise only the timer releases it.
import test from 'ava';
import type { Clock, Timer } from '../../broker/io/clock.js';
import { DelayedFetches, partitionKey } from '../../broker/server/delayed-fetch.js';

/** Timers fire only when the test advances time. */
class ManualClock implements Clock {
  private now = 0;
  private readonly timers = new Set<{ dueMs: number; fn: () => void }>();

  nowMs(): number {
    return this.now;
  }

  monotonicMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer = { dueMs: this.now + delayMs, fn };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.now += ms;
    for (const timer of [...this.timers]) {
      if (timer.dueMs > this.now) continue;
      this.timers.delete(timer);
      timer.fn();
    }
  }
}

/** Settles the microtask queue so resolved promises have run their reactions. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { released: boolean } {
  const state = { released: false };
  void promise.then(() => {
    state.released = true;
  });
  return state;
}

const key = partitionKey('orders', 0);

test('the append that brings min.bytes releases the parked fetch at once and cancels its timer', async (t) => {
  const clock = new ManualClock();
  const fetches = new DelayedFetches(clock);
  const waiter = track(fetches.wait([key], 1, 500));
  await settle();
  t.false(waiter.released);
  t.is(fetches.parked, 1);

  fetches.notify(key, 1024);
  await settle();
  t.true(waiter.released, 'released by the append, with the clock still at 0');
  t.is(clock.nowMs(), 0);
  t.is(fetches.parked, 0);
  t.is(clock.pendingTimers, 0, 'the max.wait timer was cancelled');
});

test('bytes add up over appends until min.bytes; appends to other partitions do not count', async (t) => {
  const clock = new ManualClock();
  const fetches = new DelayedFetches(clock);
  const waiter = track(fetches.wait([key, partitionKey('orders', 1)], 100, 500));
  fetches.notify(partitionKey('orders', 2), 1000);
  fetches.notify(key, 60);
  await settle();
  t.false(waiter.released, '60 of 100 bytes');
  fetches.notify(partitionKey('orders', 1), 40);
  await settle();
  t.true(waiter.released, '60 + 40 bytes over its two partitions');
  t.is(clock.pendingTimers, 0);
});

test('without appends only max.wait releases the fetch', async (t) => {
  const clock = new ManualClock();
  const fetches = new DelayedFetches(clock);
  const waiter = track(fetches.wait([key], 1, 500));
  clock.advance(499);
  await settle();
  t.false(waiter.released);
  clock.advance(1);
  await settle();
  t.true(waiter.released);
  t.is(fetches.parked, 0);
  fetches.notify(key, 1024);
  t.is(fetches.parked, 0, 'a late append finds nothing to release');
});

test('notify with 0 bytes (truncation, leadership change) releases every waiter of the partition', async (t) => {
  const clock = new ManualClock();
  const fetches = new DelayedFetches(clock);
  const a = track(fetches.wait([key], 1_000_000, 500));
  const b = track(fetches.wait([key], 1, 500));
  const other = track(fetches.wait([partitionKey('orders', 1)], 1, 500));
  fetches.notify(key, 0);
  await settle();
  t.true(a.released);
  t.true(b.released);
  t.false(other.released);
  t.is(fetches.parked, 1);
});

test('past maxWaiters a fetch is not parked: it answers at once', async (t) => {
  const clock = new ManualClock();
  const fetches = new DelayedFetches(clock, 1);
  const first = track(fetches.wait([key], 1, 500));
  const second = track(fetches.wait([key], 1, 500));
  await settle();
  t.false(first.released);
  t.true(second.released);
  t.is(fetches.parked, 1);
});
