// One delivery attempt of one job, and what it means for the job afterwards.
//
// At-least-once: a recipient is marked delivered only after the server's final 250 to the
// message (after the DATA dot, or BDAT LAST) was read — RFC 5321 §4.1.1.4 / RFC 3030 §2: only
// that reply transfers responsibility. A connection that drops before it leaves the job queued;
// if the server had already accepted the message and only its 250 was lost, the retry delivers a
// duplicate. That is the only way a duplicate arises.
import { nextAttempt, type RetryPolicy } from "./backoff.js";
import type { RateLimiter } from "./ratelimit.js";
import type { OutboxStore } from "./store.js";
import type { AttemptTranscript, TranscriptLog } from "../log/transcript.js";
import type { AttemptRecord, Clock, Deliver, DeliveryResult, JobRecord, JobRecipient } from "./types.js";
import { writeReport, type FinalReport } from "./report.js";

export type AttemptOutcome =
  /** Every recipient has a final answer; the job is gone. report.final says how it ended. */
  | { kind: "done"; job: JobRecord; result: DeliveryResult | null; report: FinalReport }
  /** Some recipients are still pending; the next attempt is due at `at`. */
  | { kind: "retry"; job: JobRecord; result: DeliveryResult; at: number }
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

/** Was this reply code a permanent rejection (RFC 5321 §4.2.1: 5yz)? */
const permanentCode = (code: number): boolean => code >= 500 && code < 600;

/** Whether the message itself reached the point of no return (final 250 read). */
function messageAccepted(r: DeliveryResult): boolean {
  return r.messageAccepted ?? (r.status === "sent" || r.status === "partial");
}

/** Whether a whole-message failure is worth retrying (4xx, network, timeout, 451 4.7.500 …). */
function transientFailure(r: DeliveryResult): boolean {
  if (r.transient !== undefined) return r.transient;
  if (r.status === "queued") return true;
  return !permanentCode(r.code);
}

/** Apply one session result to the job's recipients (only the ones tried). */
export function applyResult(job: JobRecord, tried: string[], r: DeliveryResult): void {
  // The account as a whole must wait (quota, throttling): no recipient's answer is final.
  if (r.accountBackoffMs) return;
  const accepted = messageAccepted(r);
  const transient = transientFailure(r);
  for (const rcpt of job.recipients) {
    if (rcpt.state !== "pending" || !tried.includes(rcpt.address)) continue;
    const res = r.recipients.find((x) => x.address.toLowerCase() === rcpt.address.toLowerCase());
    const mark = (state: JobRecipient["state"], code: number, enhanced?: string, message?: string) => {
      rcpt.state = state;
      rcpt.code = code;
      rcpt.enhanced = enhanced;
      rcpt.message = message;
    };
    // A session that reports "sent" without a per-recipient list means every recipient.
    if (accepted && (res ? res.accepted : r.status === "sent")) mark("delivered", 250, r.enhanced, r.message);
    // A recipient's own 5xx is final; the same code on every recipient of a failure classified
    // transient (501 5.5.127 …) is the message's, not theirs.
    else if (res && !res.accepted && permanentCode(res.code) && !(transient && res.code === r.code)) mark("failed", res.code, res.enhanced, res.message ?? r.message);
    else if (res && !res.accepted && res.code >= 400) {
      // This recipient's own 4xx (RCPT) or a transient failure: it stays pending.
    } else if (!accepted && !transient) mark("failed", r.code, r.enhanced, r.message);
    // else: still pending — a transient failure of the whole message.
  }
}

async function finish(ctx: AttemptContext, job: JobRecord, result: DeliveryResult | null, why: string): Promise<AttemptOutcome> {
  const report = await writeReport(ctx.reportsDir, job, ctx.clock.now(), why);
  await ctx.store.remove(job.id);
  return { kind: "done", job, result, report };
}

/** Deliver one job now (rate limits permitting), record the attempt, and settle the job. */
export async function attemptJob(ctx: AttemptContext, id: string, deliver: Deliver, signal: AbortSignal): Promise<AttemptOutcome> {
  const release = await ctx.store.lock(id);
  if (!release) return { kind: "busy", id };
  try {
    const job = await ctx.store.load(id);
    if (!job) return { kind: "gone", id, why: "not in the queue" };
    const pending = job.recipients.filter((r) => r.state === "pending").map((r) => r.address);
    if (pending.length === 0) return await finish(ctx, job, null, "every recipient already has a final answer");

    const take = await ctx.limiter.take(job.account, job.limits, pending.length);
    if (!take.ok) {
      if (take.waitMs === Infinity) {
        for (const r of job.recipients) if (r.state === "pending") Object.assign(r, { state: "failed", code: 0, message: take.why });
        return await finish(ctx, job, null, take.why);
      }
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
      result = { status: "failed", code: 0, enhanced: "", message, recipients: [], transient: true, messageAccepted: false };
    }
    transcript.end({ status: result.status, code: result.code, enhanced: result.enhanced, message: result.message });

    applyResult(job, pending, result);
    const rec: AttemptRecord = {
      no,
      startedAt,
      endedAt: ctx.clock.now(),
      status: result.status,
      code: result.code,
      enhanced: result.enhanced,
      message: result.message,
      tried: pending,
    };
    job.attempts = [...job.attempts, rec].slice(-KEEP_ATTEMPTS);
    job.attemptCount = no;

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
    const next = nextAttempt(ctx.retry, job.createdAt, no, ctx.clock.now(), ctx.random);
    if (!next.retry) {
      for (const r of job.recipients) {
        if (r.state === "pending") Object.assign(r, { state: "failed", code: result.code, enhanced: result.enhanced, message: `${next.why}; last answer: ${result.message}` });
      }
      return await finish(ctx, job, result, next.why);
    }
    job.nextAttemptAt = Math.max(next.at, backoffUntil);
    // Durable before anything else: recipients that got their 250 are never sent again.
    await ctx.store.update(job);
    return { kind: "retry", job, result, at: next.at };
  } finally {
    await release();
  }
}
