// Header encodings read back by mailparser: RFC 2047 subjects and names folded at 78 without
// splitting UTF-8, long ASCII subjects folded at spaces, RFC 2231 file names with continuations
// and the plain filename= fallback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { freshWriter, collector } from "./load.js";
import { attachment, baseSpec } from "./spec.js";

function headerSection(raw: Buffer): string {
  const s = raw.toString("latin1");
  return s.slice(0, s.indexOf("\r\n\r\n"));
}

const subjects = [
  "Scan",
  "A long plain ASCII subject line that certainly needs folding because it goes on and on past 78 columns of text",
  "Prüfbericht für den Kunden — Überweisung Nr. 123 € mit sehr langem Betreff, der gefaltet werden muss",
  "日本語の件名はエンコードされ、七十八文字で折り返され、UTF-8の途中で分割されることはありません。".repeat(3),
  "😀🎉 emoji 4-byte sequences 😀🎉😀🎉😀🎉😀🎉😀🎉😀🎉😀🎉😀🎉😀🎉😀🎉",
  "looks like =?UTF-8?B?SGk=?= an encoded word",
];

test("subjects and names round-trip; every header line ≤ 78", async () => {
  const w = await freshWriter();
  for (const subject of subjects) {
    const spec = baseSpec({ subject, from: { name: subject.slice(0, 60), address: "mfp@example.com" } });
    const c = collector();
    await w.write(spec, {}, c.write);
    for (const line of headerSection(c.bytes()).split("\r\n")) assert.ok(line.length <= 78, `${line.length}: ${line}`);
    const m = await simpleParser(c.bytes());
    assert.equal(m.subject, subject);
    assert.equal(m.from!.value[0]!.name, subject.slice(0, 60));
  }
});

test("encoded-words never split a UTF-8 sequence (each word decodes alone)", async () => {
  const w = await freshWriter();
  const c = collector();
  await w.write(baseSpec({ subject: subjects[3]! }), {}, c.write);
  const words = headerSection(c.bytes()).match(/=\?UTF-8\?B\?([^?]*)\?=/g)!;
  assert.ok(words.length > 3);
  for (const wd of words) {
    const b = Buffer.from(wd.slice(10, -2), "base64");
    assert.equal(new TextDecoder("utf-8", { fatal: true }).decode(b).length > 0, true);
    assert.ok(wd.length <= 75);
  }
});

test("RFC 2231 file names: non-ASCII, long, quotes; plain fallback present", async () => {
  const w = await freshWriter();
  const names = ["Überweisung.pdf", "scan \"quoted\" back\\slash.pdf", "日本語のファイル名".repeat(8) + ".pdf", "plain-name.pdf", "a;b=c.pdf"];
  for (const filename of names) {
    const c = collector();
    await w.write(baseSpec({ attachments: [attachment(new Uint8Array([1, 2, 3]), filename)] }), {}, c.write);
    const s = c.bytes().toString("latin1");
    const partHead = s.slice(s.indexOf("Content-Type: application/pdf"), s.indexOf("Content-Transfer-Encoding: base64"));
    assert.match(partHead, /filename="[^"\r\n]*"/);
    // the quoted plain fallback is one token (no fold point); RFC 5322 §2.1.1 allows it up to 998
    for (const line of partHead.split("\r\n")) assert.ok(line.length <= 78 || (/name="/.test(line) && line.length <= 998), line);
    const m = await simpleParser(c.bytes());
    assert.equal(m.attachments[0]!.filename, filename);
  }
});

test("a 998-character subject without spaces stays within 998-octet lines", async () => {
  const w = await freshWriter();
  const subject = "x".repeat(998);
  const c = collector();
  await w.write(baseSpec({ subject }), {}, c.write);
  for (const line of headerSection(c.bytes()).split("\r\n")) assert.ok(line.length <= 78, `${line.length}`);
  assert.equal((await simpleParser(c.bytes())).subject, subject);
});
