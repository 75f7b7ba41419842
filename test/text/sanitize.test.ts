// The one sanitiser for server-supplied text: terminal escape sequences, C0 (but TAB), DEL and C1
// controls never reach a terminal, the panel or the log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanServerText, cleanStrings, isCleanText } from "../../host/text/sanitize.js";

test("escape sequences lose their ESC/BEL/CSI bytes and cannot act", () => {
  const hostile = "550 5.1.1 \u001b]0;pwned\u0007title \u001b[2J\u001b[1;31mred\u001b[0m \u009b2J c1 \u0090dcs\u009c del\u007f nul\u0000";
  const clean = cleanServerText(hostile);
  assert.equal(clean, "550 5.1.1 ]0;pwnedtitle [2J[1;31mred[0m 2J c1 dcs del nul");
  assert.ok(isCleanText(clean));
});

test("TAB and every printable character stay; line breaks become spaces", () => {
  assert.equal(cleanServerText("a\tb Grüße ✓ 日本"), "a\tb Grüße ✓ 日本");
  assert.equal(cleanServerText("line one\r\nline two\nthree\rfour"), "line one line two three four");
});

test("every control code point: only TAB survives", () => {
  for (let c = 0; c <= 0xa0; c++) {
    const ch = String.fromCharCode(c);
    const kept = cleanServerText(`x${ch}y`);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    if (c === 9) assert.equal(kept, "x\ty");
    else if (c === 10 || c === 13) assert.equal(kept, "x y");
    else assert.equal(kept, control ? "xy" : `x${ch}y`, `U+${c.toString(16)}`);
  }
});

test("cleanStrings cleans every string of a JSON value (JSON.stringify leaves C1 raw)", () => {
  const v = cleanStrings({ a: "x\u009by", b: [1, "p\u001bq", { c: "ok" }], d: null });
  assert.deepEqual(v, { a: "xy", b: [1, "pq", { c: "ok" }], d: null });
  assert.ok(!JSON.stringify(v).includes("\u009b"));
});
