// Retention, not deletion, on a fake clock with every shipped board's retry values, against a
// real smtp-server behind a loopback hop that models the network going down and coming back:
//   - a weekend outage (Friday 18:00 → Monday 08:00) is ridden out: the scan arrives on Monday
//     within one longest wait of the network's return, byte-identical, with no one touching it;
//   - an outage longer than the board's giveUpAfter holds the job at exactly that moment (time
//     decides; more attempts than maxAttempts were made): the scan stays, the daemon never tries
//     it again, and `retry-now` delivers it once the network is back;
//   - the README's table of these values says what the boards say.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { boardNames, resolveBoard, type Board } from "../../host/config/board.js";
import { runDaemon } from "../../host/outbox/daemon.js";
import { Outbox, type AttemptOutcome } from "../../host/outbox/index.js";
import type { Deliver } from "../../host/outbox/types.js";
import { conn, FakeClock, msg, realDeliver, scanBytes, scanSource, seededRandom, sha256, startOutageProxy, startServer, suiteDir, testSeed, TEST_USER } from "./helpers.js";

const seed = testSeed();
console.log(`# retention: seed ${seed} (repeat with MFP_TEST_SEED=${seed})`);
const HOUR = 3_600_000;
const FRIDAY_18 = Date.UTC(2026, 0, 9, 18, 0, 0);

interface Run { attempts: number[]; outcomes: AttemptOutcome[] }

/** The daemon on the fake clock until no queued job is left; the network is up from `upAt` on. */
async function daemonUntilSettled(outbox: Outbox, clock: FakeClock, deliver: Deliver): Promise<Run> {
  const run: Run = { attempts: [], outcomes: [] };
  const counting: Deliver = (req) => {
    run.attempts.push(clock.now());
    return deliver(req);
  };
  await runDaemon(outbox, counting, new AbortController().signal, {
    clock, pollMs: 10 * 24 * HOUR, exitWhenEmpty: true, maxPasses: 5000, onOutcome: (o) => run.outcomes.push(o),
  });
  return run;
}

/** Each gap between attempts lies within the board's backoff for that attempt (±jitter, ≤ maxDelay). */
function assertPaced(board: Board, attempts: number[], deadline: number): void {
  const r = board.retry;
  for (let i = 1; i < attempts.length; i++) {
    const gap = attempts[i]! - attempts[i - 1]!;
    const base = i >= r.maxAttempts ? r.maxDelay : Math.min(r.maxDelay, r.initialDelay * r.multiplier ** (i - 1));
    assert.ok(gap <= r.maxDelay, `${board.name}: gap ${gap} after attempt ${i} is over maxDelay`);
    if (attempts[i] === deadline) continue; // the last one is pulled in to the deadline
    assert.ok(gap >= Math.floor(base * (1 - r.jitter)) && gap <= Math.ceil(base * (1 + r.jitter)), `${board.name}: gap ${gap} after attempt ${i}, backoff ${base}`);
  }
}

for (const name of boardNames()) {
  const board = resolveBoard(name);

  test(`${name}: a weekend outage (Fri 18:00 → Mon 08:00) is ridden out; the scan arrives on Monday by itself`, async () => {
    const server = await startServer();
    const net = await startOutageProxy(server.port);
    try {
      const clock = new FakeClock(FRIDAY_18);
      const outbox = await Outbox.open({ dir: suiteDir(`weekend-${name}`), retry: board.retry, clock, random: seededRandom(seed) });
      const job = await outbox.enqueue({ from: TEST_USER, recipients: ["ap@contoso.test"], message: msg(`weekend ${name}`, ["ap@contoso.test"]), connection: conn(net.port), scans: [scanSource(500, 80_000)] });
      const monday = FRIDAY_18 + 62 * HOUR;
      const real = realDeliver();
      const run = await daemonUntilSettled(outbox, clock, (req) => {
        net.down = clock.now() < monday;
        return real(req);
      });
      assert.ok(monday - FRIDAY_18 < board.retry.giveUpAfter, "the board retries through a weekend");
      assert.deepEqual(run.outcomes.map((o) => o.kind).filter((k) => k !== "retry"), ["done"]);
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(500, 80_000)));
      const last = run.attempts.at(-1)!;
      assert.ok(last >= monday && last - monday <= board.retry.maxDelay, `${name}: delivered ${(last - monday) / 60_000} min after the network came back`);
      assertPaced(board, run.attempts, job.createdAt + board.retry.giveUpAfter);
      assert.deepEqual(await outbox.list(), []);
      assert.equal((await outbox.reports()).at(-1)!.final, "sent");
    } finally {
      await net.close();
      await server.close();
    }
  });

  test(`${name}: still down at giveUpAfter → held at that moment, scan kept, never retried by itself; retry-now delivers it`, async () => {
    const server = await startServer();
    const net = await startOutageProxy(server.port);
    try {
      const clock = new FakeClock(FRIDAY_18);
      const outbox = await Outbox.open({ dir: suiteDir(`held-${name}`), retry: board.retry, clock, random: seededRandom(seed + 1) });
      const job = await outbox.enqueue({ from: TEST_USER, recipients: ["ap@contoso.test"], message: msg(`held ${name}`, ["ap@contoso.test"]), connection: conn(net.port), scans: [scanSource(501, 60_000)] });
      const deadline = job.createdAt + board.retry.giveUpAfter;
      const run = await daemonUntilSettled(outbox, clock, realDeliver());
      const kinds = run.outcomes.map((o) => o.kind);
      assert.equal(kinds.at(-1), "held");
      assert.ok(kinds.slice(0, -1).every((k) => k === "retry"));
      assert.equal(run.attempts.at(-1), deadline, "the last automatic attempt starts exactly at giveUpAfter");
      assert.ok(run.attempts.length > board.retry.maxAttempts, `${run.attempts.length} attempts: maxAttempts (${board.retry.maxAttempts}) only paces`);
      assertPaced(board, run.attempts, deadline);
      assert.equal(net.refused, run.attempts.length, "every attempt met the outage");

      const [held] = await outbox.list();
      assert.equal(held!.state, "held");
      assert.equal(held!.held!.cause, "expired");
      assert.equal(held!.held!.id, "OUTBOX_RETENTION_EXPIRED");
      assert.match(held!.held!.reason, /^Held on the device after 72 h of retries; the last attempt said: /);
      assert.equal(held!.firstAttemptAt, job.createdAt);
      assert.deepEqual(await outbox.reports(), [], "no report: nothing ended");

      // The network is back, but a held job waits for a person: a week of daemon passes sends nothing.
      net.down = false;
      clock.t += 7 * 24 * HOUR;
      const idle = await outbox.runDue(realDeliver());
      assert.deepEqual(idle.outcomes, []);
      assert.equal(idle.nextDue, null);
      assert.equal(server.received.length, 0);

      await outbox.retryNow(job.id);
      const released = (await outbox.get(job.id))!;
      assert.equal(released.state, "queued");
      assert.equal(released.windowStartedAt, clock.now(), "a fresh retention window");
      const sent = await outbox.deliverNow(job.id, realDeliver());
      assert.equal(sent.kind, "done");
      assert.equal(sent.kind === "done" && sent.report.final, "sent");
      assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(501, 60_000)));
    } finally {
      await net.close();
      await server.close();
    }
  });
}

const DURATION = /^(\d+(?:\.\d+)?) (s|min|h)$/;
const ms = (text: string): number => {
  const m = DURATION.exec(text.trim());
  assert.ok(m, `"${text}" is not a duration`);
  return Number(m[1]) * { s: 1000, min: 60_000, h: HOUR }[m[2] as "s" | "min" | "h"];
};

test("README: the retry table says what every shipped board does", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of readme.split("\n")) {
    const m = /^\| `([a-z0-9-]+)` \|(.*)\|$/.exec(line);
    if (m && /\d (min|h)/.test(m[2]!)) rows.set(m[1]!, m[2]!.split("|").map((c) => c.trim()));
  }
  for (const name of boardNames()) {
    const r = resolveBoard(name).retry;
    const row = rows.get(name);
    assert.ok(row, `README has no retry row for board ${name}`);
    const [first, longest, window] = row;
    assert.equal(ms(first!), r.initialDelay, `${name}: first retry`);
    assert.equal(ms(longest!), r.maxDelay, `${name}: longest wait`);
    assert.equal(ms(window!), r.giveUpAfter, `${name}: retries on its own for`);
  }
});
