// `mfp-mail daemon`: the device's background sender. Delivers the outbox through the device's
// own session, honouring each job's backoff and the per-account rate limits, and stops cleanly
// on SIGTERM/SIGINT: the attempt in flight is abandoned (its job stays queued and is due again
// at the next start), nothing is lost because a job leaves the queue only after its final 250.
//   mfp-mail daemon [--board B] [--outbox DIR] [--poll MS] [--drain]
// Exit codes: 0 stopped or drained; 2 bad options; 4 outbox unusable.
import { Command } from "commander";
import { cachedTokenProvider } from "../oauth/index.js";
import { runDaemon } from "../outbox/daemon.js";
import type { AttemptOutcome } from "../outbox/index.js";
import { sessionDeliver } from "../outbox/session-deliver.js";
import type { Deliver } from "../outbox/types.js";
import type { TokenProvider } from "../session/types.js";
import { cliError, openFromCli, type CliIo, type OutboxCliOptions } from "./outbox-common.js";

export interface DaemonCliOptions extends OutboxCliOptions {
  poll?: string | number;
  /** Exit when the queue is empty. */
  drain?: boolean;
}

export function describeOutcome(o: AttemptOutcome): string {
  switch (o.kind) {
    case "done":
      return `${o.report.final === "sent" ? "sent" : o.report.final} ${o.job.id}: ${o.report.summary}`;
    case "retry":
      return `retry ${o.job.id} at ${new Date(o.at).toISOString()}: ${o.result.message}`;
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
    // One token provider per mailbox for the daemon's lifetime: tokens are refreshed, not refetched per job.
    const providers = new Map<string, Promise<TokenProvider>>();
    const d =
      deliver ??
      sessionDeliver({
        board,
        tokenProvider: (user) => {
          if (!user) return undefined;
          if (!providers.has(user)) providers.set(user, cachedTokenProvider(outbox.dir, user));
          return providers.get(user);
        },
      });
    for (const q of outbox.store.quarantined) io.err(`quarantined ${q.id}: ${q.reason}`);
    io.out(`mfp-mail daemon: delivering ${outbox.dir} (${(await outbox.store.ids()).length} job(s) queued)`);
    await runDaemon(outbox, d, signal, {
      pollMs: poll,
      exitWhenEmpty: o.drain,
      onOutcome: (x) => io.out(describeOutcome(x)),
      onError: (err) => io.err(`mfp-mail daemon: ${err instanceof Error ? err.message : String(err)}; trying again later`),
    });
    io.out(`mfp-mail daemon: stopped, ${(await outbox.store.ids()).length} job(s) left in the queue`);
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
    .option("--drain", "exit when the queue is empty")
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
