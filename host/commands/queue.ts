// `mfp-mail queue`: list the outbox, send jobs now, or cancel them.
//   mfp-mail queue [--json]              queued and held jobs, quarantined jobs, recent final reports
//   mfp-mail queue retry-now <id…|all>   send now, in this process (a held job is released first:
//                                        queued again with a fresh retention window)
//   mfp-mail queue cancel <id…>          remove without delivering (report: cancelled)
// Exit codes (docs/cli.md): 0 done (retry-now: every job sent); 2 bad options, an unknown job id
// or an unusable outbox directory; retry-now also 3 (refused, or held again) and 4 (still queued,
// or another process is delivering it: try again), the highest of its jobs'.
import { Command } from "commander";
import type { AttemptOutcome } from "../outbox/index.js";
import type { Deliver } from "../outbox/types.js";
import { describeOutcome } from "./daemon.js";
import { cliError, deviceDeliver, jobLine, jobView, openFromCli, type CliIo, type OutboxCliOptions } from "./outbox-common.js";
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
      io.out(JSON.stringify(cleanStrings({ dir: outbox.dir, jobs: jobs.map(jobView), quarantined, reports })));
      return 0;
    }
    const now = Date.now();
    const queued = jobs.filter((j) => j.state === "queued");
    const held = jobs.filter((j) => j.state === "held");
    io.out(`Outbox ${outbox.dir}: ${queued.length} job(s) queued${held.length ? `, ${held.length} held` : ""}`);
    for (const j of queued) io.out(`  ${cleanServerText(jobLine(j, now))}`);
    if (held.length) {
      io.out(`⚠ Held: kept on the device, never retried by itself; mfp-mail queue retry-now <id> sends one, cancel <id> removes it:`);
      for (const j of held) {
        io.out(`  ${cleanServerText(jobLine(j, now))}`);
        io.out(`    why: ${cleanServerText(j.held?.reason ?? "held")}`);
      }
    }
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

/** retry-now's exit code for one job's outcome. */
function outcomeExit(o: AttemptOutcome): number {
  switch (o.kind) {
    case "done": return o.report.final === "sent" || o.report.final === "partial" ? 0 : 3;
    case "held": return 3;
    case "retry": case "deferred": case "busy": return 4;
    case "gone": return 2;
  }
}

export async function runQueueRetryNow(ids: string[], o: OutboxCliOptions, io: CliIo, deliver?: Deliver): Promise<number> {
  try {
    const { board, outbox } = await openFromCli(o);
    const targets = ids.length === 1 && ids[0] === "all" ? await outbox.store.ids() : ids;
    const d = deliver ?? deviceDeliver(board, outbox);
    let rc = 0;
    for (const id of targets) {
      try {
        await outbox.retryNow(id);
        const outcome = await outbox.deliverNow(id, d);
        io.out(describeOutcome(outcome));
        rc = Math.max(rc, outcomeExit(outcome));
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
    .description("list the outbox (queued and held jobs); retry-now or cancel jobs")
    .option("--board <name|file>", "board profile (its outbox.dir is the queue)")
    .option("--outbox <dir>", "outbox directory (overrides the board)")
    .option("--json", "one JSON object on stdout")
    .action(async (o: QueueOptions) => {
      process.exitCode = await runQueueList(o, stdio);
    });
  cmd
    .command("retry-now")
    .description("send jobs now (\"all\" for every job); a held job is released first")
    .argument("<ids...>")
    .action(async (ids: string[], _o: unknown, c: Command) => {
      process.exitCode = await runQueueRetryNow(ids, c.parent!.opts<OutboxCliOptions>(), stdio);
    });
  cmd
    .command("cancel")
    .description("remove jobs without delivering them (queued or held)")
    .argument("<ids...>")
    .action(async (ids: string[], _o: unknown, c: Command) => {
      process.exitCode = await runQueueCancel(ids, c.parent!.opts<OutboxCliOptions>(), stdio);
    });
  return cmd;
}
