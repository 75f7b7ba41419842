// What the outbox commands (queue, log, daemon) share: where the outbox is, and how a job is
// shown on one line.
import { resolve } from "node:path";
import { defaultBoard, resolveBoard, type Board } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { Outbox, outboxOptionsFromBoard } from "../outbox/index.js";
import { formatDuration } from "../outbox/backoff.js";
import { OutboxError, type JobRecord } from "../outbox/types.js";

export interface OutboxCliOptions {
  board?: string;
  /** Outbox directory override; default: the board profile's outbox.dir. */
  outbox?: string;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export function boardFor(o: OutboxCliOptions): Board {
  return o.board ? resolveBoard(o.board) : defaultBoard();
}

export async function openFromCli(o: OutboxCliOptions, extra: Parameters<typeof outboxOptionsFromBoard>[1] = {}): Promise<{ board: Board; outbox: Outbox }> {
  const board = boardFor(o);
  const outbox = await Outbox.open(outboxOptionsFromBoard(board, { ...(o.outbox ? { dir: resolve(o.outbox) } : {}), ...extra }));
  return { board, outbox };
}

/** Exit code and message for the errors a user can act on; rethrows anything else. */
export function cliError(e: unknown, io: CliIo, cmd: string): number {
  if (e instanceof ConfigError) {
    io.err(`mfp-mail ${cmd}: ${e.code}: ${e.message}`);
    return 2;
  }
  if (e instanceof OutboxError) {
    io.err(`mfp-mail ${cmd}: ${e.code}: ${e.message}`);
    return e.code === "JOB_NOT_FOUND" || e.code === "JOB_BUSY" ? 1 : 4;
  }
  throw e;
}

export function jobLine(j: JobRecord, now: number): string {
  const pending = j.recipients.filter((r) => r.state === "pending").map((r) => r.address);
  const delivered = j.recipients.filter((r) => r.state === "delivered").length;
  const last = j.attempts.at(-1);
  const next = j.nextAttemptAt <= now ? "due now" : `next try in ${formatDuration(j.nextAttemptAt - now)}`;
  const size = j.scans.reduce((a, s) => a + s.size, 0);
  return [
    j.id,
    `${j.scans.map((s) => s.fileName).join(",")} (${size} B)`,
    `age ${formatDuration(now - j.createdAt)}`,
    `to ${pending.join(",")}${delivered ? ` (+${delivered} delivered)` : ""}`,
    `${j.attemptCount} attempt(s)`,
    next,
    last ? `last: ${last.code || ""} ${last.message}`.trim() : "not tried yet",
  ].join("  ·  ");
}
