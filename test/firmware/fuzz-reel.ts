// The fuzzed tapes of the firmware lane: cases of the fuzz test's generator (test/wasm/fuzz-case.ts),
// each recorded as a tape, all of one run in one reel file. Their passwords and tokens are the
// generator's own test values, hostile ones included, so they are taped as they are.
import { rmSync } from "node:fs";
import { Core } from "../../host/core/core.js";
import { FileTape } from "../../host/tape/recorder.js";
import { caseSeed, fuzzCase } from "../wasm/fuzz-case.js";

export async function recordFuzzReel(path: string, seed: number, count: number): Promise<void> {
  rmSync(path, { force: true });
  const reel = new FileTape(path);
  for (let i = 0; i < count; i++) {
    const s = caseSeed(seed, i);
    const tape = { target: reel, origin: `fuzz seed=${s}`, substituteSecrets: false };
    try {
      await fuzzCase(s, (sizes) => Core.create(sizes, { tape }));
    } catch (err) {
      throw new Error(`fuzz case failed while recording; reproduce with MFP_FUZZ_SEED=${s} MFP_FUZZ_CASES=1 npm test -- fuzz: ${(err as Error).message}`, { cause: err });
    }
  }
  reel.flush();
}
