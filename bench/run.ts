// `npm run bench` — every benchmark in one run, on loopback only, stopping by itself. Receivers
// (Postfix 3.7 with the discard transport, and the project's chunking MTA), the link model and
// the floor's sink each run in a process of their own (bench/receiver.ts, bench/link.ts); every
// client is a child process under /usr/bin/time. Writes bench/results.json and bench/results.md
// and prints every target with met/missed and the receiver it was measured against.
//   npm run bench              full run: interleaved rounds, 1 warm-up + 5 counted
//   npm run bench -- --quick   smoke run (1 round, 1 MiB, project receiver; bench/results.quick.json)
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { sendWith, repoRoot, runTimed, type PeerName } from "./peers.js";
import { runEndToEnd, type E2eResult, type ReceiverName } from "./e2e.js";
import { startHelper } from "./procs.js";
import { summary } from "./stats.js";
import { renderMarkdown } from "./report.js";
import { callgrindPerMiB } from "./callgrind.js";
import { sendTargets, linkTargets, memoryTargets, printTargets, type TargetRow } from "./targets.js";
import { postfixUnavailable } from "../test/fixtures/postfix.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 1 : 5;
const warmup = quick ? 0 : 1;
const work = mkdtempSync(join(tmpdir(), "mfp-bench-"));
const SEND_PEERS: PeerName[] = ["mfp-mail", "mfp-mail --no-queue", "nodemailer", "curl --upload-file"];
const BOARDS = ["sim-desktop", "arm-256mb", "arm-64mb"];

type Row = Record<string, unknown>;
const results: { quick: boolean; date: string; machine: string; sections: Record<string, unknown> } = {
  quick, date: new Date().toISOString(), machine: `${process.platform} ${process.arch}, node ${process.version}`, sections: {},
};
const log = (s: string) => console.log(s);

/** The receivers this run measures against: Postfix when it can run here, always the project's. */
function receivers(): ReceiverName[] {
  const why = postfixUnavailable();
  if (why) log(`[bench] Postfix receiver skipped: ${why}`);
  if (quick) return ["chunking"];
  return why ? ["chunking"] : ["postfix", "chunking"];
}

async function endToEnd(): Promise<E2eResult[]> {
  const out: E2eResult[] = [];
  for (const receiver of receivers()) {
    out.push(...await runEndToEnd({ receiver, sizesMiB: quick ? [1] : [1, 10, 50], rounds, warmup, peers: SEND_PEERS, work, log }));
  }
  return out;
}

/** arm-64mb, 20 MiB through 50 ms each way, without and with a 40 Mbit/s bottleneck. */
async function link(): Promise<E2eResult[]> {
  if (quick) return [];
  const out: E2eResult[] = [];
  for (const receiver of receivers()) {
    for (const mbit of [0, 40]) {
      out.push(...await runEndToEnd({
        receiver, sizesMiB: [20], rounds, warmup, peers: ["mfp-mail", "mfp-mail --no-queue", "nodemailer"],
        link: { delayMs: 50, mbit }, board: "arm-64mb", work, log,
      }));
    }
  }
  return out;
}

/** Round trips of a 20 KiB scan under 50 ms each way, every client. */
async function roundTrips(): Promise<Row[]> {
  const res = await runEndToEnd({
    receiver: "chunking", sizesMiB: [20 / 1024], rounds: quick ? 1 : 3, warmup: 0,
    peers: ["mfp-mail", "nodemailer", "curl -F", "swaks"], link: { delayMs: 50, mbit: 0 }, work, log,
  });
  return res.flatMap((r) => r.peers.filter((p) => p.peer !== "floor").map((p) => ({
    receiver: r.receiver, peer: p.peer, roundTrips: p.roundTrips, medianMs: p.wallMs?.median, ...(p.error ? { error: p.error } : {}),
  })));
}

/** Fixed cost of one send: a 1 KiB scan end to end, next to an empty node process. */
async function startup(): Promise<Row> {
  const res = await runEndToEnd({
    receiver: "chunking", sizesMiB: [1 / 1024], rounds, warmup, peers: ["mfp-mail", "mfp-mail --no-queue", "nodemailer", "curl --upload-file"], work, log,
  });
  const empty: number[] = [];
  for (let i = 0; i < rounds; i++) empty.push((await runTimed(process.execPath, ["-e", "0"], {})).wallMs);
  return {
    receiver: res[0]?.receiver,
    sendOneKiB: Object.fromEntries(res[0]!.peers.filter((p) => p.peer !== "floor").map((p) => [p.peer, p.wallMs])),
    emptyNodeProcess: summary(empty),
  };
}

/** Peak RSS of a 1 MiB and a 200 MiB send (--no-queue) on every shipped board. */
async function memory(): Promise<Row[]> {
  const rx = await startHelper<{ port: number; caPem: string; user: string; pass: string; name: string }>("./receiver.ts", ["chunking"]);
  const caFile = join(work, "ca-memory.pem");
  writeFileSync(caFile, rx.ready.caPem);
  const rows: Row[] = [];
  try {
    for (const board of quick ? ["sim-desktop", "arm-64mb"] : BOARDS) {
      const measured: Row[] = [];
      for (const mib of quick ? [1, 4] : [1, 200]) {
        const file = join(work, `mem-${mib}MiB.pdf`);
        if (!existsSync(file)) writeFileSync(file, randomBytes(mib * 1024 * 1024));
        const run = await sendWith("mfp-mail --no-queue", {
          port: rx.ready.port, caFile, file, user: rx.ready.user, pass: rx.ready.pass, to: "desk@example.com", extraArgs: ["--board", board],
        });
        const json = lastJson(run.stdout);
        measured.push({ receiver: rx.ready.name, board, sizeMiB: mib, ok: run.ok, wallMs: Math.round(run.wallMs), cpuMs: run.cpuMs, maxRssKb: run.maxRssKb, coreMemoryBytes: json?.coreMemoryBytes ?? null });
      }
      const [small, big] = measured;
      rows.push(...measured);
      if (small!.maxRssKb && big!.maxRssKb) rows.push({ board, rssGrowthKb: (big!.maxRssKb as number) - (small!.maxRssKb as number) });
    }
  } finally {
    await rx.stop();
  }
  return rows;
}

function codeSize(): Row {
  const wasm = readFileSync(join(repoRoot, "build/core.wasm"));
  return { coreWasmBytes: wasm.length, coreWasmGzipBytes: gzipSync(wasm, { level: 9 }).length };
}

function lastJson(stdout: string): Record<string, unknown> | null {
  try {
    return JSON.parse(stdout.trim().split("\n").pop() ?? "");
  } catch {
    return null;
  }
}

async function section<T>(name: string, fn: () => Promise<T> | T): Promise<T | null> {
  const started = Date.now();
  try {
    const value = await fn();
    results.sections[name] = value;
    return value;
  } catch (err) {
    results.sections[name] = { error: err instanceof Error ? err.message : String(err) };
    return null;
  } finally {
    log(`[bench] ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

let targets: TargetRow[] = [];
try {
  await section("encode", async () => (await import("./encode.js")).runEncodeBench({ quick }));
  await section("encodeAtBoardChunks", async () => (await import("./encode-boards.js")).runBoardEncodeBench({ quick }));
  const e2e = await section("endToEnd", endToEnd);
  const wan = await section("link", link);
  await section("roundTrips", roundTrips);
  await section("startup", startup);
  const mem = await section("memory", memory);
  await section("codeSize", codeSize);
  await section("callgrind", () => callgrindPerMiB({ quick }));
  await section("tlsEngines", async () => (await import("./tls-engines.js")).runTlsEngineBench({ quick }));
  targets = [...sendTargets(e2e ?? []), ...linkTargets(wan ?? []), ...memoryTargets(mem ?? [], "chunking-mta (host/sim/chunking-mta.ts)")];
  results.sections.targets = targets;
} finally {
  rmSync(work, { recursive: true, force: true });
}

printTargets(targets, log);
const outDir = join(repoRoot, "bench");
const jsonFile = quick ? join(outDir, "results.quick.json") : join(outDir, "results.json");
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n");
if (!quick) writeFileSync(join(outDir, "results.md"), renderMarkdown(results));
log(`wrote ${jsonFile}${quick ? "" : " and bench/results.md"}`);
