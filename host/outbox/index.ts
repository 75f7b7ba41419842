// The outbox as the rest of the host uses it: open it from a board profile, enqueue a scan,
// deliver one job now (the CLI's `send`), or run every due job (the daemon).
//
//   const outbox = await Outbox.open(outboxOptionsFromBoard(board));
//   const job = await outbox.enqueue({ from, recipients, account, limits, message, connection, scans });
//   const outcome = await outbox.deliverNow(job.id, deliver);   // deliver = the session, see types.ts
import { join, resolve } from "node:path";
import type { Board } from "../config/board.js";
import { TranscriptLog } from "../log/transcript.js";
import { attemptJob, type AttemptContext, type AttemptOutcome } from "./attempt.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./backoff.js";
import { removeOldestHeld, roomWouldHelp } from "./pressure.js";
import { RateLimiter } from "./ratelimit.js";
import { readReports, writeReport, type FinalReport } from "./report.js";
import { OutboxStore, type EnqueueInput } from "./store.js";
import { OutboxError, type Deliver, type JobRecord } from "./types.js";
import { systemClock, type Clock } from "../base/clock.js";

export * from "./types.js";
export type { AttemptOutcome } from "./attempt.js";
export type { FinalReport } from "./report.js";
export type { EnqueueInput, ScanInput } from "./store.js";
export type { RetryPolicy } from "./backoff.js";

export interface OutboxOptions {
  dir: string;
  maxMessages?: number;
  maxBytes?: number;
  retry?: RetryPolicy;
  /** Transcript directory (default <dir>/log) and its size cap (default 10 MiB). */
  logDir?: string;
  logMaxBytes?: number;
  clock?: Clock;
  /** Jitter source, [0, 1). */
  random?: () => number;
}

/** The outbox settings of a board profile (relative dirs resolve against the working directory). */
export function outboxOptionsFromBoard(board: Board, overrides: Partial<OutboxOptions> = {}): OutboxOptions {
  return {
    dir: resolve(board.outbox.dir),
    maxMessages: board.outbox.maxMessages,
    maxBytes: board.outbox.maxBytes,
    retry: { ...board.retry },
    logMaxBytes: board.log.maxBytes,
    ...overrides,
  };
}

/** One pass over the queue: what was done, and when the next job is due. */
export interface PassResult {
  outcomes: AttemptOutcome[];
  /** Earliest time something is due again (ms since epoch), or null for an empty queue. */
  nextDue: number | null;
}

export class Outbox {
  /** Held jobs this instance removed under the storage-pressure rule (for the caller to show). */
  readonly removedForSpace: FinalReport[] = [];

  private constructor(
    readonly store: OutboxStore,
    private readonly ctx: AttemptContext,
  ) {}

  static async open(opts: OutboxOptions): Promise<Outbox> {
    const clock = opts.clock ?? systemClock;
    const store = await OutboxStore.open(opts.dir, { maxMessages: opts.maxMessages, maxBytes: opts.maxBytes, clock });
    const ctx: AttemptContext = {
      store,
      limiter: new RateLimiter(opts.dir, clock, (name) => store.lock(name)),
      log: new TranscriptLog(opts.logDir ?? join(opts.dir, "log"), opts.logMaxBytes ?? 10 * 1024 * 1024, () => clock.now()),
      retry: opts.retry ?? DEFAULT_RETRY,
      clock,
      random: opts.random ?? Math.random,
      reportsDir: join(opts.dir, "reports"),
    };
    return new Outbox(store, ctx);
  }

  get dir(): string {
    return this.store.dir;
  }
  get logDir(): string {
    return this.ctx.log.dir;
  }

  /**
   * Accept a job durably. When it does not fit, the oldest held jobs make room one by one
   * (pressure.ts); with none left it throws OutboxError STORAGE_FULL / OUTBOX_FULL / … and then
   * nothing is queued.
   */
  async enqueue(input: EnqueueInput): Promise<JobRecord> {
    for (;;) {
      try {
        return await this.store.enqueue(input);
      } catch (err) {
        if (!roomWouldHelp(err, input)) throw err;
        const why = err.code === "OUTBOX_FULL" ? "the outbox limit was reached" : "the storage was full";
        const removed = await removeOldestHeld(this.ctx, why);
        if (!removed) throw err;
        this.removedForSpace.push(removed);
      }
    }
  }

  /** Deliver one job now, ignoring its backoff time (rate limits still apply). */
  deliverNow(id: string, deliver: Deliver, signal: AbortSignal = new AbortController().signal): Promise<AttemptOutcome> {
    return attemptJob(this.ctx, id, deliver, signal);
  }

  /** Every job, queued and held, oldest first (damaged ones are quarantined on the way). */
  list(): Promise<JobRecord[]> {
    return this.store.list();
  }

  get(id: string): Promise<JobRecord | null> {
    return this.store.load(id);
  }

  /**
   * Make a job due now (`mfp-mail queue retry-now`, the panel's Retry now). A held job is
   * released: queued again with a fresh retention window, as if it had just been scanned.
   */
  async retryNow(id: string): Promise<JobRecord> {
    const release = await this.store.lock(id);
    if (!release) throw new OutboxError("JOB_BUSY", `job ${id} is being delivered right now`);
    try {
      const job = await this.store.load(id);
      if (!job) throw new OutboxError("JOB_NOT_FOUND", `no job ${id} in the outbox`);
      const now = this.ctx.clock.now();
      if (job.state === "held") {
        this.ctx.log.note(job.id, job.attemptCount, `released by a person (retry now) after: ${job.held?.reason ?? "held"}`);
        job.state = "queued";
        delete job.held;
        job.windowStartedAt = now;
        job.windowAttempts = 0;
      }
      job.nextAttemptAt = now;
      await this.store.update(job);
      return job;
    } finally {
      await release();
    }
  }

  /** Drop a job without delivering it; its report says "cancelled". */
  async cancel(id: string): Promise<FinalReport> {
    const release = await this.store.lock(id);
    if (!release) throw new OutboxError("JOB_BUSY", `job ${id} is being delivered right now; try again when the attempt ends`);
    try {
      const job = await this.store.load(id);
      if (!job) throw new OutboxError("JOB_NOT_FOUND", `no job ${id} in the outbox`);
      const report = await writeReport(this.ctx.reportsDir, job, this.ctx.clock.now(), "cancelled by the user", "cancelled");
      await this.store.remove(id);
      return report;
    } finally {
      await release();
    }
  }

  reports(limit?: number): Promise<FinalReport[]> {
    return readReports(this.ctx.reportsDir, limit);
  }

  /** Attempt every queued job that is due now, in queue order, honouring the rate limits. Held jobs wait for a person. */
  async runDue(deliver: Deliver, signal: AbortSignal = new AbortController().signal, onOutcome?: (o: AttemptOutcome) => void): Promise<PassResult> {
    const outcomes: AttemptOutcome[] = [];
    let nextDue: number | null = null;
    const due = (t: number) => (nextDue = nextDue === null ? t : Math.min(nextDue, t));
    const limited = new Map<string, number>();
    for (const job of await this.store.list()) {
      if (job.state === "held") continue;
      if (signal.aborted) {
        due(this.ctx.clock.now());
        break;
      }
      if (job.nextAttemptAt > this.ctx.clock.now()) {
        due(job.nextAttemptAt);
        continue;
      }
      // An account at its rate limit stays there for the rest of this pass.
      const blocked = limited.get(job.account);
      if (blocked !== undefined && blocked > this.ctx.clock.now()) {
        due(blocked);
        continue;
      }
      const outcome = await attemptJob(this.ctx, job.id, deliver, signal);
      outcomes.push(outcome);
      onOutcome?.(outcome);
      if (outcome.kind === "deferred") limited.set(job.account, outcome.at);
      if (outcome.kind === "retry" || outcome.kind === "deferred") due(outcome.at);
      else if (outcome.kind === "busy") due(this.ctx.clock.now() + 1000);
    }
    return { outcomes, nextDue };
  }
}
