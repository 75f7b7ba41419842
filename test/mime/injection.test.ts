// Header injection: CR, LF or NUL in any host-supplied header value, address, display name or
// file name → MIME_HEADER_INJECTION, and not one byte reaches the output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { freshWriter } from "./load.js";
import { attachment, baseSpec } from "./spec.js";
import { MimeError, type MessageSpec } from "../../host/core/mime.js";
import { K } from "../../host/core/abi.js";

const evil = ["\r", "\n", "\0", "\r\nBcc: victim@example.net", "x\nContent-Type: text/html", "\r\n\r\n.\r\nMAIL FROM:<a@b>"];

const fields: Array<[string, (v: string) => Partial<MessageSpec>]> = [
  ["subject", (v) => ({ subject: `Scan ${v}` })],
  ["non-ASCII subject", (v) => ({ subject: `Prüfung ${v}` })],
  ["date", (v) => ({ date: `Mon, 23 Nov 2026 11:00:00 +0000${v}` })],
  ["message-id", (v) => ({ messageId: `<a${v}@example.com>` })],
  ["from name", (v) => ({ from: { name: `Scanner${v}`, address: "mfp@example.com" } })],
  ["from address", (v) => ({ from: { address: `mfp${v}@example.com` } })],
  ["to name", (v) => ({ to: [{ address: "ok@example.com" }, { name: `B${v}`, address: "b@example.com" }] })],
  ["to address", (v) => ({ to: [{ address: "ok@example.com" }, { address: `b@example.com${v}` }] })],
  ["cc name", (v) => ({ cc: [{ name: `Ü${v}`, address: "c@example.com" }] })],
  ["cc address", (v) => ({ cc: [{ address: `${v}c@example.com` }] })],
  ["reply-to", (v) => ({ replyTo: { name: `R${v}`, address: "r@example.com" } })],
  ["filename", (v) => ({ attachments: [attachment(new Uint8Array(10), `scan${v}.pdf`)] })],
  ["non-ASCII filename", (v) => ({ attachments: [attachment(new Uint8Array(10), `Überweisung${v}.pdf`)] })],
];

for (const [name, make] of fields) {
  test(`injection in ${name} → error code, nothing written`, async () => {
    const w = await freshWriter();
    for (const v of evil) {
      const out: Uint8Array[] = [];
      await assert.rejects(w.write(baseSpec(make(v)), {}, (b) => { out.push(b); }), (e: unknown) => {
        assert.ok(e instanceof MimeError);
        // an address with a control character is refused by the address check or the injection check
        assert.ok(e.code === "MIME_HEADER_INJECTION" || (name.includes("address") && e.code === "MIME_BAD_ADDRESS"), `${name} ${JSON.stringify(v)}: ${e.code}`);
        return true;
      });
      assert.equal(out.length, 0, `${name} ${JSON.stringify(v)}: bytes were written`);
      assert.equal(w.x.outLen(), 0);
    }
  });
}

test("raw ABI: mimeHeader with a CR refuses before staging anything", async () => {
  const w = await freshWriter();
  const x = w.x;
  const put = (s: string) => { const b = Buffer.from(s); new Uint8Array(x.memory.buffer, x.info(K.InfoInPtr), b.length).set(b); return b.length; };
  assert.equal(x.mimeMark(K.MimeMarkBegin, put("abcdefghijklmnopqrstuvwx")), 0);
  assert.equal(x.mimeHeader(K.MimeFieldSubject, put("hello\r\nBcc: x@y"), 0), K.ReasonHeaderInjection);
  assert.equal(x.info(K.InfoMimeStaged), 0);
  assert.equal(x.outLen(), 0);
  // the writer stays failed until the next MimeMarkBegin
  assert.equal(x.mimeHeader(K.MimeFieldSubject, put("hello"), 0), K.ReasonBadState);
  assert.equal(x.mimeMark(K.MimeMarkBegin, put("abcdefghijklmnopqrstuvwx")), 0);
  assert.equal(x.mimeHeader(K.MimeFieldSubject, put("hello"), 0), 0);
});

test("other bad values get their own codes", async () => {
  const w = await freshWriter();
  const code = async (over: Partial<MessageSpec>) => {
    try { await w.write(baseSpec(over), {}, () => {}); return "ok"; } catch (e) { return (e as MimeError).code; }
  };
  assert.equal(await code({ to: [{ address: "no-at-sign" }] }), "MIME_BAD_ADDRESS");
  assert.equal(await code({ to: [{ address: "a b@example.com" }] }), "MIME_BAD_ADDRESS");
  assert.equal(await code({ to: [{ address: "a@b>, evil@example.com" }] }), "MIME_BAD_ADDRESS");
  assert.equal(await code({ subject: "x".repeat(999) }), "MIME_TOO_LONG");
  assert.equal(await code({ messageId: "no-brackets@example.com" }), "MIME_BAD_ARGUMENT");
  assert.equal(await code({ attachments: [attachment(new Uint8Array(1), "")] }), "MIME_BAD_ARGUMENT");
  await assert.rejects(w.write(baseSpec(), { boundaryRandom: "short" }, () => {}), /boundary/);
});

test("binary part holding the boundary delimiter → MIME_BOUNDARY_COLLISION; near misses pass", async () => {
  const w = await freshWriter();
  const rand = "CollisionTest0123456789x";
  const delim = Buffer.from(`\r\n--=_mfp_${rand}`);
  const cases: Array<[Buffer, boolean]> = [
    [Buffer.concat([Buffer.from("PDF data"), delim, Buffer.from("--\r\n")]), true],
    [Buffer.concat([Buffer.from(`--=_mfp_${rand}`), Buffer.from(" at the very start")]), true],
    [Buffer.concat([Buffer.from("x"), delim.subarray(0, delim.length - 1), Buffer.from("!")]), false],
    [Buffer.concat([Buffer.from("\r\n\r\n--=_mfp_"), Buffer.from("\r\n--=_mfp_Collision"), delim]), true],
  ];
  for (const [data, collides] of cases) {
    for (const chunk of [1, 5, 4096]) {
      const spec = baseSpec({ attachments: [attachment(data, "d.bin", chunk)] });
      const run = w.write(spec, { binary: true, boundaryRandom: rand }, () => {});
      if (collides) await assert.rejects(run, (e: unknown) => e instanceof MimeError && e.code === "MIME_BOUNDARY_COLLISION");
      else await run;
      // base64 output can never collide ("=_" is not base64), so the same data passes there
      await w.write(spec, { boundaryRandom: rand }, () => {});
    }
  }
});
