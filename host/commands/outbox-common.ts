// What the outbox commands (queue, log, daemon) share: where the outbox is, and how a job is
// shown on one line.
import { resolve } from "node:path";
import { defaultBoard, resolveBoard, type Board } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { cachedTokenProvider } from "../oauth/index.js";
import { Outbox, outboxOptionsFromBoard } from "../outbox/index.js";
import { sessionDeliver } from "../outbox/session-deliver.js";
import type { Deliver } from "../outbox/types.js";
import type { TokenProvider } from "../session/types.js";
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

/**
 * The device's own delivery for jobs sent outside `send` (daemon, queue retry-now): passwords
 * from the environment variable a job names, XOAUTH2 tokens from the sign-in cache in the outbox
 * directory, one token provider per mailbox for the process's lifetime (refreshed, not refetched).
 */
export function deviceDeliver(board: Board, outbox: Outbox): Deliver {
  const providers = new Map<string, Promise<TokenProvider>>();
  return sessionDeliver({
    board,
    tokenProvider: (user) => {
      if (!user) return undefined;
      if (!providers.has(user)) providers.set(user, cachedTokenProvider(outbox.dir, user));
      return providers.get(user);
    },
  });
}

/** "3 job(s) queued, 1 held" for status lines. */
export async function queueCounts(outbox: Outbox): Promise<string> {
  const jobs = await outbox.list();
  const held = jobs.filter((j) => j.state === "held").length;
  return `${jobs.length - held} job(s) queued${held ? `, ${held} held` : ""}`;
}

/** Exit code and message for the errors a user can act on; rethrows anything else. */
export function cliError(e: unknown, io: CliIo, cmd: string): number {
  if (e instanceof ConfigError) {
    io.err(`mfp-mail ${cmd}: ${e.code}: ${e.message}`);
    return 2;
  }
  if (e instanceof OutboxError) {
    io.err(`mfp-mail ${cmd}: ${e.code}: ${e.message}`);
    // docs/cli.md: an unknown job or an unusable outbox directory is the caller's input (2); a job
    // another process is delivering, or a full outbox, is temporary (4).
    return e.code === "JOB_BUSY" || e.code === "OUTBOX_FULL" || e.code === "STORAGE_FULL" ? 4 : 2;
  }
  throw e;
}

/** One job as `mfp-mail queue --json` lists it: where it stands, why, and what the server said last. */
export interface JobView {
  id: string;
  state: JobRecord["state"];
  /** Held: why a person must act (one sentence), what caused it, the outcome id, since when. */
  reason: string | null;
  cause: string | null;
  outcomeId: string | null;
  heldAt: string | null;
  files: string[];
  bytes: number;
  createdAt: string;
  recipients: { address: string; state: string; code?: number }[];
  attempts: number;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** Queued: when the daemon tries it next; null when held. */
  nextAttemptAt: string | null;
  lastReply: { code: number; enhanced: string; message: string } | null;
}

const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

export function jobView(j: JobRecord): JobView {
  const last = j.attempts.at(-1);
  return {
    id: j.id,
    state: j.state,
    reason: j.held?.reason ?? null,
    cause: j.held?.cause ?? null,
    outcomeId: j.held?.id ?? null,
    heldAt: iso(j.held?.at),
    files: j.scans.map((s) => s.fileName),
    bytes: j.scans.reduce((a, s) => a + s.size, 0),
    createdAt: new Date(j.createdAt).toISOString(),
    recipients: j.recipients.map((r) => ({ address: r.address, state: r.state, ...(r.code ? { code: r.code } : {}) })),
    attempts: j.attemptCount,
    firstAttemptAt: iso(j.firstAttemptAt ?? j.attempts[0]?.startedAt),
    lastAttemptAt: iso(last?.startedAt),
    nextAttemptAt: j.state === "held" ? null : iso(j.nextAttemptAt),
    lastReply: last ? { code: last.code, enhanced: last.enhanced, message: last.message } : null,
  };
}

/** "451 Try later", the words alone, or "no reply": one space between the parts, never two. */
function lastSaid(code: number, message: string): string {
  return [code ? String(code) : "", message.replace(/\s+/g, " ").trim()].filter(Boolean).join(" ") || "no reply";
}

export function jobLine(j: JobRecord, now: number): string {
  const pending = j.recipients.filter((r) => r.state === "pending").map((r) => r.address);
  const delivered = j.recipients.filter((r) => r.state === "delivered").length;
  const last = j.attempts.at(-1);
  const next = j.state === "held" ? "HELD: retry-now or cancel" : j.nextAttemptAt <= now ? "due now" : `next try in ${formatDuration(j.nextAttemptAt - now)}`;
  const size = j.scans.reduce((a, s) => a + s.size, 0);
  const first = j.firstAttemptAt ?? j.attempts[0]?.startedAt;
  return [
    j.id,
    j.scans.length ? `${j.scans.map((s) => s.fileName).join(",")} (${size} B)` : "text message",
    `age ${formatDuration(now - j.createdAt)}`,
    `to ${pending.join(",")}${delivered ? ` (+${delivered} delivered)` : ""}`,
    `${j.attemptCount} attempt(s)${first !== undefined && last ? ` from ${new Date(first).toISOString()} to ${new Date(last.startedAt).toISOString()}` : ""}`,
    next,
    last ? `last: ${lastSaid(last.code, last.message)}` : "not tried yet",
  ].join("  ·  ");
}
