// Split plans: each planned message, written for real, has exactly the planned size, stays within
// the limit, carries "(Scan i of n)" and its slice of the scan; the slices rebuild the scan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { simpleParser } from "mailparser";
import { freshWriter, collector } from "./load.js";
import { attachment, baseSpec } from "./spec.js";
import { MimeError } from "../../host/core/mime.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

for (const binary of [false, true]) {
  for (const byPages of [true, false]) {
    test(`split ${binary ? "binary" : "base64"} scan ${byPages ? "on page boundaries" : "by byte ranges"}`, async () => {
      const w = await freshWriter();
      const pages: number[] = [];
      let total = 0;
      for (let i = 0; i < 23; i++) { total += randomInt(5_000, 40_000); pages.push(total); }
      const scan = randomBytes(total);
      const a = { ...attachment(scan, "scan.pdf", "random"), pageEnds: byPages ? pages : undefined };
      const spec = baseSpec({ subject: "Scan", attachments: [a] });
      const maxSize = 150_000;
      const plan = await w.splitPlan(spec, maxSize, { binary });
      assert.ok(plan.total > maxSize);
      assert.ok(plan.messages.length >= Math.ceil(plan.total / maxSize));
      const parts: Buffer[] = [];
      for (const msg of plan.messages) {
        assert.ok(msg.size <= maxSize, `message ${msg.index} planned at ${msg.size}`);
        if (byPages) assert.ok(pages.includes(msg.end), "cut on a page boundary");
        const c = collector();
        await w.write(w.part(spec, msg.index, msg.of, msg.start, msg.end), { binary }, c.write);
        assert.equal(c.bytes().length, msg.size, "planned size is exact");
        const m = await simpleParser(c.bytes());
        assert.equal(m.subject, `Scan (Scan ${msg.index} of ${plan.messages.length})`);
        assert.equal(m.attachments[0]!.filename, `scan-${msg.index}of${msg.of}.pdf`);
        parts.push(m.attachments[0]!.content);
      }
      assert.equal(sha(Buffer.concat(parts)), sha(scan));
      if (!byPages) {
        // byte ranges use the room fully: one more line of input would not have fitted
        const first = plan.messages[0]!;
        assert.ok(first.size > maxSize - 200, `first message ${first.size} leaves room`);
      }
    });
  }
}

test("a scan that fits is one message; a page bigger than the limit is refused", async () => {
  const w = await freshWriter();
  const small = baseSpec({ attachments: [{ ...attachment(randomBytes(10_000), "s.pdf"), pageEnds: [5_000, 10_000] }] });
  const plan = await w.splitPlan(small, 1_000_000);
  assert.equal(plan.messages.length, 1);
  assert.equal(plan.messages[0]!.size, plan.total);
  const big = baseSpec({ attachments: [{ ...attachment(randomBytes(300_000), "b.pdf"), pageEnds: [10_000, 290_000, 300_000] }] });
  await assert.rejects(w.splitPlan(big, 100_000), (e: unknown) => e instanceof MimeError && e.code === "MIME_PAGE_TOO_BIG");
});

test("SIZE arithmetic: 35 MB Exchange limit and base64 inflation", async () => {
  const w = await freshWriter();
  const cap = w.x.mimeMaxPartBytes(35_000_000, 1_000, 0);
  assert.ok(w.x.mimeEncodedSize(cap, 0) <= 35_000_000 - 1_000);
  assert.ok(w.x.mimeEncodedSize(cap + 1, 0) > 35_000_000 - 1_000);
  assert.equal(w.x.mimeMaxPartBytes(35_000_000, 1_000, 1), 35_000_000 - 1_000);
  assert.equal(w.x.mimeEncodedSize(200 * 1024 * 1024, 1), 200 * 1024 * 1024);
});
