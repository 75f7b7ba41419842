// `npm run soak`: the power-cut soak of the outbox. A device process (soak/child.ts, compiled)
// enqueues a message and delivers it; it is killed with SIGKILL at every fsync boundary of
// enqueue, deliver and complete (just before and just after each fsync), at seeded random
// instants, and while the server holds back its 250 after the final dot. After every cut a
// restarted outbox delivers what is queued, and soak/verify.ts checks: no accepted scan lost,
// every duplicate inside the documented window, nothing left in tmp/ or quarantine/.
//   npm run soak [-- --cuts 10000] [--seed S] [--lanes 2] [--out soak/results.json]
// Prints the seed; exits 1 when a scan was lost or a duplicate fell outside the window.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type TestServer } from "../test/outbox/helpers.js";
import { PASSWORD_ENV, scenario, SOAK_USER, WRONG_PASSWORD_ENV, type Scenario } from "./scenario.js";
import { prng, runSeed } from "./seeded.js";
import { verify, type Verdict } from "./verify.js";

const CHILD = fileURLToPath(new URL("../dist/soak/child.js", import.meta.url));
const PASSWORD = "soak-Pw-4u7!";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const opts = { cuts: arg("cuts", 10_000), seed: arg("seed", runSeed()) >>> 0, lanes: arg("lanes", 2) };
const outIndex = process.argv.indexOf("--out");
const RESULTS = outIndex > 0 ? process.argv[outIndex + 1]! : fileURLToPath(new URL("./results.json", import.meta.url));
process.env[PASSWORD_ENV] = PASSWORD;
process.env[WRONG_PASSWORD_ENV] = "not-the-password";

type CutKind = "none" | "fsync-before" | "fsync-after" | "random" | "server-window";
interface Cut { kind: CutKind; k?: number; delayMs?: number }

const tally = {
  runs: 0, cutPoints: 0, byKind: {} as Record<string, number>, beforeCommit: 0, accepted: 0, delivered: 0, held: 0, notDelivered: 0, partial: 0,
  lost: 0, duplicatesInWindow: 0, problems: [] as string[], randomFinishedFirst: 0,
};

const root = mkdtempSync(join(tmpdir(), "mfp-soak-"));
let nextRun = 0;
const killers = new Map<number, () => Promise<void>>();
const windowRuns = new Set<number>();

/** The one receiving server: first-attempt deferrals and refusals by address, and the 250 held back for server-window cuts. */
async function receiver(): Promise<TestServer> {
  const seen = new Set<string>();
  return startServer({
    account: { user: SOAK_USER, password: PASSWORD },
    rcpt: (a) => {
      if (a.startsWith("gone-")) return { code: 550, message: "5.1.1 no such user" };
      const first = !seen.has(a);
      seen.add(a);
      if (first && a.startsWith("busy-")) return { code: 450, message: "4.2.1 mailbox busy" };
      if (first && a.startsWith("later")) return { code: 451, message: "4.3.0 try again later" };
      return undefined;
    },
    beforeAccept: async (session) => {
      const run = Number(/-(\d+)@/.exec(session.envelope.rcptTo[0]?.address ?? "")?.[1]);
      if (!windowRuns.delete(run)) return;
      await killers.get(run)?.(); // the server has the message; the device dies before its 250
    },
  });
}

/** One device process: run it, cut it as told, and report what it printed and when it died. */
function device(s: Scenario, dir: string, port: number, cut: Cut): Promise<{ lines: string[]; diedAt: number; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const env = { ...process.env, SOAK_DIR: dir, SOAK_PORT: String(port), SOAK_SEED: String(opts.seed), SOAK_TEMPLATE: String(s.template), SOAK_RUN: String(s.run),
      ...(cut.kind.startsWith("fsync") ? { SOAK_CUT: `fsync:${cut.k}:${cut.kind === "fsync-before" ? "before" : "after"}` } : {}) };
    const child = spawn(process.execPath, [CHILD], { env, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    killers.set(s.run, async () => {
      child.kill("SIGKILL");
      await exited;
    });
    if (cut.kind === "server-window") windowRuns.add(s.run);
    const timer = cut.kind === "random" ? setTimeout(() => child.kill("SIGKILL"), cut.delayMs) : null;
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", () => {
      const diedAt = Date.now();
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      killers.delete(s.run);
      windowRuns.delete(s.run);
      resolve({ lines: out.split("\n").filter(Boolean), diedAt, ms: diedAt - t0 });
    });
  });
}

function record(cut: Cut, v: Verdict, finishedFirst: boolean): void {
  tally.runs++;
  // A random kill that came after the process had finished cut nothing: it is not counted.
  const kind = finishedFirst ? "random, finished first" : cut.kind;
  if (cut.kind !== "none" && !finishedFirst) tally.cutPoints++;
  tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
  if (finishedFirst) tally.randomFinishedFirst++;
  if (!v.accepted) tally.beforeCommit++;
  else tally.accepted++;
  if (v.delivered) tally.delivered++;
  if (v.held) tally.held++;
  if (v.notDelivered) tally.notDelivered++;
  if (v.partial) tally.partial++;
  tally.lost += v.lost.length;
  tally.duplicatesInWindow += v.duplicatesInWindow;
  tally.problems.push(...v.problems, ...v.lost.map((l) => `LOST: ${l}`));
}

async function runOne(template: number, cut: Cut, server: TestServer): Promise<{ fsyncs: number; ms: number }> {
  const s = scenario(opts.seed, template, nextRun++);
  const dir = join(root, `run-${s.run}`);
  mkdirSync(dir);
  const r = await device(s, dir, server.port, cut);
  const v = await verify({ s, dir, enqueued: r.lines.some((l) => l.startsWith("enqueued ")), diedAt: r.diedAt }, server.received);
  const finished = r.lines.some((l) => l.startsWith("fsyncs "));
  record(cut, v, cut.kind === "random" && finished);
  if (v.problems.length === 0 && v.lost.length === 0) rmSync(dir, { recursive: true, force: true });
  else console.log(`# kept ${dir} for inspection (${s.kind}, cut ${JSON.stringify(cut)})`);
  return { fsyncs: Number(r.lines.find((l) => l.startsWith("fsyncs "))?.split(" ")[1] ?? 0), ms: r.ms };
}

/** One lane: take a template, measure it uncut, then cut it at every fsync boundary, at random instants and in the server window. */
async function lane(id: number, server: TestServer, nextTemplate: () => number): Promise<void> {
  const random = prng(opts.seed ^ (id + 1) * 0x85ebca6b);
  while (tally.cutPoints < opts.cuts) {
    const template = nextTemplate();
    const dry = await runOne(template, { kind: "none" }, server);
    const cuts: Cut[] = [];
    for (let k = 1; k <= dry.fsyncs; k++) cuts.push({ kind: "fsync-before", k }, { kind: "fsync-after", k });
    for (let i = 0; i < 4; i++) cuts.push({ kind: "random", delayMs: Math.floor(random() * dry.ms * 1.1) });
    if (scenario(opts.seed, template, 0).deliverable.length > 0) cuts.push({ kind: "server-window" });
    for (const cut of cuts) await runOne(template, cut, server);
    const done = tally.cutPoints;
    if (id === 0) process.stdout.write(`\r# ${done}/${opts.cuts} cut points · lost ${tally.lost} · duplicates ${tally.duplicatesInWindow} (in the window) · problems ${tally.problems.length}   `);
  }
}

console.log(`# soak: seed ${opts.seed} (repeat with --seed ${opts.seed}), ${opts.cuts} cut points, ${opts.lanes} lanes, runs in ${root}`);
const t0 = Date.now();
const server = await receiver();
let template = 0;
try {
  await Promise.all(Array.from({ length: opts.lanes }, (_, i) => lane(i, server, () => template++)));
} finally {
  await server.close();
}
const minutes = (Date.now() - t0) / 60_000;
const results = { seed: opts.seed, minutes: Math.round(minutes * 10) / 10, templates: template, ...tally, problems: tally.problems.slice(0, 50) };
writeFileSync(RESULTS, JSON.stringify(results, null, 1) + "\n");
console.log(`\n# soak: ${tally.cutPoints} cut points (${Object.entries(tally.byKind).map(([k, n]) => `${k} ${n}`).join(", ")}) over ${template} templates in ${minutes.toFixed(1)} min`);
console.log(`# jobs accepted ${tally.accepted}, cut before the job existed ${tally.beforeCommit}; delivered ${tally.delivered} (partly, one recipient refused: ${tally.partial}), held ${tally.held}, not delivered (5xx) ${tally.notDelivered}`);
console.log(`# scans lost: ${tally.lost}; duplicates inside the after-250 window: ${tally.duplicatesInWindow}; problems (duplicates outside it, damage, leftovers): ${tally.problems.length}`);
for (const p of tally.problems.slice(0, 20)) console.log(`#   ${p}`);
if (tally.problems.length === 0) rmSync(root, { recursive: true, force: true });
process.exit(tally.lost === 0 && tally.problems.length === 0 ? 0 : 1);
