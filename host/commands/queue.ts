// `mfp-mail queue`: list the outbox, make jobs due now, or cancel them.
//   mfp-mail queue [--json]              list queued jobs, quarantined jobs, recent final reports
//   mfp-mail queue retry-now <id…|all>   next attempt now (the daemon picks it up; rate limits apply)
//   mfp-mail queue cancel <id…>          drop without delivering (report: cancelled)
// Exit codes: 0 done; 1 a job not found or busy; 2 bad options; 4 outbox unusable.
import { Command } from "commander";
import { cliError, jobLine, openFromCli, type CliIo, type OutboxCliOptions } from "./outbox-common.js";
import { cleanServerText, cleanStrings } from "../text/sanitize.js";

export interface QueueOptions extends OutboxCliOptions {
  json?: boolean;
}

export async function runQueueList(o: QueueOptions, io: CliIo): Promise<number> {
  try {
    const { outbox } = await openFromCli(o);
    const jobs = await outbox.list();
    const quarantined = await outbox.store.listQuarantine();
    const reports = await outbox.reports(5);
    if (o.json) {
      // Jobs and reports hold the server's last words: only sanitised text reaches the terminal.
      io.out(JSON.stringify(cleanStrings({ dir: outbox.dir, jobs, quarantined, reports })));
      return 0;
    }
    const now = Date.now();
    io.out(`Outbox ${outbox.dir}: ${jobs.length} job(s) queued`);
    for (const j of jobs) io.out(`  ${cleanServerText(jobLine(j, now))}`);
    if (quarantined.length) {
      io.out(`Quarantined (damaged, not sent — see ${outbox.dir}/quarantine):`);
      for (const q of quarantined) io.out(cleanServerText(`  ${q.id}: ${q.reason}`));
    }
    if (reports.length) {
      io.out("Recent final reports:");
      for (const r of reports) io.out(cleanServerText(`  ${new Date(r.at).toISOString()}  ${r.id}  ${r.final}: ${r.summary}`));
    }
    return 0;
  } catch (e) {
    return cliError(e, io, "queue");
  }
}

export async function runQueueRetryNow(ids: string[], o: OutboxCliOptions, io: CliIo): Promise<number> {
  try {
    const { outbox } = await openFromCli(o);
    const targets = ids.length === 1 && ids[0] === "all" ? await outbox.store.ids() : ids;
    let rc = 0;
    for (const id of targets) {
      try {
        await outbox.retryNow(id);
        io.out(`${id}: due now`);
      } catch (e) {
        rc = Math.max(rc, cliError(e, io, "queue retry-now"));
      }
    }
    return rc;
  } catch (e) {
    return cliError(e, io, "queue retry-now");
  }
}

export async function runQueueCancel(ids: string[], o: OutboxCliOptions, io: CliIo): Promise<number> {
  try {
    const { outbox } = await openFromCli(o);
    let rc = 0;
    for (const id of ids) {
      try {
        const r = await outbox.cancel(id);
        io.out(`${id}: ${r.summary}`);
      } catch (e) {
        rc = Math.max(rc, cliError(e, io, "queue cancel"));
      }
    }
    return rc;
  } catch (e) {
    return cliError(e, io, "queue cancel");
  }
}

const stdio: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export function queueCommand(): Command {
  const cmd = new Command("queue")
    .description("list the outbox; retry-now or cancel queued jobs")
    .option("--board <name|file>", "board profile (its outbox.dir is the queue)")
    .option("--outbox <dir>", "outbox directory (overrides the board)")
    .option("--json", "one JSON object on stdout")
    .action(async (o: QueueOptions) => {
      process.exitCode = await runQueueList(o, stdio);
    });
  cmd
    .command("retry-now")
    .description("make jobs due now (\"all\" for every job)")
    .argument("<ids...>")
    .action(async (ids: string[], _o: unknown, c: Command) => {
      process.exitCode = await runQueueRetryNow(ids, c.parent!.opts<OutboxCliOptions>(), stdio);
    });
  cmd
    .command("cancel")
    .description("drop jobs without delivering them")
    .argument("<ids...>")
    .action(async (ids: string[], _o: unknown, c: Command) => {
      process.exitCode = await runQueueCancel(ids, c.parent!.opts<OutboxCliOptions>(), stdio);
    });
  return cmd;
}
