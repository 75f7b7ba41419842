// Replay tape files in V8 from the built host (dist/, npm run build) and print one summary line.
// Plain JavaScript so that callgrind measures the replay, not a TypeScript loader (the
// footprint's V8 instruction counts, test/firmware/footprint.ts); also a quick check by hand:
//   node test/firmware/replay-one.mjs simd|nosimd FILE...
import { readFileSync } from "node:fs";
import { coreWasmPath, instantiateCore, loadCoreModule } from "../../dist/host/core/core.js";
import { replayFile } from "../../dist/host/tape/replay.js";

const [build, ...files] = process.argv.slice(2);
if ((build !== "simd" && build !== "nosimd") || files.length === 0) {
  process.stderr.write("usage: replay-one.mjs simd|nosimd FILE...\n");
  process.exit(2);
}
const module = await loadCoreModule(coreWasmPath(build === "simd"));
let tapes = 0;
let diverged = 0;
for (const file of files) {
  for (const r of replayFile(readFileSync(file), () => instantiateCore(module))) {
    tapes++;
    if (r.divergence) diverged++;
  }
}
process.stdout.write(`V8 ${build}: ${tapes} tapes, ${diverged} divergences\n`);
process.exit(diverged ? 1 : 0);
