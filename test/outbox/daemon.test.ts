// `mfp-mail daemon` as a real process: SIGTERM while a message waits for its 250 stops it
// cleanly (exit 0, every job still queued, the interrupted one due at once); a restart with
// --drain delivers everything. Then `mfp-mail log` and `mfp-mail queue` read what happened.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Outbox } from "../../host/outbox/index.js";
import { runLog } from "../../host/commands/log.js";
import { runQueueCancel, runQueueList, runQueueRetryNow } from "../../host/commands/queue.js";
import { conn, msg, scanSource, startServer, suiteDir, TEST_USER } from "./helpers.js";

const MAIN = fileURLToPath(new URL("./fixtures/mfp-mail-outbox.ts", import.meta.url));

function mfpMail(args: string[]): { exit: Promise<number | null>; out: string[]; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  const out: string[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(...d.toString().split("\n").filter(Boolean)));
  child.stderr.on("data", (d: Buffer) => out.push(...d.toString().split("\n").filter(Boolean).map((l) => `stderr: ${l}`)));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { exit, out, kill: (sig) => child.kill(sig) };
}

function capture() {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) } };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref())]);

test("daemon: SIGTERM mid-delivery loses nothing; restart drains; log and queue show it", async () => {
  let hold: (() => void) | null = null;
  let held = 0;
  let onHeld: (() => void) | null = null;
  const server = await startServer({
    beforeAccept: () => {
      if (held++ > 0) return;
      onHeld?.();
      return new Promise<void>((r) => (hold = r));
    },
  });
  const dir = suiteDir("daemon");
  try {
    const ob = await Outbox.open({ dir });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const j = await ob.enqueue({ from: TEST_USER, recipients: ["a@contoso.test"], message: msg(`daemon ${i}`, ["a@contoso.test"]), connection: conn(server.port), scans: [scanSource(100 + i, 500_000)] });
      ids.push(j.id);
    }
    const heldNow = new Promise<void>((r) => (onHeld = r));
    const d1 = mfpMail(["daemon", "--outbox", dir, "--poll", "200"]);
    await within(heldNow, 30_000, "first message reached the dot");
    d1.kill("SIGTERM");
    const code = await within(d1.exit, 15_000, "daemon exit after SIGTERM");
    assert.equal(code, 0, d1.out.join("\n"));
    assert.ok(d1.out.some((l) => /stopped; 3 job\(s\) queued in the outbox/.test(l)), d1.out.join("\n"));
    (hold as (() => void) | null)?.();

    const after = await Outbox.open({ dir });
    const jobs = await after.list();
    assert.deepEqual(jobs.map((j) => j.id), ids, "every job still queued");
    assert.ok(jobs[0]!.nextAttemptAt <= Date.now(), "the interrupted job is due at once after a restart");
    assert.equal(jobs[0]!.attemptCount, 1);

    const d2 = mfpMail(["daemon", "--outbox", dir, "--poll", "200", "--drain"]);
    assert.equal(await within(d2.exit, 60_000, "drain"), 0, d2.out.join("\n"));
    assert.deepEqual(await after.store.ids(), []);
    const subjects = server.received.map((m) => m.subject).sort();
    assert.deepEqual([...new Set(subjects)], ["daemon 0", "daemon 1", "daemon 2"]);
    assert.equal(subjects.filter((s) => s === "daemon 0").length, 2, "the message whose 250 was lost arrives twice (at-least-once)");

    const log = capture();
    assert.equal(await runLog({ outbox: dir, n: 10 }, log.io), 0);
    const text = log.lines.join("\n");
    assert.match(text, new RegExp(`job ${ids[0]} attempt 1`));
    assert.match(text, /no end record|→ queued/, "the interrupted attempt is visible");
    assert.match(text, /C: AUTH PLAIN \[redacted\]/);
    assert.match(text, /S: 250 .*OK: message queued/);
    assert.match(text, /→ sent/);

    const q = capture();
    assert.equal(await runQueueList({ outbox: dir }, q.io), 0);
    assert.match(q.lines[0]!, /0 job\(s\) queued/);
    assert.ok(q.lines.some((l) => /sent: .*delivered to 1 recipient/.test(l)), q.lines.join("\n"));
  } finally {
    (hold as (() => void) | null)?.();
    await server.close();
  }
});

test("queue retry-now sends now and cancel removes; unknown ids are a clear error", async () => {
  const dir = suiteDir("queue-cmd");
  const ob = await Outbox.open({ dir, clock: { now: () => Date.now(), sleep: async () => {} } });
  const j = await ob.enqueue({ from: TEST_USER, recipients: ["a@contoso.test"], message: msg("q", ["a@contoso.test"]), connection: conn(9), scans: [scanSource(7, 1000)] });
  j.nextAttemptAt = Date.now() + 3_600_000;
  await ob.store.update(j);
  const list = capture();
  await runQueueList({ outbox: dir }, list.io);
  assert.match(list.lines.join("\n"), /next try in 6\d min|next try in 1 h/);
  // retry-now sends at once, in this process: nothing listens on port 9, so it stays queued (exit 4).
  const r = capture();
  assert.equal(await runQueueRetryNow([j.id], { outbox: dir }, r.io), 4, r.lines.join("\n"));
  assert.match(r.lines[0]!, new RegExp(`^retry ${j.id} at .*refused`));
  assert.equal((await ob.get(j.id))!.attemptCount, 1);
  const c = capture();
  assert.equal(await runQueueCancel([j.id, "nope"], { outbox: dir }, c.io), 2);
  assert.match(c.lines.join("\n"), /cancelled/);
  assert.match(c.lines.join("\n"), /JOB_NOT_FOUND: no job nope/);
  assert.deepEqual(await ob.store.ids(), []);
  assert.equal((await ob.reports()).at(-1)!.final, "cancelled");
});
