// No host function over 80 lines: a longer one is two concepts (or a table that wants to be data).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { functionLengths, tsFiles } from "./function-length.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const LIMIT = 80;

test(`no function in host/ is longer than ${LIMIT} lines`, () => {
  const all = tsFiles(`${root}host`).flatMap(functionLengths);
  assert.ok(all.length > 500, `only ${all.length} functions measured`);
  const over = all.filter((f) => f.lines > LIMIT).map((f) => `${relative(root, f.file)} ${f.name}: ${f.lines} lines`);
  assert.deepEqual(over, []);
});
