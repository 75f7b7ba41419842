// The streaming base64 encoder against Node's Buffer.toString('base64'): random data of random
// lengths (every length mod 3 and mod 57), fed in random chunk sizes, SIMD and scalar paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { freshWriter, collector } from "./load.js";
import { attachment, baseSpec } from "./spec.js";

/** The body of the single attachment part, as written. */
function partBody(msg: string): string {
  const start = msg.indexOf("Content-Transfer-Encoding: base64\r\n\r\n");
  assert.ok(start > 0);
  const from = start + "Content-Transfer-Encoding: base64\r\n\r\n".length;
  const end = msg.indexOf("\r\n--=_mfp_", from);
  return msg.slice(from, end);
}

for (const scalar of [false, true]) {
  test(`base64 ${scalar ? "scalar" : "SIMD"} path equals Buffer.toString('base64') for random lengths and chunkings`, async () => {
    const w = await freshWriter({ outCap: 2048, inCap: 1024 });
    const lengths = [0, 1, 2, 3, 56, 57, 58, 113, 114, 115, 171, ...Array.from({ length: 60 }, () => randomInt(0, 20_000))];
    for (const len of lengths) {
      const data = randomBytes(len);
      const chunk = [1, 2, 3, 5, 56, 57, 58, 1000, "random"][randomInt(0, 9)] as number | "random";
      const c = collector();
      await w.write(baseSpec({ attachments: [attachment(data, "d.bin", chunk)] }), { scalar }, c.write);
      const body = partBody(c.bytes().toString("latin1"));
      const lines = body.split("\r\n");
      lines.forEach((l, i) => assert.equal(l.length, i < lines.length - 1 ? 76 : l.length, `len ${len}: line ${i}`));
      assert.ok(lines[lines.length - 1]!.length <= 76);
      assert.equal(lines.join(""), Buffer.from(data).toString("base64"), `length ${len}, chunk ${chunk}`);
    }
  });
}

test("encoded size formula matches the writer for every length mod 57", async () => {
  const w = await freshWriter();
  for (let n = 0; n < 300; n++) {
    const data = randomBytes(n);
    const c = collector();
    await w.write(baseSpec({ attachments: [attachment(data, "d.bin", 7)] }), {}, c.write);
    assert.equal(partBody(c.bytes().toString("latin1")).length, w.x.mimeEncodedSize(n, 0), `n=${n}`);
  }
});
