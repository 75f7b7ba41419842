// Bounded fuzzing of the compiled core (the generator and its checks: test/wasm/fuzz-case.ts).
// Bounded by count and by time (whichever ends first); the seed is printed on failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { caseSeed, fuzzCase } from "./fuzz-case.js";

const MAX_CASES = Number(process.env.MFP_FUZZ_CASES ?? 3000);
const MAX_MS = Number(process.env.MFP_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.MFP_FUZZ_SEED ?? 0x5eed1234);

test(`fuzz: ${MAX_CASES} cases or ${MAX_MS} ms of random and mutated server streams`, async () => {
  const t0 = Date.now();
  const reached = new Map<string, number>();
  let cases = 0;
  for (; cases < MAX_CASES && Date.now() - t0 < MAX_MS; cases++) {
    const seed = caseSeed(SEED, cases);
    try {
      for (const name of await fuzzCase(seed)) reached.set(name, (reached.get(name) ?? 0) + 1);
    } catch (err) {
      throw new Error(`fuzz case failed; reproduce with MFP_FUZZ_SEED=${seed} MFP_FUZZ_CASES=1: ${(err as Error).message}`, { cause: err });
    }
  }
  assert.ok(cases >= 100, `only ${cases} cases ran`);
  // the fuzzer must get deep, not only fail at the greeting
  const seen = Object.fromEntries([...reached].sort());
  if (process.env.MFP_FUZZ_VERBOSE) console.log(cases, seen);
  for (const name of ["MessageAccepted", "ReadyForBody", "Authenticated", "NeedTlsUpgrade", "AuthError", "Closed", "state:Failed"]) {
    assert.ok((reached.get(name) ?? 0) > 0, `no case reached ${name}: ${JSON.stringify(seen)}`);
  }
});
