// Bounded fuzzing of the compiled core (the generator and its checks: test/wasm/fuzz-case.ts).
// Bounded by count, never by wall time: every run does the same cases, from a seed printed at
// the start (MFP_FUZZ_SEED repeats a run, MFP_FUZZ_SEED=<case seed> MFP_FUZZ_CASES=1 one case).
import { test } from "node:test";
import assert from "node:assert/strict";
import { caseSeed, fuzzCase } from "./fuzz-case.js";

const MAX_CASES = Number(process.env.MFP_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.MFP_FUZZ_SEED ?? 0x5eed1234);

test(`fuzz: ${MAX_CASES} cases of random and mutated server streams`, async () => {
  console.log(`fuzz: seed ${SEED} (repeat with MFP_FUZZ_SEED=${SEED})`);
  const reached = new Map<string, number>();
  let cases = 0;
  for (; cases < MAX_CASES; cases++) {
    const seed = caseSeed(SEED, cases);
    try {
      for (const name of await fuzzCase(seed)) reached.set(name, (reached.get(name) ?? 0) + 1);
    } catch (err) {
      throw new Error(`fuzz case failed; reproduce with MFP_FUZZ_SEED=${seed} MFP_FUZZ_CASES=1: ${(err as Error).message}`, { cause: err });
    }
  }
  // the fuzzer must get deep, not only fail at the greeting
  const seen = Object.fromEntries([...reached].sort());
  if (process.env.MFP_FUZZ_VERBOSE) console.log(cases, seen);
  for (const name of ["MessageAccepted", "ReadyForBody", "Authenticated", "NeedTlsUpgrade", "AuthError", "Closed", "state:Failed"]) {
    assert.ok((reached.get(name) ?? 0) > 0, `no case reached ${name}: ${JSON.stringify(seen)}`);
  }
});
