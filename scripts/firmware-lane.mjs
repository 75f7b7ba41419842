// `npm run test:firmware`: the firmware conformance lane on its own (docs/firmware.md).
//  1. record session tapes from the real suites (smtp-server, Postfix, the Exchange-Online-like
//     fixture, hostile servers, MIME round trips, a 20 MiB scan) into test/artifacts/tapes;
//  2. test/firmware/lane.firmware.ts: ≥ 10,000 fuzzed tapes more, every tape through V8 (SIMD
//     build, no-SIMD build), wasm2c x86-64 and wasm2c ARMv7 under qemu-arm, 0 divergences;
//  3. the footprint table measured and written into docs/firmware.md.
// Engines whose tools are missing are skipped with the reason (.ci/setup.d/50-firmware.sh).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const RECORDING_SUITES = ["test/wasm", "test/session", "test/m365", "test/mime", "test/sim", "test/firmware"];

for (const f of ["build/core.wasm", "build/core.nosimd.wasm", "dist/host/core/core.js"]) {
  if (!existsSync(f)) {
    console.error(`test:firmware: ${f} is missing; run npm run build first`);
    process.exit(2);
  }
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "artifacts" || e.name === "fixtures" ? [] : testFiles(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}

function run(args, env) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("close", (code) => done(code ?? 1));
  });
}

const tapes = resolve("test", "artifacts", "tapes");
rmSync(tapes, { recursive: true, force: true });
const outbox = mkdtempSync(join(tmpdir(), "mfp-firmware-outbox-"));
process.on("exit", () => rmSync(outbox, { recursive: true, force: true }));
const env = { MFP_TAPE_DIR: tapes, MFP_OUTBOX_DIR: join(outbox, "outbox") };

console.log(`== recording session tapes: ${RECORDING_SUITES.join(", ")}`);
const suites = RECORDING_SUITES.flatMap(testFiles).sort();
const recorded = await run(["--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=180000", "--test-reporter=dot", ...suites], env);
if (recorded !== 0) console.error("test:firmware: a recording suite failed (its tapes are replayed anyway)");

console.log("== firmware lane");
const lane = await run(["--import", "tsx", "--test", "--test-timeout=3600000", "--test-reporter=spec", "test/firmware/lane.firmware.ts"],
  { ...env, MFP_FIRMWARE_FOOTPRINT: "write" });
process.exit(recorded !== 0 || lane !== 0 ? 1 : 0);
