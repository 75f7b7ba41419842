// The board's reply caps and DSN switch: set on every shipped board, validated by the schema and
// the cross-field rules, and refused with the field's path when wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boardNames, boardProblems, resolveBoard } from "../../host/config/board.js";

test("every shipped board caps replies at 1000 lines / 64 KiB and asks for DSN", () => {
  for (const n of boardNames()) {
    const b = resolveBoard(n);
    assert.deepEqual([b.smtp.replyMaxLines, b.smtp.replyMaxBytes, b.smtp.dsn], [1000, 65536, true], n);
  }
});

test("bad caps and DSN values are refused with the field's path", () => {
  const base = structuredClone(resolveBoard("arm-64mb")) as unknown as Record<string, any>;
  const bad = (smtp: Record<string, unknown>) => boardProblems({ ...base, smtp: { ...base.smtp, ...smtp } });
  assert.deepEqual(bad({ replyMaxLines: 0 }).map((p) => p.path), ["$.smtp.replyMaxLines"]);
  assert.deepEqual(bad({ replyMaxBytes: 100 }).map((p) => p.path), ["$.smtp.replyMaxBytes"]);
  assert.deepEqual(bad({ dsn: "yes" }).map((p) => p.path), ["$.smtp.dsn"]);
  // a cap below one reply line of the board's own lineMax (1024) contradicts it
  const small = bad({ replyMaxBytes: 600 });
  assert.equal(small[0]?.path, "$.smtp.replyMaxBytes");
  assert.match(small[0]!.why, /smaller than one reply line/);
  assert.deepEqual(bad({ replyMaxLines: 5000, replyMaxBytes: 1 << 20, dsn: false }), []);
});
