// The core's ABI as the host sees it: 25 functions and no constants in the core itself, the
// host's constants generated from the core's sources and up to date, and the words the host
// gives a failure the core reports by number.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Core, coreWasmPath, STATE_NAMES } from "../../host/core/core.js";
import { K } from "../../host/core/abi.js";

test("both core builds export 25 functions, memory and no constants", () => {
  for (const simd of [true, false]) {
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(coreWasmPath(simd))));
    assert.equal(exports.filter((e) => e.kind === "function").length, 25, `simd=${simd}`);
    assert.deepEqual(exports.filter((e) => e.kind !== "function").map((e) => e.name), ["memory"], `simd=${simd}`);
  }
});

test("host/core/abi.ts is what scripts/abi-constants.mjs generates from build/core.abi.wasm", () => {
  const r = spawnSync(process.execPath, ["scripts/abi-constants.mjs", "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(STATE_NAMES.slice(0, 3), ["Idle", "Greeting", "Ehlo"]);
  assert.equal(STATE_NAMES[K.StateFailed], "Failed");
});

test("a reply before its command was written: the core says so in numbers, the host in words", async () => {
  const core = await Core.create({ inCap: 4096, outCap: 8192, lineMax: 1024, eventTextCap: 256 });
  const enc = new TextEncoder();
  core.setString(K.FieldClientName, "mfp.example");
  core.setString(K.FieldMailFrom, "a@example.com");
  core.setString(K.FieldRcptTo, "b@example.com");
  core.setInt(K.FieldTlsPolicy, K.TlsPolicyNone);
  core.start();
  core.feed(enc.encode("220 mx ESMTP\r\n"));
  core.takeOut();
  core.feed(enc.encode("250-mx\r\n250 PIPELINING\r\n"));
  assert.equal(core.sendEnvelope(100, K.BodyMode7Bit), 0);
  // MAIL, RCPT and DATA are in the output buffer, not yet written: a 250 now answers nothing sent
  const events: string[] = [];
  core.feed(enc.encode("250 ok\r\n"));
  for (let e = core.nextEvent(); e; e = core.nextEvent()) if (e.name === "Failed") {
    events.push(e.text);
    assert.equal(e.reason, K.ReasonUnexpectedReply);
    assert.equal(e.detail, "ReplyEarly");
    assert.equal(e.command, "Mail");
    assert.equal(e.stage, "Envelope");
  }
  assert.deepEqual(events, ["the server answered out of order: reply 250 came before MAIL FROM was sent"]);
});
