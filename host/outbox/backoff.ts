// Retry timing for transient failures: exponential backoff with jitter, capped, inside a
// retention window. Time decides when retrying stops: a job still failing when `giveUpAfter` has
// passed since its window began is *held* on the device (the scan stays; a person retries or
// cancels it) — never deleted. RFC 5321 §4.5.4.1 suggests 4-5 days for MTAs; a scanner keeps
// retrying on its own for a board-set time (72 h on the shipped boards: a weekend's outage) and
// then asks a person.

export interface RetryPolicy {
  /** Delay after the first failure (ms). */
  initialDelay: number;
  /** Cap on any single delay (ms). */
  maxDelay: number;
  multiplier: number;
  /** ± fraction of each delay, so many devices that failed together do not retry together. */
  jitter: number;
  /**
   * Attempts on the exponential ramp: from this attempt on every retry waits `maxDelay`. It only
   * paces the retries; it never ends them (giveUpAfter does).
   */
  maxAttempts: number;
  /** Retention window (ms from enqueue or from the last retry-now): no automatic attempt starts after it; then the job is held. */
  giveUpAfter: number;
}

/** 1 min → 2 → 4 … capped at 1 h, ±20 %, for 72 h, then held (the sim-desktop board's values). */
export const DEFAULT_RETRY: RetryPolicy = {
  initialDelay: 60_000,
  maxDelay: 3_600_000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: 12,
  giveUpAfter: 259_200_000,
};

/** Delay before the next attempt after `failures` (≥ 1) failed attempts. `random` ∈ [0, 1). */
export function retryDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  // Past the ramp every retry waits maxDelay. The exponent is capped so multiplier^n cannot
  // overflow to Infinity on a job with many attempts.
  const ramp = policy.initialDelay * policy.multiplier ** Math.min(n - 1, 64);
  const base = n >= policy.maxAttempts ? policy.maxDelay : Math.min(policy.maxDelay, ramp);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelay, Math.round(base * spread)));
}

export type RetryDecision = { retry: true; at: number } | { retry: false; deadline: number };

/**
 * Whether and when to try again after `failures` failed attempts in a window that began at
 * `windowStartedAt`. The last automatic attempt starts at the deadline at the latest; once `now`
 * has reached it, the answer is no (the caller holds the job).
 */
export function nextAttempt(policy: RetryPolicy, windowStartedAt: number, failures: number, now: number, random?: () => number): RetryDecision {
  const deadline = windowStartedAt + policy.giveUpAfter;
  if (now >= deadline) return { retry: false, deadline };
  return { retry: true, at: Math.min(deadline, now + retryDelay(policy, failures, random)) };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round((m / 60) * 10) / 10} h`;
}
