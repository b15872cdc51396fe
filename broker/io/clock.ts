// The only module that reads the wall clock or arms timers (STYLE rule 3). Core code receives
// `nowMs` from a Clock; the simulator passes its own implementation that can drift and jump.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  nowMs(): number;
  /** Monotonic milliseconds with sub-ms precision, for measuring durations only. */
  monotonicMs(): number;
  setTimer(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
