// The firmware conformance lane (docs/firmware.md): every session tape the suites recorded
// (MFP_TAPE_DIR) and ≥ 10,000 freshly fuzzed tapes, replayed through four engines — V8 with the
// SIMD build (the reference), V8 with the no-SIMD build, wasm2c on x86-64, wasm2c on ARMv7
// under qemu-arm — and compared with what each tape recorded: 0 divergences. An engine whose
// tools are missing is skipped with the reason. Run by test/run-all.mjs after the host suites
// (so their tapes exist) and by `npm run test:firmware` (scripts/firmware-lane.mjs).
//   MFP_FIRMWARE_FUZZ=n      fuzzed tapes (default 10000)   MFP_FIRMWARE_SEED=n   replay a run
//   MFP_FIRMWARE_FOOTPRINT=write   measure the footprint table and write it into docs/firmware.md
//   MFP_FIRMWARE_KEEP_TAPES=1      keep the tapes after a passing run (they go by default: a run
//                                  leaves only tapes that diverged, or every tape when one did)
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { records, readHeader, Tag } from "../../host/tape/format.js";
import { ENGINES, replayInV8, replayNative, type EngineResult } from "./engines.js";
import { recordFuzzReel } from "./fuzz-reel.js";
import { build, missingFor, root } from "./toolchain.js";
import { measureFootprint, writeFootprint } from "./footprint.js";

const tapeDir = process.env.MFP_TAPE_DIR ?? join(root, "test", "artifacts", "tapes");
const work = join(root, "test", "artifacts", "firmware");
const FUZZ = Number(process.env.MFP_FIRMWARE_FUZZ ?? 10_000);
const SEED = process.env.MFP_FIRMWARE_SEED !== undefined ? Number(process.env.MFP_FIRMWARE_SEED) >>> 0 : randomInt(2 ** 32);
const MAX_DIVERGENCES_SHOWN = 20;

mkdirSync(work, { recursive: true });
// one reel a run: the reels of earlier runs go (a seed replays its reel exactly)
for (const f of readdirSync(work)) if (/^fuzz-[0-9a-f]{8}\.tapes$/.test(f)) rmSync(join(work, f));
const reel = join(work, `fuzz-${SEED.toString(16).padStart(8, "0")}.tapes`);
let files: string[] = [];
const results: EngineResult[] = [];

/** Where a file's first tape came from (its header), for the per-origin count. */
function originOf(file: string): string {
  const buf = readFileSync(file);
  for (const r of records(buf)) if (r.tag === Tag.Header) return readHeader(buf, r).origin;
  return "(no header)";
}

function report(r: EngineResult): void {
  results.push(r);
  console.log(`${r.engine}: ${r.tapes} tapes, ${r.calls} calls, ${r.divergences.length} divergences (${r.seconds.toFixed(1)} s)`);
  for (const d of r.divergences.slice(0, MAX_DIVERGENCES_SHOWN)) console.log(`  ${d}`);
  assert.equal(r.divergences.length, 0, `${r.engine}: ${r.divergences.length} tapes diverge; first: ${r.divergences[0]}`);
}

test(`firmware lane: tapes from the suites and ${FUZZ} fuzzed (seed ${SEED})`, async () => {
  const suite = existsSync(tapeDir) ? readdirSync(tapeDir).filter((f) => f.endsWith(".tape")).sort().map((f) => join(tapeDir, f)) : [];
  const origins = new Map<string, number>();
  for (const f of suite) origins.set(originOf(f), (origins.get(originOf(f)) ?? 0) + 1);
  console.log(`firmware lane: ${suite.length} tapes recorded by the suites in ${tapeDir}`);
  for (const [o, n] of [...origins].sort()) console.log(`  ${String(n).padStart(6)}  ${o}`);
  console.log(`firmware lane: recording ${FUZZ} fuzzed tapes, seed ${SEED} (MFP_FIRMWARE_SEED=${SEED} replays this run)`);
  await recordFuzzReel(reel, SEED, FUZZ);
  files = [...suite, reel];
  if (!process.env.MFP_FIRMWARE_FUZZ) assert.ok(FUZZ >= 10_000);
});

test(ENGINES.v8Simd, async () => {
  report(await replayInV8(files, true));
});

test(ENGINES.v8NoSimd, async () => {
  report(await replayInV8(files, false));
});

for (const engine of ["x86_64", "armv7"] as const) {
  const missing = missingFor(engine);
  test(ENGINES[engine], { skip: missing ?? false }, () => {
    const err = build(engine);
    assert.equal(err, null, err ?? "");
    report(replayNative(engine, files, join(work, `tapes-${engine}.list`)));
  });
}

test("firmware lane: every engine agrees with the reference", () => {
  const ran = results.map((r) => r.engine);
  console.log(`firmware lane: ${ran.length} engines (${ran.join("; ")}), ${results[0]?.tapes ?? 0} tapes, ` +
    `${results.reduce((a, r) => a + r.divergences.length, 0)} divergences, seed ${SEED}`);
  const live = results[0]?.liveDiffers ?? 0;
  if (live) console.log(`firmware lane: ${live} tapes note that the live run differed from the run with test secrets (their outputs are the latter's)`);
  assert.ok(results.length >= 2, "the V8 engines did not run");
  for (const r of results) assert.equal(r.tapes, results[0]!.tapes, `${r.engine} replayed ${r.tapes} tapes, the reference ${results[0]!.tapes}`);
});

/** Bytes of the files in a directory (not recursive: tapes are flat). */
function bytesIn(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0) : 0;
}

// A passing run proves the equivalence; its tapes (hundreds of MB after npm test, a 20 MiB scan
// alone is ~50 MB on tape) prove nothing more on disk. A diverging run keeps them all for
// replay-one.mjs and the native replayers; the seed re-creates the fuzz reel exactly.
test("firmware lane: a passing run leaves no tapes behind", { skip: process.env.MFP_FIRMWARE_KEEP_TAPES === "1" ? "MFP_FIRMWARE_KEEP_TAPES=1" : false }, () => {
  const clean = results.length >= 2 && results.every((r) => r.divergences.length === 0 && r.tapes === results[0]!.tapes);
  const bytes = bytesIn(tapeDir) + (existsSync(reel) ? statSync(reel).size : 0);
  if (!clean) {
    console.log(`firmware lane: tapes kept for replay (${(bytes / 1e6).toFixed(1)} MB): ${tapeDir}, ${reel}`);
    return;
  }
  rmSync(tapeDir, { recursive: true, force: true });
  rmSync(reel, { force: true });
  for (const f of readdirSync(work)) if (f.endsWith(".list")) rmSync(join(work, f), { force: true });
  console.log(`firmware lane: ${(bytes / 1e6).toFixed(1)} MB of passed tapes removed (MFP_FIRMWARE_KEEP_TAPES=1 keeps them)`);
  assert.equal(bytesIn(tapeDir), 0);
});

if (process.env.MFP_FIRMWARE_FOOTPRINT === "write") {
  test("footprint table in docs/firmware.md", { skip: missingFor("armv7") ?? false }, async () => {
    assert.equal(build("sizes"), null);
    const table = await measureFootprint(work, (s) => console.log(s));
    writeFootprint(table);
    console.log(table);
  });
}
