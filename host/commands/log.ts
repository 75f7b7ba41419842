// `mfp-mail log`: the newest SMTP transcripts from the outbox's log (commands as redacted by the
// core, replies, TLS parameters, timing).
//   mfp-mail log [-n N] [--job ID] [--json]
import { Command } from "commander";
import { join } from "node:path";
import { formatAttempt, recentAttempts } from "../log/read.js";
import { cliError, openFromCli, type CliIo, type OutboxCliOptions } from "./outbox-common.js";
import { cleanServerText, cleanStrings } from "../text/sanitize.js";

export interface LogOptions extends OutboxCliOptions {
  n?: string | number;
  job?: string;
  json?: boolean;
  /** Log directory override (default <outbox>/log). */
  logDir?: string;
}

export async function runLog(o: LogOptions, io: CliIo): Promise<number> {
  try {
    const n = Number(o.n ?? 5);
    if (!Number.isInteger(n) || n < 1) {
      io.err(`mfp-mail log: OPTION_INVALID: -n: "${o.n}" is not a positive whole number`);
      return 2;
    }
    const { outbox } = await openFromCli(o);
    const dir = o.logDir ?? join(outbox.dir, "log");
    const attempts = recentAttempts(dir, n, o.job);
    if (o.json) {
      io.out(JSON.stringify(cleanStrings(attempts)));
      return 0;
    }
    if (attempts.length === 0) io.out(`No attempts logged in ${dir}${o.job ? ` for job ${o.job}` : ""}.`);
    // A log written by an older version may still hold raw server bytes: clean on the way out too.
    for (const a of attempts) for (const line of formatAttempt(a)) io.out(cleanServerText(line));
    return 0;
  } catch (e) {
    return cliError(e, io, "log");
  }
}

export function logCommand(): Command {
  return new Command("log")
    .description("show the SMTP transcripts of recent delivery attempts")
    .option("-n <count>", "how many attempts", "5")
    .option("--job <id>", "only this job")
    .option("--board <name|file>", "board profile (its outbox.dir holds the log)")
    .option("--outbox <dir>", "outbox directory (overrides the board)")
    .option("--json", "JSON array on stdout")
    .action(async (o: LogOptions) => {
      process.exitCode = await runLog(o, { out: (l) => console.log(l), err: (l) => console.error(l) });
    });
}
