// Instructions per MiB of the encode path under valgrind's callgrind: a count, not a time, so it
// repeats across noisy runs. Runs the encode driver twice (0 MiB and N MiB) and divides the
// difference by N, which cancels Node's start-up.
// Repeatability: V8 decides when to tier wasm and JS up by wall time, which valgrind slows ~50×,
// so the driver runs with --single-threaded (no background compile or GC threads),
// --no-liftoff and --no-wasm-tier-up (the wasm is compiled once, by TurboFan), from the compiled
// dist/bench/encode-driver.js when it exists (no tsx transpiling inside the measurement).
// Measured: two runs of the same build differ by ~3 % (bench/results.json, docs/bench.md).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasCommand, repoRoot } from "./peers.js";

const V8_FLAGS = ["--single-threaded", "--no-liftoff", "--no-wasm-tier-up"];

function driverArgs(): string[] {
  const built = join(repoRoot, "dist/bench/encode-driver.js");
  if (existsSync(built)) return [built];
  return ["--import", "tsx", fileURLToPath(new URL("./encode-driver.ts", import.meta.url))];
}

function instructions(mib: number, mode: string): number | null {
  const r = spawnSync("valgrind", [
    "--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...V8_FLAGS, ...driverArgs(), String(mib), mode,
  ], { cwd: repoRoot, encoding: "utf8", timeout: 600_000 });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) : null;
}

export function callgrindPerMiB({ quick }: { quick: boolean }): Record<string, unknown> {
  if (quick) return { skipped: "not in --quick (valgrind runs take minutes)" };
  if (!hasCommand("valgrind")) return { error: "valgrind not installed" };
  const mib = 8;
  const out: Record<string, unknown> = { mib, v8Flags: V8_FLAGS.join(" "), driver: driverArgs().at(-1)!.replace(repoRoot, "") };
  for (const mode of ["base64", "binary"]) {
    const base = instructions(0, mode);
    const full = instructions(mib, mode);
    out[`${mode}InstructionsPerMiB`] = base !== null && full !== null ? Math.round((full - base) / mib) : null;
  }
  return out;
}
