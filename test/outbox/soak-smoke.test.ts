// Smoke test of the power-cut soak (`npm run soak` runs ≥ 10,000 cut points and is not part of
// npm test): a few dozen cut points run to the end and report no lost scan and no duplicate
// outside the window. The device process runs from dist/ (npm run build first; CI builds first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const built = existsSync(join(ROOT, "dist/soak/child.js")) ? false : "dist/soak/child.js missing: run npm run build";

test("soak: 40 seeded cut points — no scan lost, duplicates only in the after-250 window", { skip: built }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfp-soak-smoke-"));
  try {
    const out = join(dir, "results.json");
    const args = ["--import", "tsx", "soak/run.ts", "--cuts", "40", "--lanes", "1", "--out", out, ...(process.env.MFP_TEST_SEED ? ["--seed", process.env.MFP_TEST_SEED] : [])];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
      child.on("close", (c) => (clearTimeout(timer), resolve({ code: c, output })));
    });
    console.log(output.split("\n").filter((l) => l.startsWith("# soak") || l.startsWith("# scans")).join("\n"));
    assert.equal(code, 0, output.slice(-3000));
    const r = JSON.parse(readFileSync(out, "utf8"));
    assert.ok(r.cutPoints >= 40);
    assert.equal(r.lost, 0);
    assert.deepEqual(r.problems, []);
    assert.ok(r.accepted > 0 && r.beforeCommit > 0, "cuts landed both before and after the enqueue's commit");
    assert.ok(r.byKind["server-window"] === undefined || r.duplicatesInWindow >= 1, "a 250 held back until the device died is a duplicate");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
