// Retry timing for transient failures: exponential backoff with jitter, capped, and a lifetime
// after which the job is given up (an MTA's bounce time; RFC 5321 §4.5.4.1 suggests 4-5 days
// for MTAs, a scanner gives up much sooner: 24 h by default).

export interface RetryPolicy {
  /** Delay after the first failure (ms). */
  initialDelay: number;
  /** Cap on any single delay (ms). */
  maxDelay: number;
  multiplier: number;
  /** ± fraction of each delay, so many devices that failed together do not retry together. */
  jitter: number;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Lifetime of a job (ms from enqueue): no attempt starts after it. */
  giveUpAfter: number;
}

/** 1 min → 2 → 4 … capped at 1 h, ±20 %, for 24 h (the sim-desktop board's values). */
export const DEFAULT_RETRY: RetryPolicy = {
  initialDelay: 60_000,
  maxDelay: 3_600_000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: 1000,
  giveUpAfter: 86_400_000,
};

/** Delay before the next attempt after `failures` (≥ 1) failed attempts. `random` ∈ [0, 1). */
export function retryDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  // Exponent capped so multiplier^n cannot overflow to Infinity on a job with many attempts.
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.multiplier ** Math.min(n - 1, 64));
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelay, Math.round(base * spread)));
}

export type RetryDecision = { retry: true; at: number } | { retry: false; why: string };

/** Whether and when to try again after `failures` attempts of a job created at `createdAt`. */
export function nextAttempt(policy: RetryPolicy, createdAt: number, failures: number, now: number, random?: () => number): RetryDecision {
  if (failures >= policy.maxAttempts) return { retry: false, why: `gave up after ${failures} attempts` };
  const at = now + retryDelay(policy, failures, random);
  const deadline = createdAt + policy.giveUpAfter;
  if (at > deadline) return { retry: false, why: `gave up: still failing after ${formatDuration(now - createdAt)} (the limit is ${formatDuration(policy.giveUpAfter)})` };
  return { retry: true, at };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round((m / 60) * 10) / 10} h`;
}
