// The writer's output parsed by mailparser: attachment bytes (SHA-256) equal the input in base64
// and binary modes, for chunk sizes 1, 3, 57, 4096, 65536 and random, with a roomy and a tiny
// output buffer (back-pressure on every step); the dry-run size equals the bytes written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { freshWriter, collector } from "./load.js";
import { attachment, baseSpec } from "./spec.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

for (const binary of [false, true]) {
  for (const chunk of [1, 3, 57, 4096, 65536, "random"] as const) {
    test(`${binary ? "binary" : "base64"} attachment, chunks of ${chunk}: mailparser gets the same bytes`, async () => {
      const small = chunk === 1 || chunk === 3;
      const a = randomBytes(small ? 20_011 : 300_007);
      const b = randomBytes(small ? 5 : 70_001);
      const w = await freshWriter(chunk === 57 ? { outCap: 1024, inCap: 512 } : {});
      const spec = baseSpec({
        attachments: [attachment(a, "page-1.pdf", chunk), attachment(b, "page-2.tiff", chunk, "image/tiff")],
      });
      const size = await w.size(spec, { binary });
      const c = collector();
      const written = await w.write(spec, { binary }, c.write);
      const out = c.bytes();
      assert.equal(written, out.length);
      assert.equal(size, out.length, "dry-run size equals the bytes written");
      const head = out.subarray(0, 2000).toString("latin1");
      assert.match(head, binary ? /Content-Transfer-Encoding: binary/ : /Content-Transfer-Encoding: base64/);
      const m = await simpleParser(out);
      assert.equal(m.attachments.length, 2);
      assert.equal(m.attachments[0]!.filename, "page-1.pdf");
      assert.equal(m.attachments[0]!.contentType, "application/pdf");
      assert.equal(sha(m.attachments[0]!.content), sha(a));
      assert.equal(m.attachments[1]!.contentType, "image/tiff");
      assert.equal(sha(m.attachments[1]!.content), sha(b));
      assert.equal(m.text, "Scanned document attached.\n");
    });
  }
}

test("base64 mode never emits a bare CR or LF and keeps every line ≤ 78", async () => {
  const w = await freshWriter({ outCap: 1024 });
  const spec = baseSpec({ attachments: [attachment(randomBytes(123_457), "x.pdf", "random")] });
  const c = collector();
  await w.write(spec, {}, c.write);
  const s = c.bytes().toString("latin1");
  assert.doesNotMatch(s, /\r(?!\n)|(?<!\r)\n/);
  for (const line of s.split("\r\n")) assert.ok(line.length <= 78, `line of ${line.length}: ${line.slice(0, 40)}`);
});

test("a step refused for back-pressure is resumed exactly (tiny out buffer, many recipients)", async () => {
  const w = await freshWriter({ outCap: 1024, inCap: 256 });
  const to = Array.from({ length: 60 }, (_, i) => ({ name: `Empfänger ${i}`, address: `user${i}@example.com` }));
  const data = randomBytes(50_000);
  const spec = baseSpec({ to, attachments: [attachment(data, "s.pdf", 999)] });
  const size = await w.size(spec);
  const c = collector();
  await w.write(spec, {}, c.write);
  assert.equal(c.bytes().length, size);
  const m = await simpleParser(c.bytes());
  const addrs = (Array.isArray(m.to) ? m.to : [m.to!]).flatMap((t) => t.value);
  assert.equal(addrs.length, 60);
  assert.equal(addrs[59]!.name, "Empfänger 59");
  assert.equal(addrs[59]!.address, "user59@example.com");
  assert.equal(sha(m.attachments[0]!.content), sha(data));
});

test("an empty attachment and a message with no attachments", async () => {
  const w = await freshWriter();
  for (const attachments of [[attachment(new Uint8Array(0), "empty.pdf")], []]) {
    const spec = baseSpec({ attachments });
    const c = collector();
    await w.write(spec, {}, c.write);
    assert.equal(await w.size(spec), c.bytes().length);
    const m = await simpleParser(c.bytes());
    assert.equal(m.text, "Scanned document attached.\n");
    assert.equal(m.attachments.length, attachments.length);
  }
});
