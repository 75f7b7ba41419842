// The device's background sender: deliver due jobs, sleep until the next one is due (or until
// a poll interval passes, to pick up jobs other processes enqueued), stop cleanly when asked.
//
// Stopping never loses a job: a job leaves the queue only after its final 250 was read, so an
// attempt cut short by the stop signal simply stays queued and is retried on the next start.
import type { AttemptOutcome, Outbox } from "./index.js";
import type { Deliver } from "./types.js";
import { systemClock, type Clock } from "../base/clock.js";

export interface DaemonOptions {
  clock?: Clock;
  /** Longest sleep between passes (ms); new jobs from other processes are seen within it. */
  pollMs?: number;
  /** Stop when no queued job is left (tests, `mfp-mail daemon --drain`); held jobs wait for a person. */
  exitWhenEmpty?: boolean;
  onOutcome?: (o: AttemptOutcome) => void;
  onError?: (err: unknown) => void;
  /** Upper bound on passes (a safety net for tests; default unbounded). */
  maxPasses?: number;
}

/** Run until `signal` aborts (or the queue is empty with exitWhenEmpty). */
export async function runDaemon(outbox: Outbox, deliver: Deliver, signal: AbortSignal, opts: DaemonOptions = {}): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const pollMs = opts.pollMs ?? 30_000;
  for (let pass = 0; !signal.aborted && pass < (opts.maxPasses ?? Infinity); pass++) {
    let nextDue: number | null;
    try {
      ({ nextDue } = await outbox.runDue(deliver, signal, opts.onOutcome));
    } catch (err) {
      // A storage hiccup (EIO, a full disk while updating a job) must not end the device's
      // sender: report it and try again after the poll interval. No job is removed by an error.
      opts.onError?.(err);
      nextDue = clock.now() + pollMs;
    }
    if (signal.aborted) break;
    if (nextDue === null && opts.exitWhenEmpty) {
      if (!(await outbox.list()).some((j) => j.state === "queued")) break;
    }
    const wait = nextDue === null ? pollMs : Math.min(pollMs, Math.max(0, nextDue - clock.now()));
    if (wait > 0) await clock.sleep(wait, signal);
  }
}
