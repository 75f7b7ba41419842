// Smoke test of the benchmark: `npm run bench -- --quick` runs to the end on loopback
// and writes bench/results.quick.json with every section, and mfp-mail's rows are real results.
// It checks no speed or size target (those live in bench/, not in timed tests). mfp-mail runs
// from dist/ in the bench, so this needs `npm run build` first (CI builds before testing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OUT = fileURLToPath(new URL("../../bench/results.quick.json", import.meta.url));
const TIMEOUT_MS = 5 * 60_000;

function runQuickBench(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "bench", "--", "--quick"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

type Row = Record<string, unknown>;

test("npm run bench -- --quick writes valid JSON with every section and real mfp-mail rows", { timeout: TIMEOUT_MS + 30_000 }, async () => {
  const started = Date.now();
  const { code, output } = await runQuickBench();
  assert.equal(code, 0, `bench exited with ${code}:\n${output.slice(-2000)}`);
  assert.ok(statSync(OUT).mtimeMs >= started - 1000, "results.quick.json was not rewritten by this run");
  const r = JSON.parse(readFileSync(OUT, "utf8")) as { quick: boolean; sections: Record<string, unknown> };
  assert.equal(r.quick, true);
  for (const name of ["encode", "encodeAtBoardChunks", "endToEnd", "link", "roundTrips", "startup", "memory", "codeSize", "callgrind", "tlsEngines", "targets"]) {
    assert.ok(name in r.sections, `section ${name} missing`);
  }
  for (const name of ["encodeAtBoardChunks", "endToEnd", "roundTrips", "startup", "memory", "codeSize"]) {
    const s = r.sections[name] as Row;
    assert.ok(!("error" in s && !Array.isArray(s)), `section ${name} failed: ${JSON.stringify(s)}`);
  }

  // Every figure names its receiver; mfp-mail's rows are real, interleaved results.
  const e2e = r.sections.endToEnd as { receiver: string; peers: Row[] }[];
  assert.ok(e2e.length >= 1 && e2e.every((x) => typeof x.receiver === "string" && x.receiver.length > 0));
  const mfp = e2e[0]!.peers.find((x) => x.peer === "mfp-mail");
  assert.ok(mfp, "no mfp-mail end-to-end row");
  assert.equal(mfp.error, undefined, `mfp-mail end-to-end failed: ${mfp.error}`);
  const wall = mfp.wallMs as { min: number; median: number; max: number };
  assert.ok(wall.median > 0 && wall.min <= wall.median && wall.median <= wall.max);
  assert.ok(typeof mfp.cpuMs === "object", "the client's CPU time is reported");
  // At least the scan itself crossed the link model (1 MiB, sent as binary or base64).
  assert.ok(typeof mfp.wireBytes === "number" && mfp.wireBytes >= 1024 * 1024, `wire bytes ${mfp.wireBytes}`);
  const boards = r.sections.encodeAtBoardChunks as Row[];
  assert.ok(boards.some((b) => b.board === "arm-64mb" && b.chunkBytes === 16384), "encode baseline at arm-64mb's chunk size");

  const rt = (r.sections.roundTrips as Row[]).find((x) => x.peer === "mfp-mail");
  assert.ok(rt && rt.error === undefined, `mfp-mail round trips failed: ${rt?.error}`);
  assert.ok(typeof rt.roundTrips === "number" && rt.roundTrips > 0);

  const mem = (r.sections.memory as Row[]).filter((x) => "sizeMiB" in x);
  assert.ok(mem.length >= 2);
  for (const m of mem) {
    assert.equal(m.ok, true, `memory run of ${m.sizeMiB} MiB failed`);
    assert.ok(typeof m.coreMemoryBytes === "number" && m.coreMemoryBytes > 0, "--json has no coreMemoryBytes");
  }

  const size = r.sections.codeSize as Row;
  assert.ok(typeof size.coreWasmBytes === "number" && size.coreWasmBytes > 0);
  assert.ok(typeof size.coreWasmGzipBytes === "number" && size.coreWasmGzipBytes < (size.coreWasmBytes as number));
});
