// `mfp-mail daemon`: the device's background sender. Delivers the outbox through the device's
// own session, honouring each job's backoff and the per-account rate limits, and stops cleanly
// on SIGTERM/SIGINT: the attempt in flight is abandoned (its job stays queued and is due again
// at the next start), nothing is lost because a job leaves the queue only after its final 250.
// Held jobs are listed at start and never tried: they wait for `queue retry-now` or `cancel`.
//   mfp-mail daemon [--board B] [--outbox DIR] [--poll MS] [--drain]
// Exit codes: 0 stopped or drained; 2 bad options or an unusable outbox directory.
import { Command } from "commander";
import { runDaemon } from "../outbox/daemon.js";
import type { AttemptOutcome } from "../outbox/index.js";
import type { Deliver } from "../outbox/types.js";
import { cliError, deviceDeliver, openFromCli, queueCounts, type CliIo, type OutboxCliOptions } from "./outbox-common.js";

export interface DaemonCliOptions extends OutboxCliOptions {
  poll?: string | number;
  /** Exit when no queued job is left (held jobs wait for a person, not for the daemon). */
  drain?: boolean;
}

export function describeOutcome(o: AttemptOutcome): string {
  switch (o.kind) {
    case "done":
      return `${o.report.final === "sent" ? "sent" : o.report.final} ${o.job.id}: ${o.report.summary}`;
    case "retry":
      return `retry ${o.job.id} at ${new Date(o.at).toISOString()}: ${o.result.message}`;
    case "held":
      return `held ${o.job.id} (kept on the device until someone retries or cancels it): ${o.reason}`;
    case "deferred":
      return `wait ${o.job.id} until ${new Date(o.at).toISOString()}: ${o.why}`;
    case "busy":
      return `busy ${o.id}: another process is delivering it`;
    case "gone":
      return `skip ${o.id}: ${o.why}`;
  }
}

export async function runDaemonCommand(o: DaemonCliOptions, io: CliIo, signal: AbortSignal, deliver?: Deliver): Promise<number> {
  const poll = Number(o.poll ?? 30_000);
  if (!Number.isFinite(poll) || poll < 10) {
    io.err(`mfp-mail daemon: OPTION_INVALID: --poll: "${o.poll}" is not a number of milliseconds ≥ 10`);
    return 2;
  }
  try {
    const { board, outbox } = await openFromCli(o);
    const d = deliver ?? deviceDeliver(board, outbox);
    for (const q of outbox.store.quarantined) io.err(`quarantined ${q.id}: ${q.reason}`);
    io.out(`mfp-mail daemon: delivering ${outbox.dir} (${await queueCounts(outbox)})`);
    await runDaemon(outbox, d, signal, {
      pollMs: poll,
      exitWhenEmpty: o.drain,
      onOutcome: (x) => io.out(describeOutcome(x)),
      onError: (err) => io.err(`mfp-mail daemon: ${err instanceof Error ? err.message : String(err)}; trying again later`),
    });
    io.out(`mfp-mail daemon: stopped; ${await queueCounts(outbox)} in the outbox`);
    return 0;
  } catch (e) {
    return cliError(e, io, "daemon");
  }
}

export function daemonCommand(): Command {
  return new Command("daemon")
    .description("deliver the outbox in the background (backoff, rate limits); stops cleanly on SIGTERM")
    .option("--board <name|file>", "board profile (outbox dir, retry policy, log size)")
    .option("--outbox <dir>", "outbox directory (overrides the board)")
    .option("--poll <ms>", "look for new jobs at least this often", "30000")
    .option("--drain", "exit when no queued job is left (held jobs wait for a person)")
    .action(async (o: DaemonCliOptions) => {
      const ac = new AbortController();
      const stop = () => {
        ac.abort();
        // An attempt that ignores the abort cannot hold the device hostage: its job stays queued.
        setTimeout(() => process.exit(0), 10_000).unref();
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      process.exitCode = await runDaemonCommand(o, { out: (l) => console.log(l), err: (l) => console.error(l) }, ac.signal);
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    });
}
