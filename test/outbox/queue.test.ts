// The outbox against a real smtp-server: delivery removes the job only after the final 250,
// partial recipients retry only the transient ones, permanent failures are never retried,
// backoff inside the retention window, damaged jobs quarantined, a full disk refuses new jobs and
// keeps old ones. Held jobs, refusals and the storage-pressure rule: held.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Outbox } from "../../host/outbox/index.js";
import { nextAttempt, retryDelay, DEFAULT_RETRY } from "../../host/outbox/backoff.js";
import { OutboxError, type JobRecord } from "../../host/outbox/types.js";
import { conn, FakeClock, msg, realDeliver, scanBytes, scanSource, sha256, startServer, suiteDir, tinyTmpfs, TEST_USER } from "./helpers.js";


const FAST = { initialDelay: 1000, maxDelay: 8000, multiplier: 2, jitter: 0, maxAttempts: 50, giveUpAfter: 60_000 };

function input(port: number, seed: number, recipients = ["a@contoso.test"], size = 20_000) {
  return {
    from: TEST_USER,
    recipients,
    message: msg(`scan ${seed}`, recipients),
    connection: conn(port),
    scans: [scanSource(seed, size)],
  };
}

test("enqueue → deliverNow: byte-identical scan arrives, job removed, report says sent", async () => {
  const server = await startServer();
  try {
    const ob = await Outbox.open({ dir: suiteDir("basic"), retry: FAST });
    const job = await ob.enqueue(input(server.port, 1, ["a@contoso.test", "b@contoso.test"], 300_000));
    assert.deepEqual(await ob.store.ids(), [job.id]);
    const out = await ob.deliverNow(job.id, realDeliver());
    assert.equal(out.kind, "done");
    assert.equal(out.kind === "done" && out.report.final, "sent");
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(1, 300_000)));
    assert.deepEqual(server.received[0]!.to.sort(), ["a@contoso.test", "b@contoso.test"]);
    assert.deepEqual(await ob.store.ids(), []);
    assert.equal((await ob.reports()).at(-1)!.final, "sent");
  } finally {
    await server.close();
  }
});

test("partial: a 4xx recipient is retried alone, a 5xx recipient never; the 250 ones are not re-sent", async () => {
  let busy = true;
  const server = await startServer({
    rcpt: (a) => (a === "busy@contoso.test" && busy ? { code: 452, message: "4.2.2 mailbox busy" } : a === "gone@contoso.test" ? { code: 550, message: "5.1.1 no such user" } : undefined),
  });
  try {
    const clock = new FakeClock();
    const ob = await Outbox.open({ dir: suiteDir("partial"), retry: FAST, clock });
    const job = await ob.enqueue(input(server.port, 2, ["ok@contoso.test", "busy@contoso.test", "gone@contoso.test"]));
    const first = await ob.deliverNow(job.id, realDeliver());
    assert.equal(first.kind, "retry");
    if (first.kind !== "retry") return;
    assert.equal(first.at, clock.now() + 1000, "first retry after initialDelay");
    const states = Object.fromEntries(first.job.recipients.map((r) => [r.address, r.state]));
    assert.deepEqual(states, { "ok@contoso.test": "delivered", "busy@contoso.test": "pending", "gone@contoso.test": "failed" }, "550 5.1.1 is a real refusal of that recipient");
    // Not due yet: a pass does nothing.
    assert.equal((await ob.runDue(realDeliver())).outcomes.length, 0);
    busy = false;
    clock.t += 1000;
    const pass = await ob.runDue(realDeliver());
    assert.equal(pass.outcomes.length, 1);
    const done = pass.outcomes[0]!;
    assert.equal(done.kind, "done");
    assert.equal(done.kind === "done" && done.report.final, "partial");
    assert.equal(server.received.length, 2);
    assert.deepEqual(server.received[1]!.to, ["busy@contoso.test"], "second attempt only to the transient recipient");
  } finally {
    await server.close();
  }
});

test("connection refused: backoff 1 → 2 → 4 … capped, then held (not deleted) when the window ends", async () => {
  const server = await startServer();
  const port = server.port;
  await server.close(); // nothing listens there any more
  const clock = new FakeClock();
  const ob = await Outbox.open({ dir: suiteDir("down"), retry: FAST, clock });
  const job = await ob.enqueue(input(port, 4));
  const delays: number[] = [];
  let last;
  for (let i = 0; i < 40; i++) {
    last = await ob.deliverNow(job.id, realDeliver());
    if (last.kind !== "retry") break;
    delays.push(last.at - clock.now());
    clock.t = last.at;
  }
  assert.deepEqual(delays.slice(0, 5), [1000, 2000, 4000, 8000, 8000]);
  assert.equal(last!.kind, "held");
  assert.equal(clock.now(), job.createdAt + FAST.giveUpAfter, "held when the window ends, after an attempt at its last instant");
  assert.deepEqual(await ob.store.ids(), [job.id], "the scan stays");
  assert.deepEqual(await ob.reports(), []);
});

test("backoff: maxAttempts only paces — from that attempt on every wait is maxDelay, and it never ends the retries", () => {
  const policy = { ...FAST, maxAttempts: 3, maxDelay: 60_000 };
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 50].map((n) => retryDelay(policy, n, mid)), [1000, 2000, 60_000, 60_000, 60_000]);
  const d = nextAttempt(policy, 0, 500, 10_000, mid);
  assert.deepEqual(d, { retry: true, at: 60_000 }, "the last attempt is pulled in to the window's end");
  assert.deepEqual(nextAttempt(policy, 0, 501, 60_000, mid), { retry: false, deadline: 60_000 });
});

test("backoff: default policy 1 min → 2 → 4 … ≤ 1 h, jitter within ±20 %", () => {
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 7, 8, 30].map((n) => retryDelay(DEFAULT_RETRY, n, mid)), [60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000, 3_600_000]);
  for (let i = 0; i < 200; i++) {
    const d = retryDelay(DEFAULT_RETRY, 3, Math.random);
    assert.ok(d >= 240_000 * 0.8 && d <= 240_000 * 1.2, String(d));
    assert.ok(retryDelay(DEFAULT_RETRY, 12, Math.random) <= 3_600_000);
  }
});

test("damaged jobs are quarantined with a reason; the rest of the queue is delivered", async () => {
  const server = await startServer();
  try {
    const dir = suiteDir("corrupt");
    const ob = await Outbox.open({ dir, retry: FAST });
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 4; i++) jobs.push(await ob.enqueue(input(server.port, 10 + i)));
    // job 1: torn job.json; job 2: one flipped bit in the scan
    const j1 = join(dir, "jobs", jobs[1]!.id, "job.json");
    writeFileSync(j1, readFileSync(j1, "utf8").slice(0, 100));
    const s2 = join(dir, "jobs", jobs[2]!.id, "scan-0");
    const b = readFileSync(s2);
    b[1234] ^= 0x10;
    writeFileSync(s2, b);

    const reopened = await Outbox.open({ dir, retry: FAST });
    const pass = await reopened.runDue(realDeliver());
    assert.deepEqual(pass.outcomes.filter((o) => o.kind === "done").length, 2);
    assert.deepEqual(server.received.map((r) => r.subject).sort(), ["scan 10", "scan 13"]);
    const q = await reopened.store.listQuarantine();
    assert.deepEqual(q.map((x) => x.id).sort(), [jobs[1]!.id, jobs[2]!.id].sort());
    assert.match(q.find((x) => x.id === jobs[1]!.id)!.reason, /JSON|job\.json/);
    assert.match(q.find((x) => x.id === jobs[2]!.id)!.reason, /damaged/);
    assert.deepEqual(await reopened.store.ids(), []);
  } finally {
    await server.close();
  }
});

test("crash leftovers: a half-written job in tmp/ and a half-removed one in trash/ are swept, never listed", async () => {
  const dir = suiteDir("leftovers");
  const ob = await Outbox.open({ dir });
  const kept = await ob.enqueue(input(1, 20));
  // What a kill -9 during enqueue/removal leaves behind (pid 999999 is not running).
  mkdirSync(join(dir, "tmp", "999999-half"), { recursive: true });
  writeFileSync(join(dir, "tmp", "999999-half", "scan-0"), "partial");
  mkdirSync(join(dir, "trash", "old-1"), { recursive: true });
  writeFileSync(join(dir, "jobs", kept.id, "job.json.999999.tmp"), "{torn");
  writeFileSync(join(dir, "locks", kept.id), "999999");
  const again = await Outbox.open({ dir });
  assert.deepEqual(readdirSync(join(dir, "tmp")), []);
  assert.deepEqual(readdirSync(join(dir, "trash")), []);
  assert.deepEqual((await again.list()).map((j) => j.id), [kept.id]);
  assert.equal(existsSync(join(dir, "locks", kept.id)), false, "a dead process's lock is released");
  assert.equal(existsSync(join(dir, "jobs", kept.id, "job.json.999999.tmp")), false, "a torn job.json rewrite is dropped");
});

test("secrets are refused in job settings", async () => {
  const ob = await Outbox.open({ dir: suiteDir("secret") });
  await assert.rejects(
    ob.enqueue({ ...input(1, 21), connection: { host: "h", port: 1, password: "hunter2" } }),
    (e: unknown) => e instanceof OutboxError && e.code === "SECRET_IN_JOB",
  );
  assert.deepEqual(await ob.store.ids(), []);
});

test("full disk (256 KiB tmpfs): enqueue fails with STORAGE_FULL, queued jobs intact and deliverable", async (t) => {
  const mnt = tinyTmpfs(t, "tmpfs");
  if (!mnt) return;
  const server = await startServer();
  try {
    const dir = join(mnt, "outbox");
    const ob = await Outbox.open({ dir, retry: FAST });
    const small = await ob.enqueue(input(server.port, 30, ["a@contoso.test"], 60_000));
    await assert.rejects(ob.enqueue(input(server.port, 31, ["a@contoso.test"], 400_000)), (e: unknown) => {
      assert.ok(e instanceof OutboxError);
      assert.equal(e.code, "STORAGE_FULL");
      assert.match(e.message, /storage full/);
      assert.match(e.message, /intact/);
      return true;
    });
    assert.deepEqual(readdirSync(join(dir, "tmp")), [], "no half-written job left");
    assert.deepEqual(await ob.store.ids(), [small.id]);
    const out = await ob.deliverNow(small.id, realDeliver());
    assert.equal(out.kind, "done");
    assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(30, 60_000)));
  } finally {
    await server.close();
    execFileSync("umount", [mnt]);
  }
});

test("outbox capacity from the board: OUTBOX_FULL names the limit", async () => {
  const ob = await Outbox.open({ dir: suiteDir("cap"), maxMessages: 2 });
  await ob.enqueue(input(1, 40));
  await ob.enqueue(input(1, 41));
  await assert.rejects(ob.enqueue(input(1, 42)), (e: unknown) => e instanceof OutboxError && e.code === "OUTBOX_FULL" && /limit is 2/.test(e.message));
});
