// Seeded randomness for the soak and the outbox tests: the same seed gives the same choices and
// the same scan bytes in every process, so a failing run can be repeated exactly.
import { createCipheriv, createHash } from "node:crypto";

/** Seeded [0, 1) numbers (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` pseudo-random bytes named by `key` (AES-CTR keystream). */
export function seededBytes(key: string, size: number): Buffer {
  const k = createHash("sha256").update(key).digest().subarray(0, 16);
  const c = createCipheriv("aes-128-ctr", k, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(size)), c.final()]);
}

/** The run's seed: MFP_TEST_SEED when set, else from the clock and pid. */
export function runSeed(): number {
  const env = process.env.MFP_TEST_SEED;
  return env !== undefined && env !== "" ? Number(env) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
}
