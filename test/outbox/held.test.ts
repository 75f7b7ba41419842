// The outcome contract on the storage side, against a real smtp-server on loopback:
//   - a failure a person must fix (535, relay denied, TLS not offered) holds the job: scan kept,
//     never tried by itself, `queue --json` says why, `retry-now` sends it once fixed;
//   - "not delivered" only after a real 5xx refusal (550 5.1.1);
//   - the storage-pressure rule removes the oldest held job, never a queued one, and tells;
//   - text-only messages are jobs like scans; jobs written before job states load as queued.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runQueueCancel, runQueueList, runQueueRetryNow } from "../../host/commands/queue.js";
import { runDaemon } from "../../host/outbox/daemon.js";
import { Outbox } from "../../host/outbox/index.js";
import { OutboxError } from "../../host/outbox/types.js";
import { recentAttempts } from "../../host/log/read.js";
import { conn, FakeClock, msg, realDeliver, scanBytes, scanSource, sha256, startOutageProxy, startServer, suiteDir, tinyTmpfs, TEST_PASSWORD, TEST_USER } from "./helpers.js";

const FAST = { initialDelay: 1000, maxDelay: 8000, multiplier: 2, jitter: 0, maxAttempts: 50, giveUpAfter: 60_000 };
const WRONG_PW_ENV = "MFP_OUTBOX_TEST_PW_HELD";

function capture() {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) } };
}

function job(port: number, seed: number, recipients = ["a@contoso.test"], connection = conn(port), size = 40_000) {
  return { from: TEST_USER, recipients, message: msg(`held ${seed}`, recipients), connection, scans: size ? [scanSource(seed, size)] : [] };
}

test("535 (wrong password): held with its reason, never retried by itself; fixed, retry-now delivers the same scan", async () => {
  const server = await startServer();
  process.env[WRONG_PW_ENV] = "not-the-password";
  try {
    const dir = suiteDir("held-535");
    const clock = new FakeClock();
    const ob = await Outbox.open({ dir, retry: FAST, clock });
    const j = await ob.enqueue(job(server.port, 600, ["a@contoso.test"], conn(server.port, "plain", TEST_USER, WRONG_PW_ENV)));
    const first = await ob.deliverNow(j.id, realDeliver());
    assert.equal(first.kind, "held");
    const held = (await ob.get(j.id))!;
    assert.equal(held.state, "held");
    assert.deepEqual([held.held!.cause, held.held!.id], ["fix-config", "AUTH_FAILED"]);
    assert.match(held.held!.reason, /^Held on the device until the settings or the account are fixed: Sign-in failed/);
    assert.deepEqual(held.recipients.map((r) => r.state), ["pending"]);

    // A day of daemon passes: the held job is never tried (one AUTH failure in all), and --drain ends.
    await runDaemon(ob, realDeliver(), new AbortController().signal, { clock, pollMs: 3_600_000, exitWhenEmpty: true, maxPasses: 30 });
    assert.equal(server.authFailures, 1);
    assert.deepEqual(await ob.reports(), []);

    const list = capture();
    assert.equal(await runQueueList({ outbox: dir, json: true }, list.io), 0);
    const [view] = JSON.parse(list.lines[0]!).jobs;
    assert.equal(view.state, "held");
    assert.match(view.reason, /Sign-in failed/);
    assert.equal(view.lastReply.code, 535);
    assert.equal(view.attempts, 1);
    assert.equal(view.firstAttemptAt, new Date(held.firstAttemptAt!).toISOString());
    assert.equal(view.lastAttemptAt, view.firstAttemptAt);
    assert.equal(view.nextAttemptAt, null);
    const human = capture();
    await runQueueList({ outbox: dir }, human.io);
    assert.match(human.lines.join("\n"), /0 job\(s\) queued, 1 held[\s\S]*⚠ Held[\s\S]*HELD: retry-now or cancel[\s\S]*why: Held on the device until/);
    assert.ok(recentAttempts(join(dir, "log"), 5, j.id).some((a) => a.records.some((r) => r.kind === "outbox" && /held \(AUTH_FAILED\)/.test(r.text ?? ""))));

    process.env[WRONG_PW_ENV] = TEST_PASSWORD; // the administrator fixed the password
    const retry = capture();
    assert.equal(await runQueueRetryNow([j.id], { outbox: dir }, retry.io, realDeliver()), 0, retry.lines.join("\n"));
    assert.match(retry.lines[0]!, /^sent /);
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(600, 40_000)));
    assert.deepEqual(await ob.store.ids(), []);
  } finally {
    delete process.env[WRONG_PW_ENV];
    await server.close();
  }
});

test("550 5.1.1 for every recipient: a real refusal, the job ends not-delivered with a report naming each", async () => {
  const server = await startServer({ rcpt: () => ({ code: 550, message: "5.1.1 no such user" }) });
  try {
    const ob = await Outbox.open({ dir: suiteDir("refused"), retry: FAST });
    const j = await ob.enqueue(job(server.port, 601, ["x@contoso.test", "y@contoso.test"]));
    const out = await ob.deliverNow(j.id, realDeliver());
    assert.equal(out.kind, "done");
    if (out.kind !== "done") return;
    assert.equal(out.report.final, "not-delivered");
    assert.deepEqual(out.report.recipients.map((r) => [r.address, r.state, r.code]), [["x@contoso.test", "failed", 550], ["y@contoso.test", "failed", 550]]);
    assert.match(out.report.summary, /NOT DELIVERED to x@contoso\.test \(550 5\.1\.1/);
    assert.deepEqual(await ob.store.ids(), []);
  } finally {
    await server.close();
  }
});

test("relay denied for one of two recipients: partly sent, the refused one held (a connector to fix), cancel ends it", async () => {
  const server = await startServer({ rcpt: (a) => (a === "ext@fabrikam.test" ? { code: 550, message: "5.7.1 Relaying denied" } : undefined) });
  try {
    const dir = suiteDir("relay");
    const ob = await Outbox.open({ dir, retry: FAST });
    const j = await ob.enqueue(job(server.port, 602, ["in@contoso.test", "ext@fabrikam.test"]));
    const out = await ob.deliverNow(j.id, realDeliver());
    assert.equal(out.kind, "held");
    const held = (await ob.get(j.id))!;
    assert.deepEqual(held.recipients.map((r) => [r.address, r.state]), [["in@contoso.test", "delivered"], ["ext@fabrikam.test", "pending"]]);
    assert.equal(held.held!.id, "RELAY_DENIED");
    assert.deepEqual(server.received.map((m) => m.to), [["in@contoso.test"]]);
    const c = capture();
    assert.equal(await runQueueCancel([j.id], { outbox: dir }, c.io), 0);
    assert.match(c.lines[0]!, /cancelled, not delivered to ext@fabrikam\.test/);
    assert.equal((await ob.reports()).at(-1)!.final, "cancelled");
  } finally {
    await server.close();
  }
});

test("STARTTLS required but not offered: no server refused anything, so the job is held, not ended", async () => {
  const server = await startServer();
  try {
    const ob = await Outbox.open({ dir: suiteDir("tls-held"), retry: FAST });
    const j = await ob.enqueue(job(server.port, 603, ["a@contoso.test"], { ...(conn(server.port) as object), tls: "starttls", requireTls: true }));
    const out = await ob.deliverNow(j.id, realDeliver());
    assert.equal(out.kind, "held");
    assert.equal((await ob.get(j.id))!.held!.id, "TLS_NOT_OFFERED");
    assert.equal(server.received.length, 0);
  } finally {
    await server.close();
  }
});

test("storage pressure (outbox limit): the oldest held job makes room, logged and reported; queued jobs never do", async () => {
  const server = await startServer();
  process.env[WRONG_PW_ENV] = "wrong";
  try {
    const dir = suiteDir("pressure");
    const ob = await Outbox.open({ dir, retry: FAST, maxMessages: 2 });
    const held = await ob.enqueue(job(server.port, 604, ["a@contoso.test"], conn(server.port, "plain", TEST_USER, WRONG_PW_ENV)));
    assert.equal((await ob.deliverNow(held.id, realDeliver())).kind, "held");
    const queued = await ob.enqueue(job(9, 605));
    const fresh = await ob.enqueue(job(9, 606));
    assert.deepEqual((await ob.store.ids()).sort(), [queued.id, fresh.id].sort());
    const [report] = ob.removedForSpace;
    assert.equal(report!.id, held.id);
    assert.equal(report!.final, "removed-for-space");
    assert.match(report!.summary, /^The oldest held job, scan-604\.pdf, was removed unsent to make room for a new scan \(the outbox limit was reached\)\.$/);
    assert.ok(recentAttempts(join(dir, "log"), 10, held.id).some((a) => a.records.some((r) => r.kind === "outbox" && /removed for space/.test(r.text ?? ""))));
    // Only queued jobs left: the next scan is refused, the queued ones stay.
    await assert.rejects(ob.enqueue(job(9, 607)), (e: unknown) => e instanceof OutboxError && e.code === "OUTBOX_FULL");
    assert.deepEqual((await ob.store.ids()).sort(), [queued.id, fresh.id].sort());
  } finally {
    delete process.env[WRONG_PW_ENV];
    await server.close();
  }
});

test("storage pressure (full disk, 256 KiB tmpfs): a held scan makes room for a new one", async (t) => {
  const mnt = tinyTmpfs(t, "tmpfs-held");
  if (!mnt) return;
  const server = await startServer();
  process.env[WRONG_PW_ENV] = "wrong";
  try {
    const ob = await Outbox.open({ dir: join(mnt, "outbox"), retry: FAST, logDir: suiteDir("tmpfs-held-log") });
    const held = await ob.enqueue(job(server.port, 608, ["a@contoso.test"], conn(server.port, "plain", TEST_USER, WRONG_PW_ENV), 120_000));
    assert.equal((await ob.deliverNow(held.id, realDeliver())).kind, "held");
    const queued = await ob.enqueue(job(server.port, 609, ["a@contoso.test"], conn(server.port), 50_000));
    const fresh = await ob.enqueue(job(server.port, 610, ["a@contoso.test"], conn(server.port), 120_000));
    assert.deepEqual(ob.removedForSpace.map((r) => [r.id, r.final]), [[held.id, "removed-for-space"]]);
    assert.deepEqual((await ob.store.ids()).sort(), [queued.id, fresh.id].sort());
    await assert.rejects(ob.enqueue(job(server.port, 611, ["a@contoso.test"], conn(server.port), 120_000)), (e: unknown) => e instanceof OutboxError && e.code === "STORAGE_FULL");
    const pass = await ob.runDue(realDeliver());
    assert.deepEqual(pass.outcomes.map((o) => o.kind), ["done", "done"]);
    assert.deepEqual(server.received.map((m) => m.attachments[0]!.sha256), [sha256(scanBytes(609, 50_000)), sha256(scanBytes(610, 120_000))]);
  } finally {
    delete process.env[WRONG_PW_ENV];
    await server.close();
    execFileSync("umount", [mnt]);
  }
});

test("a text-only message is a job like a scan: kept on a transient failure, then delivered with its text", async () => {
  const server = await startServer();
  const net = await startOutageProxy(server.port);
  try {
    const clock = new FakeClock();
    const ob = await Outbox.open({ dir: suiteDir("text-only"), retry: FAST, clock });
    const j = await ob.enqueue({ ...job(net.port, 612, ["a@contoso.test"], conn(net.port), 0), message: msg("text only", ["a@contoso.test"], "The toner is low.") });
    assert.deepEqual(j.scans, []);
    const down = await ob.deliverNow(j.id, realDeliver());
    assert.equal(down.kind, "retry");
    assert.equal(down.kind === "retry" && down.result.status, "not-sent-transient", "the session itself stored nothing");
    net.down = false;
    clock.t += FAST.initialDelay;
    const pass = await ob.runDue(realDeliver());
    assert.deepEqual(pass.outcomes.map((o) => o.kind), ["done"]);
    assert.equal(server.received[0]!.subject, "text only");
    assert.match(server.received[0]!.text, /The toner is low\./);
    assert.deepEqual(server.received[0]!.attachments, []);
  } finally {
    await net.close();
    await server.close();
  }
});

test("a job written before job states existed is read as queued, its window from its enqueue", async () => {
  const dir = suiteDir("old-job");
  const ob = await Outbox.open({ dir, retry: FAST });
  const j = await ob.enqueue(job(9, 613));
  const path = join(dir, "jobs", j.id, "job.json");
  const old = JSON.parse(readFileSync(path, "utf8"));
  for (const k of ["state", "windowStartedAt", "windowAttempts"]) delete old[k];
  writeFileSync(path, JSON.stringify(old));
  const back = (await (await Outbox.open({ dir, retry: FAST })).get(j.id))!;
  assert.deepEqual([back.state, back.windowStartedAt, back.windowAttempts], ["queued", j.createdAt, 0]);
});
