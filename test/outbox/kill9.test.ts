// Power-loss safety with real processes: a child that enqueues and sends a large scan is killed
// with SIGKILL at many points — during enqueue, mid-DATA, after the final dot before the 250 —
// and at random times. A restarted process then delivers every job that was accepted; the
// server has every accepted scan byte-identical at least once; the queue ends empty; no
// half-written job ever shows up (nothing quarantined, nothing left in tmp/). Where each kill
// lands is drawn from a seed the test prints (MFP_TEST_SEED repeats it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Outbox } from "../../host/outbox/index.js";
import { scanBytes, seededRandom, sha256, startServer, suiteDir, testSeed } from "./helpers.js";

const CHILD = fileURLToPath(new URL("./fixtures/child.ts", import.meta.url));
const SIZE = 2 * 1024 * 1024;
const RUNS = 12;
// Where each kill lands is drawn from this seed (the scheduler still adds its own jitter).
const SEED = testSeed();
const random = seededRandom(SEED);

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitLine(prefix: string, ms: number): Promise<boolean>;
}

function spawnChild(mode: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (ok: boolean) => void }[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => line.startsWith(w.prefix))) w.resolve(true);
    }
  });
  child.stderr!.on("data", () => {});
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitLine: (prefix, ms) =>
      new Promise<boolean>((resolve) => {
        if (lines.some((l) => l.startsWith(prefix))) return resolve(true);
        const t = setTimeout(() => resolve(false), ms);
        t.unref();
        waiters.push({ prefix, resolve: (ok) => (clearTimeout(t), resolve(ok)) });
      }),
  };
}

test("kill -9 at many points of enqueue and delivery: a restart delivers every accepted scan", async () => {
  console.log(`# kill9: seed ${SEED} (repeat with MFP_TEST_SEED=${SEED})`);
  const dir = suiteDir("kill9");
  // Kill points driven by the server: when DATA starts, or after the dot before the 250.
  let onDataStart: (() => void) | null = null;
  let beforeAccept: (() => Promise<void>) | null = null;
  const server = await startServer({
    onDataStart: () => onDataStart?.(),
    beforeAccept: async () => beforeAccept?.(),
  });
  const accepted = new Set<number>();
  let killedInEnqueue = 0;
  const sends: string[][] = [];
  const points: string[] = [];
  try {
    for (let seed = 0; seed < RUNS; seed++) {
      const point = ["enqueue", "mid-data", "after-dot", "random"][seed % 4]!;
      // For kills during enqueue the scanner delivers the scan over ~300 ms, like a real one.
      const env = { OUTBOX: dir, PORT: String(server.port), SEED: String(seed), JITTER_SEED: String(SEED + seed), SIZE: String(SIZE), ...(point === "enqueue" ? { SCANNER_MS: "300" } : {}) };
      const t0 = Date.now();
      const run = spawnChild("send", env);
      const kill = () => run.child.kill("SIGKILL");
      points.push(point);
      onDataStart = null;
      beforeAccept = null;
      if (point === "enqueue") {
        assert.ok(await run.waitLine("enqueue-start", 20_000), "child started");
        // The scan is being written now; kill somewhere inside (or just after) the enqueue.
        await new Promise((r) => setTimeout(r, random() * 360));
        kill();
      } else if (point === "mid-data") {
        onDataStart = () => setTimeout(kill, random() * 30);
      } else if (point === "after-dot") {
        // Hold the 250 until the child is dead: the server has the message, the client never hears.
        beforeAccept = async () => {
          kill();
          await run.exited;
        };
      } else {
        assert.ok(await run.waitLine("enqueue-start", 20_000), "child started");
        setTimeout(kill, random() * 400);
      }
      const done = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000).unref())]);
      if (done === "timeout") kill();
      await run.exited;
      sends[seed] = run.lines;
      if (run.lines.some((l) => l.startsWith("enqueued "))) accepted.add(seed);
      else killedInEnqueue++;
      console.log(`# run ${seed} ${point} ${Date.now() - t0} ms`);
    }
    onDataStart = null;
    beforeAccept = null;

    // Restart: the daemon delivers whatever the crashes left.
    const td = Date.now();
    const drain = spawnChild("drain", { OUTBOX: dir, PORT: String(server.port) });
    const ok = await drain.waitLine("drained", 120_000);
    drain.child.kill("SIGKILL");
    await drain.exited;
    assert.ok(ok, `drain finished: ${drain.lines.slice(-5).join(" | ")}`);
    assert.equal(drain.lines.at(-1), "drained 0");
    console.log(`# drain ${Date.now() - td} ms: ${drain.lines.join(" / ")}`);

    const ob = await Outbox.open({ dir });
    assert.deepEqual(await ob.store.ids(), [], "queue ends empty");
    assert.deepEqual(await ob.store.listQuarantine(), [], "no half-written job ever became visible");
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);

    assert.ok(accepted.size >= RUNS / 2, `most runs got past enqueue (${accepted.size}/${RUNS})`);
    assert.ok(killedInEnqueue > 0, "at least one kill landed inside an enqueue");
    for (const seed of accepted) {
      const got = server.received.filter((m) => m.subject === `scan ${seed}`);
      if (got.length === 0) {
        const reports = (await ob.reports(100)).map((r) => `${r.id} ${r.final} ${r.summary}`);
        assert.fail(`scan ${seed} (killed ${points[seed]}, test seed ${SEED}) never arrived. child: ${sends[seed]?.join(" / ")}; drain: ${drain.lines.join(" / ")}; reports: ${reports.join(" | ")}; dots: ${server.dots}`);
      }
      const want = sha256(scanBytes(seed, SIZE));
      for (const m of got) assert.equal(m.attachments[0]!.sha256, want, `scan ${seed} byte-identical`);
    }
    // Every message that arrived is an accepted job's or one whose enqueue completed before the kill.
    for (const m of server.received) assert.match(m.subject, /^scan \d+$/);
    const dups = [...accepted].filter((s) => server.received.filter((m) => m.subject === `scan ${s}`).length > 1);
    console.log(`# kill9 (seed ${SEED}): ${RUNS} runs, ${accepted.size} accepted, ${server.received.length} messages received, duplicates (reply lost) for seeds ${dups.join(",") || "none"}`);
    // The after-dot kills are exactly the lost-reply case: those must show up as duplicates.
    for (let seed = 2; seed < RUNS; seed += 4) {
      if (accepted.has(seed)) assert.ok(dups.includes(seed), `scan ${seed}: 250 lost → delivered again (at-least-once)`);
    }
  } finally {
    await server.close();
  }
});
