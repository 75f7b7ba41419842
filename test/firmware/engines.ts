// The four engines of the firmware lane, each replaying the same tape files: V8 with the SIMD
// build (the reference), V8 with the no-SIMD build, and the no-SIMD build through wasm2c on
// x86-64 and on ARMv7 under qemu-arm. A divergence is one line naming the tape and the call.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { coreWasmPath, instantiateCore, loadCoreModule } from "../../host/core/core.js";
import { replayFile } from "../../host/tape/replay.js";
import type { RawCore } from "../../host/tape/core-calls.js";
import { replayCommand } from "./toolchain.js";

export interface EngineResult {
  engine: string;
  tapes: number;
  calls: number;
  divergences: string[];
  /** tapes whose recording left a note that the live run and the taped one differed */
  liveDiffers: number;
  seconds: number;
}

export const ENGINES = {
  v8Simd: "V8, SIMD build (reference)",
  v8NoSimd: "V8, no-SIMD build",
  x86_64: "wasm2c x86-64 (native)",
  armv7: "wasm2c ARMv7 hard-float (qemu-arm)",
} as const;

export async function replayInV8(files: string[], simd: boolean): Promise<EngineResult> {
  const t0 = performance.now();
  const module = await loadCoreModule(coreWasmPath(simd));
  const instance = () => instantiateCore(module) as unknown as RawCore;
  const res: EngineResult = { engine: simd ? ENGINES.v8Simd : ENGINES.v8NoSimd, tapes: 0, calls: 0, divergences: [], liveDiffers: 0, seconds: 0 };
  for (const file of files) {
    let replays;
    try {
      replays = replayFile(readFileSync(file), instance);
    } catch (e) {
      res.divergences.push(`DIVERGE ${file}: unreadable tape: ${(e as Error).message}`);
      continue;
    }
    replays.forEach((r, i) => {
      res.tapes++;
      res.calls += r.calls;
      if (r.notes.some((n) => n.startsWith("the live run"))) res.liveDiffers++;
      const d = r.divergence;
      if (d) res.divergences.push(`DIVERGE ${file}#${i} call ${d.call} ${d.op}: expected ${d.expected} got ${d.got}`);
    });
  }
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

/** Replay through a wasm2c replayer; `list` is a file of tape paths, one a line. */
export function replayNative(engine: "x86_64" | "armv7", files: string[], list: string): EngineResult {
  const t0 = performance.now();
  writeFileSync(list, files.join("\n") + "\n");
  const [cmd, args] = replayCommand(engine, ["-l", list]);
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 30 * 60_000 });
  const lines = (r.stdout ?? "").split("\n");
  const summary = lines.map((l) => /^wasm2c [^:]+: (\d+) tapes, (\d+) calls, (\d+) divergences$/.exec(l)).find(Boolean);
  const divergences = lines.filter((l) => l.startsWith("DIVERGE"));
  if (!summary) divergences.push(`DIVERGE (no summary from ${cmd}; exit ${r.status}, signal ${r.signal}): ${(r.stderr ?? "").slice(-500)}`);
  return {
    engine: ENGINES[engine], tapes: Number(summary?.[1] ?? 0), calls: Number(summary?.[2] ?? 0),
    divergences, liveDiffers: 0, seconds: (performance.now() - t0) / 1000,
  };
}
