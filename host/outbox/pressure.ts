// The storage-pressure rule. A new scan that does not fit — the board's outbox limits
// (maxMessages / maxBytes) or the storage itself is full — may take the place of the oldest
// *held* job: that job is written to the log, removed, and its final report says
// "removed-for-space" (the panel and `mfp-mail queue` show it). Queued jobs, which the device
// is still retrying on its own, are never removed for space, and nothing else removes a scan
// except a delivery, a 5xx refusal, or a person's cancel.
import { writeReport, type FinalReport } from "./report.js";
import type { AttemptContext } from "./attempt.js";
import { OutboxError } from "./types.js";
import type { EnqueueInput } from "./store.js";

/** Whether removing a held job can let this enqueue through (a consumed one-shot stream cannot be read twice). */
export function roomWouldHelp(err: unknown, input: EnqueueInput): err is OutboxError {
  if (!(err instanceof OutboxError)) return false;
  if (err.code === "OUTBOX_FULL") return true;
  return err.code === "STORAGE_FULL" && input.scans.every((s) => "path" in s || s.replayable);
}

/** Remove the oldest held job to make room; null when there is none (or all are busy). */
export async function removeOldestHeld(ctx: AttemptContext, why: string): Promise<FinalReport | null> {
  for (const candidate of await ctx.store.list()) {
    if (candidate.state !== "held") continue;
    const release = await ctx.store.lock(candidate.id);
    if (!release) continue;
    try {
      const job = await ctx.store.load(candidate.id);
      if (!job || job.state !== "held") continue;
      // Told before it happens (the log append is small enough to fit where a scan did not);
      // the report follows once the removal has freed the space.
      ctx.log.note(job.id, job.attemptCount, `removed for space (${why}): ${job.held?.reason ?? ""}`);
      await ctx.store.remove(job.id);
      return await writeReport(ctx.reportsDir, job, ctx.clock.now(), why, "removed-for-space");
    } finally {
      await release();
    }
  }
  return null;
}
