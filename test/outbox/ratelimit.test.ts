// Microsoft 365 submission limits with a fake clock: 100 jobs for one mailbox never put more
// than 30 messages into any 60-second window at the server, and the spent tokens survive a
// restart of the sender. Recipients per day: 10,000 in any 24 h.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox } from "../../host/outbox/index.js";
import { runDaemon } from "../../host/outbox/daemon.js";
import { RateLimiter } from "../../host/outbox/ratelimit.js";
import { OutboxStore } from "../../host/outbox/store.js";
import { M365_SUBMISSION_LIMITS } from "../../host/outbox/types.js";
import { conn, FakeClock, maxInWindow, msg, realDeliver, scanSource, startServer, suiteDir, TEST_USER } from "./helpers.js";

test("100 jobs for one account: never more than 30 per minute reach the server, across a restart", async () => {
  const clock = new FakeClock();
  const server = await startServer({ now: () => clock.now() });
  try {
    const dir = suiteDir("rate");
    const opts = { dir, clock, retry: { initialDelay: 1000, maxDelay: 4000, multiplier: 2, jitter: 0, maxAttempts: 5, giveUpAfter: 86_400_000 } };
    const first = await Outbox.open(opts);
    for (let i = 0; i < 100; i++) {
      await first.enqueue({
        from: TEST_USER,
        recipients: ["a@contoso.test"],
        account: TEST_USER,
        limits: M365_SUBMISSION_LIMITS,
        message: msg(`rate ${i}`, ["a@contoso.test"]),
        connection: conn(server.port, "xoauth2"),
        scans: [scanSource(i, 2000)],
      });
    }
    const start = clock.now();
    // First sender process: stops (as after a SIGTERM) once 20 messages went out.
    const ac = new AbortController();
    let done = 0;
    await runDaemon(first, realDeliver(), ac.signal, {
      clock,
      pollMs: 60_000,
      maxPasses: 50,
      onOutcome: (o) => {
        if (o.kind === "done" && ++done === 20) ac.abort();
      },
    });
    assert.equal(server.received.length, 20);
    assert.equal(clock.now(), start, "the first 20 went out at once (burst within the limit)");
    // A new process, same fake time: only 10 more may go in this minute.
    const second = await Outbox.open(opts);
    await runDaemon(second, realDeliver(), new AbortController().signal, { clock, pollMs: 60_000, exitWhenEmpty: true, maxPasses: 400 });
    assert.equal(server.received.length, 100, "all delivered");
    assert.deepEqual(await second.store.ids(), []);
    const times = server.received.map((m) => m.at);
    const peak = maxInWindow(times, 60_000);
    console.log(`# rate: 100 messages over ${(clock.now() - start) / 1000} s of fake time; busiest 60 s window: ${peak}`);
    assert.ok(peak <= 30, `at most 30 in any minute, saw ${peak}`);
    assert.equal(peak, 30, "and the limit is used, not undershot");
    assert.ok(clock.now() - start >= 3 * 60_000, "100 messages need at least 3 more minutes");
    assert.equal(server.received.filter((m) => m.at < start + 60_000).length, 30, "restart did not reset the minute's tokens");
  } finally {
    await server.close();
  }
});

test("recipients per day: 10,000 in any 24 h, persisted; an oversized job fails instead of waiting forever", async () => {
  const clock = new FakeClock();
  const dir = suiteDir("rcpt-day");
  const store = await OutboxStore.open(dir, { clock });
  const limiter = () => new RateLimiter(dir, clock, (n) => store.lock(n));
  const lim = { recipientsPerDay: 10_000 };
  assert.deepEqual(await limiter().take("dev@contoso.test", lim, 6000), { ok: true });
  clock.t += 3_600_000 * 5;
  assert.deepEqual(await limiter().take("dev@contoso.test", lim, 4000), { ok: true });
  const full = await limiter().take("dev@contoso.test", lim, 1);
  assert.equal(full.ok, false);
  // The first 6000 leave the window about 24-25 h after they were spent (hourly slots).
  const wait = full.ok ? 0 : full.waitMs;
  assert.ok(wait > 19 * 3_600_000 && wait <= 20 * 3_600_000, `wait ${wait / 3_600_000} h`);
  assert.deepEqual(await limiter().take("other@contoso.test", lim, 10_000), { ok: true }, "per account");
  clock.t += wait;
  assert.deepEqual(await limiter().take("dev@contoso.test", lim, 5000), { ok: true });
  const huge = await limiter().take("dev@contoso.test", lim, 10_001);
  assert.equal(huge.ok === false && huge.waitMs, Infinity);
});
