// One delivery attempt of one job, and what it means for the job afterwards.
//
// At-least-once: a recipient is marked delivered only after the server's final 250 to the
// message (after the DATA dot, or BDAT LAST) was read — RFC 5321 §4.1.1.4 / RFC 3030 §2: only
// that reply transfers responsibility. A connection that drops before it leaves the job queued;
// if the server had already accepted the message and its 250 was lost — or the device stopped
// before it recorded that 250 — the retry delivers a duplicate. That window, from the server's
// acceptance to the device's one-rename commit, is the only way a duplicate arises.
import { nextAttempt, type RetryPolicy } from "./backoff.js";
import { holdReason } from "./notices.js";
import type { RateLimiter } from "./ratelimit.js";
import type { OutboxStore } from "./store.js";
import type { AttemptTranscript, TranscriptLog } from "../log/transcript.js";
import type { AttemptRecord, Deliver, DeliveryResult, HoldCause, JobRecord } from "./types.js";
import type { Clock } from "../base/clock.js";
import { writeReport, type FinalReport } from "./report.js";
import { applyResult } from "./verdict.js";

export type AttemptOutcome =
  /** Every recipient has a final answer; the job is gone. report.final says how it ended. */
  | { kind: "done"; job: JobRecord; result: DeliveryResult | null; report: FinalReport }
  /** Some recipients are still pending; the next attempt is due at `at`. */
  | { kind: "retry"; job: JobRecord; result: DeliveryResult; at: number }
  /** The job waits for a person (held now, or held before and not attempted); the scan stays. */
  | { kind: "held"; job: JobRecord; result: DeliveryResult | null; reason: string }
  /** Not attempted now (rate limit); try again after `at`. */
  | { kind: "deferred"; job: JobRecord; at: number; why: string }
  /** Another process is delivering this job right now. */
  | { kind: "busy"; id: string }
  /** The job is not in the queue (delivered, cancelled, or quarantined). */
  | { kind: "gone"; id: string; why: string };

export interface AttemptContext {
  store: OutboxStore;
  limiter: RateLimiter;
  log: TranscriptLog;
  retry: RetryPolicy;
  clock: Clock;
  random: () => number;
  reportsDir: string;
}

const KEEP_ATTEMPTS = 20;

/**
 * Settle a job whose recipients all have a final answer. All delivered: the removal is the
 * commit, and it comes first — the window in which a crash can cause a duplicate ends with one
 * rename. Otherwise the recipients' final states are made durable first and the report written
 * before the removal, so a crash can never drop a job without telling.
 */
async function finish(ctx: AttemptContext, job: JobRecord, result: DeliveryResult | null, why: string): Promise<AttemptOutcome> {
  let report: FinalReport;
  if (job.recipients.every((r) => r.state === "delivered")) {
    await ctx.store.remove(job.id);
    report = await writeReport(ctx.reportsDir, job, ctx.clock.now(), why);
  } else {
    await ctx.store.update(job);
    report = await writeReport(ctx.reportsDir, job, ctx.clock.now(), why);
    await ctx.store.remove(job.id);
  }
  return { kind: "done", job, result, report };
}

/** Keep the job and its scan, and stop trying it automatically until a person acts. */
async function hold(ctx: AttemptContext, job: JobRecord, result: DeliveryResult | null, cause: HoldCause, id: string, reason: string): Promise<AttemptOutcome> {
  job.state = "held";
  job.held = { cause, id, reason, at: ctx.clock.now() };
  await ctx.store.update(job);
  ctx.log.note(job.id, job.attemptCount, `held (${id}): ${reason}`);
  return { kind: "held", job, result, reason };
}

/** Deliver one job now (rate limits permitting), record the attempt, and settle the job. */
export async function attemptJob(ctx: AttemptContext, id: string, deliver: Deliver, signal: AbortSignal): Promise<AttemptOutcome> {
  const release = await ctx.store.lock(id);
  if (!release) return { kind: "busy", id };
  try {
    const job = await ctx.store.load(id);
    if (!job) return { kind: "gone", id, why: "not in the queue" };
    if (job.state === "held") return { kind: "held", job, result: null, reason: job.held?.reason ?? "held" };
    const pending = job.recipients.filter((r) => r.state === "pending").map((r) => r.address);
    if (pending.length === 0) return await finish(ctx, job, null, "every recipient already has a final answer");

    const take = await ctx.limiter.take(job.account, job.limits, pending.length);
    if (!take.ok) {
      // More recipients than the account may ever reach in a day: no server refused anything.
      if (take.waitMs === Infinity) return await hold(ctx, job, null, "unsendable", "RATE_LIMIT_EXCEEDED_FOR_GOOD", holdReason("unsendable", take.why, ctx.retry.giveUpAfter));
      return { kind: "deferred", job, at: ctx.clock.now() + take.waitMs, why: take.why };
    }

    let scans;
    try {
      scans = await ctx.store.scanSources(job);
    } catch (err) {
      await ctx.store.quarantine(id, err instanceof Error ? err.message : String(err));
      return { kind: "gone", id, why: `quarantined: ${err instanceof Error ? err.message : String(err)}` };
    }

    const no = job.attemptCount + 1;
    const startedAt = ctx.clock.now();
    const transcript: AttemptTranscript = ctx.log.begin(id, no);
    let result: DeliveryResult;
    try {
      result = await deliver({ jobId: id, attempt: no, from: job.from, recipients: pending, message: job.message, connection: job.connection, scans, observer: transcript, signal });
    } catch (err) {
      // A delivery function should report failures as results; anything thrown is treated as a
      // connection-level fault: transient, nothing accepted.
      const message = err instanceof Error ? err.message : String(err);
      result = { status: "not-sent-transient", code: 0, enhanced: "", message, recipients: [], transient: true, messageAccepted: false };
    }
    // The job is on storage: a transient failure leaves it queued (the session alone cannot know that).
    const status = result.status === "not-sent-transient" ? "queued" : result.status;
    transcript.end({ status, code: result.code, enhanced: result.enhanced, message: result.message });

    const verdict = applyResult(job, pending, result);
    const rec: AttemptRecord = {
      no,
      startedAt,
      endedAt: ctx.clock.now(),
      status,
      code: result.code,
      enhanced: result.enhanced,
      message: result.message,
      tried: pending,
    };
    job.attempts = [...job.attempts, rec].slice(-KEEP_ATTEMPTS);
    job.attemptCount = no;
    job.firstAttemptAt ??= startedAt;
    job.windowAttempts += 1;

    if (!job.recipients.some((r) => r.state === "pending")) return await finish(ctx, job, result, result.message);
    if (signal.aborted) {
      // Stopped by us (daemon shutdown), not by the server: due again as soon as we restart.
      job.nextAttemptAt = ctx.clock.now();
      await ctx.store.update(job);
      return { kind: "retry", job, result, at: job.nextAttemptAt };
    }
    let backoffUntil = 0;
    if (result.accountBackoffMs) {
      backoffUntil = ctx.clock.now() + result.accountBackoffMs;
      await ctx.limiter.backoff(job.account, backoffUntil, result.message);
    }
    if (verdict.hold) return await hold(ctx, job, result, verdict.hold.cause, verdict.hold.id, holdReason(verdict.hold.cause, result.message, ctx.retry.giveUpAfter));
    const next = nextAttempt(ctx.retry, job.windowStartedAt, job.windowAttempts, ctx.clock.now(), ctx.random);
    if (!next.retry) return await hold(ctx, job, result, "expired", "OUTBOX_RETENTION_EXPIRED", holdReason("expired", result.message, ctx.retry.giveUpAfter));
    job.nextAttemptAt = Math.max(next.at, backoffUntil);
    // Durable before anything else: recipients that got their 250 are never sent again.
    await ctx.store.update(job);
    return { kind: "retry", job, result, at: next.at };
  } finally {
    await release();
  }
}
