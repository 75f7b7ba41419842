// The one time source of the host: real on the device, fake in tests (OAuth polling and expiry,
// outbox rate limits and backoff, the daemon's polls) so they run without real waits.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolve after ms milliseconds, or at once when the signal aborts — never a rejection: the
   * caller asks `signal.aborted` afterwards when a cancelled wait means something to it.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};
