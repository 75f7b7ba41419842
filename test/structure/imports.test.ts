// The import graph of host/ and assembly/ against the rules in .dependency-cruiser.cjs (no
// circles, the layering of host/, assembly/ importing nothing outside itself). A violation
// names the rule and the import that breaks it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("import graph: no circles, layering rules of .dependency-cruiser.cjs hold", () => {
  const bin = fileURLToPath(new URL("../../node_modules/dependency-cruiser/bin/dependency-cruise.mjs", import.meta.url));
  const r = spawnSync(process.execPath, [bin, "--config", ".dependency-cruiser.cjs", "--output-type", "json", "host", "assembly"],
    { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.error, undefined, String(r.error));
  const out = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
  // The graph must be the real one, not an empty cruise (a parser that read nothing passes every rule).
  assert.ok(out.summary.totalCruised > 100, `only ${out.summary.totalCruised} modules cruised`);
  const lines = out.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  assert.deepEqual(lines, []);
});
