// Instructions per MiB of the encode path under valgrind's callgrind: a count, not a time, so it
// repeats across noisy runs. Runs the encode driver twice (0 MiB and N MiB) and divides the
// difference by N, which cancels Node's start-up.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hasCommand, repoRoot } from "./peers.js";

function instructions(mib: number, mode: string): number | null {
  const driver = fileURLToPath(new URL("./encode-driver.ts", import.meta.url));
  const r = spawnSync("valgrind", [
    "--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, "--import", "tsx", driver, String(mib), mode,
  ], { cwd: repoRoot, encoding: "utf8", timeout: 600_000 });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) : null;
}

export function callgrindPerMiB({ quick }: { quick: boolean }): Record<string, unknown> {
  if (quick) return { skipped: "not in --quick (valgrind runs take minutes)" };
  if (!hasCommand("valgrind")) return { error: "valgrind not installed" };
  const mib = 8;
  const out: Record<string, unknown> = { mib };
  for (const mode of ["base64", "binary"]) {
    const base = instructions(0, mode);
    const full = instructions(mib, mode);
    out[`${mode}InstructionsPerMiB`] = base !== null && full !== null ? Math.round((full - base) / mib) : null;
  }
  return out;
}
