// A core built with --disable simd (for device runtimes without WebAssembly SIMD) has no v128
// instruction at all and its writer — scalar base64, scalar boundary scan — produces the same
// bytes as the SIMD build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { simpleParser } from "mailparser";
import { freshWriter, collector } from "./load.js";
import { attachment, baseSpec } from "./spec.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("a --disable simd build writes the same messages as the SIMD build", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfp-nosimd-"));
  try {
    const asc = join(root, "node_modules", ".bin", "asc");
    const r = spawnSync(asc, ["assembly/index.ts", "--target", "release", "--disable", "simd",
      "--outFile", join(dir, "core.wasm"), "--textFile", join(dir, "core.wat")], { cwd: root, encoding: "utf8", timeout: 110_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(readFileSync(join(dir, "core.wat"), "utf8"), /v128|i8x16|i32x4/);
    const plain = await freshWriter({ wasmPath: join(dir, "core.wasm") });
    const simd = await freshWriter();
    for (let k = 0; k < 20; k++) {
      const data = randomBytes(randomInt(0, 50_000));
      const spec = baseSpec({ attachments: [attachment(data, "p.pdf", "random")] });
      for (const binary of [false, true]) {
        const a = collector();
        const b = collector();
        await plain.write(spec, { binary, boundaryRandom: "SameBoundaryForBoth0123" }, a.write);
        await simd.write(spec, { binary, boundaryRandom: "SameBoundaryForBoth0123" }, b.write);
        assert.ok(a.bytes().equals(b.bytes()), `length ${data.length}, binary ${binary}`);
        const m = await simpleParser(a.bytes());
        assert.equal(createHash("sha256").update(m.attachments[0]!.content).digest("hex"),
          createHash("sha256").update(data).digest("hex"));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
