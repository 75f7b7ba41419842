// Per-account sending limits, persisted so a restart (or a crash loop) cannot reset them.
//
// Microsoft 365 SMTP AUTH submission allows 30 messages per minute and 10,000 recipients per day
// per mailbox (docs/m365.md); beyond that Exchange Online throttles the mailbox.
// These are token buckets whose tokens return exactly one window after they were spent, which
// bounds EVERY sliding window — a classic refill-at-a-rate bucket of 30 tokens lets 59 messages
// through in some 60-second window. Messages keep one timestamp per token (≤ 30); recipients
// are counted in hourly slots (a day's 10,000 tokens in 25 numbers), which is conservative by at
// most one hour.
//
// An account may also be told to back off as a whole (Classified.accountBackoffMs: Exchange
// Online's 554 5.2.0 SubmissionQuotaExceeded, 550 5.2.251–255 throttling): until then no job of
// that account is attempted, whatever its own retry time says; the jobs stay queued.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite } from "../base/durable.js";
import type { RateLimits } from "./types.js";
import type { Clock } from "../base/clock.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY_SLOTS = 24;

interface AccountState {
  /** Times of the messages sent in the last minute. */
  sent: number[];
  /** [hour start, recipients] of the last 25 hours. */
  rcpt: [number, number][];
  /** No attempt for this account before this time (ms since epoch), and why. */
  backoffUntil?: number;
  backoffWhy?: string;
}

/** What doctor shows about an account. */
export interface AccountSnapshot {
  backoffUntil: number | null;
  backoffWhy: string | null;
  /** Recipients counted in the last 24 hours (hour slots, see above). */
  recipientsToday: number;
}

interface State {
  version: 1;
  accounts: Record<string, AccountState>;
}

export type TakeResult = { ok: true } | { ok: false; waitMs: number; why: string };

export class RateLimiter {
  private readonly path: string;

  constructor(
    dir: string,
    private readonly clock: Clock,
    /** Cross-process mutual exclusion around read-modify-write (the outbox store's lock). */
    private readonly lock: (name: string) => Promise<(() => Promise<void>) | null>,
  ) {
    this.path = join(dir, "ratelimit.json");
  }

  private async withLock<T>(f: (state: State) => Promise<T>, busy: T): Promise<T> {
    let release: (() => Promise<void>) | null = null;
    for (let i = 0; i < 500 && release === null; i++) {
      release = await this.lock("ratelimit");
      if (release === null) await new Promise((r) => setTimeout(r, 10));
    }
    if (release === null) return busy;
    try {
      return await f(await this.load());
    } finally {
      await release();
    }
  }

  private save(state: State): Promise<void> {
    return atomicWrite(this.path, JSON.stringify(state), `${this.path}.${process.pid}.tmp`);
  }

  /** A running account backoff as a refusal to take, or null. Read without the lock: the file is
   *  replaced atomically, so a reader sees the old or the new state. */
  private async backoffOf(account: string): Promise<TakeResult | null> {
    const acc = (await this.load()).accounts[account];
    const now = this.clock.now();
    if (!acc?.backoffUntil || acc.backoffUntil <= now) return null;
    return { ok: false, waitMs: acc.backoffUntil - now, why: `${account} backs off until ${new Date(acc.backoffUntil).toISOString()} after: ${acc.backoffWhy ?? "a backoff reply"}` };
  }

  /** Attempt nothing for `account` before `until` (a later backoff already set is kept). */
  async backoff(account: string, until: number, why: string): Promise<void> {
    await this.withLock(async (state) => {
      const acc = (state.accounts[account] ??= { sent: [], rcpt: [] });
      if ((acc.backoffUntil ?? 0) >= until) return;
      acc.backoffUntil = until;
      acc.backoffWhy = why;
      await this.save(state);
    }, undefined);
  }

  /** The account's backoff and recipient count, for doctor. */
  async snapshot(account: string): Promise<AccountSnapshot> {
    const acc = (await this.load()).accounts[account];
    const now = this.clock.now();
    const running = acc?.backoffUntil !== undefined && acc.backoffUntil > now;
    const since = Math.floor(now / HOUR) * HOUR - DAY_SLOTS * HOUR;
    return {
      backoffUntil: running ? acc!.backoffUntil! : null,
      backoffWhy: running ? acc!.backoffWhy ?? null : null,
      recipientsToday: (acc?.rcpt ?? []).filter(([h]) => h >= since).reduce((a, [, n]) => a + n, 0),
    };
  }

  private async load(): Promise<State> {
    try {
      const data = JSON.parse(await readFile(this.path, "utf8")) as State;
      if (data?.version === 1 && data.accounts && typeof data.accounts === "object") return data;
    } catch {
      // Missing or damaged: start empty. A damaged file can only have been torn by a crash
      // before its rename, which atomicWrite prevents; an empty start is the documented fallback.
    }
    return { version: 1, accounts: {} };
  }

  /**
   * Take one message token and `recipients` recipient tokens for `account`, or say how long to
   * wait. The tokens are spent (and persisted) before the message is sent: a crash mid-send can
   * only make the device more careful, never exceed the limit.
   */
  async take(account: string, limits: RateLimits, recipients: number): Promise<TakeResult> {
    const held = await this.backoffOf(account);
    if (held) return held;
    if (!limits.messagesPerMinute && !limits.recipientsPerDay) return { ok: true };
    if (limits.recipientsPerDay && recipients > limits.recipientsPerDay) {
      return { ok: false, waitMs: Infinity, why: `${recipients} recipients is more than the account may reach in a day (${limits.recipientsPerDay})` };
    }
    const busy: TakeResult = { ok: false, waitMs: 1000, why: "the rate-limit state is busy in another process" };
    return this.withLock(async (state) => {
      const now = this.clock.now();
      const acc = (state.accounts[account] ??= { sent: [], rcpt: [] });
      acc.sent = acc.sent.filter((t) => t > now - MINUTE && t <= now).sort((a, b) => a - b);
      const hour = Math.floor(now / HOUR) * HOUR;
      acc.rcpt = acc.rcpt.filter(([h]) => h >= hour - DAY_SLOTS * HOUR && h <= hour).sort((a, b) => a[0] - b[0]);

      const perMin = limits.messagesPerMinute;
      if (perMin && acc.sent.length >= perMin) {
        const waitMs = acc.sent[acc.sent.length - perMin]! + MINUTE - now;
        return { ok: false, waitMs: Math.max(1, waitMs), why: `${perMin} messages per minute reached for ${account}` };
      }
      const perDay = limits.recipientsPerDay;
      if (perDay) {
        let used = acc.rcpt.reduce((a, [, n]) => a + n, 0);
        if (used + recipients > perDay) {
          // Slots leave the window one by one; wait until enough have left.
          let waitMs = HOUR;
          for (const [h, n] of acc.rcpt) {
            used -= n;
            waitMs = h + (DAY_SLOTS + 1) * HOUR - now;
            if (used + recipients <= perDay) break;
          }
          return { ok: false, waitMs: Math.max(1, waitMs), why: `${perDay} recipients per day reached for ${account}` };
        }
        const slot = acc.rcpt.find(([h]) => h === hour);
        if (slot) slot[1] += recipients;
        else acc.rcpt.push([hour, recipients]);
      }
      if (perMin) acc.sent.push(now);
      await this.save(state);
      return { ok: true } as TakeResult;
    }, busy);
  }
}
