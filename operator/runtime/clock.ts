/**
 * Time for the operator runtime: the project's one `Clock` (`broker/io/clock.ts`, STYLE rule 3)
 * plus `ManualClock`, a twin whose time moves only when a test says so. Timers due at or before the
 * new time fire in due order during `advance`; a timer armed by a firing timer fires in the same
 * `advance` if it is due by then.
 */
import type { Clock, Timer } from '../../broker/io/clock.js';

export type { Clock, Timer } from '../../broker/io/clock.js';
export { systemClock } from '../../broker/io/clock.js';

interface PendingTimer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private now: number;
  private seq = 0;
  private readonly timers: PendingTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  monotonicMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: PendingTimer = { dueMs: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Number of armed, uncancelled timers. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const live = this.timers.filter((t) => !t.cancelled && t.dueMs <= target);
      if (live.length === 0) break;
      live.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
      const next = live[0]!;
      next.cancelled = true;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.now = Math.max(this.now, next.dueMs);
      next.fn();
    }
    this.now = target;
    for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
  }
}
