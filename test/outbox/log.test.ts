// The SMTP log's own rules: the allow-list keeps secrets out whatever a caller passes, and the
// two files together stay under the board's cap while `mfp-mail log` still reads them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { commandForLog } from "../../host/log/redact.js";
import { recentAttempts } from "../../host/log/read.js";
import { TranscriptLog } from "../../host/log/transcript.js";
import { suiteDir, TEST_PASSWORD, TEST_TOKEN, TEST_USER } from "./helpers.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

test("allow-list: AUTH arguments, SASL continuation lines and body lines never pass", () => {
  const plain = b64(`\0${TEST_USER}\0${TEST_PASSWORD}`);
  const xoauth = b64(`user=${TEST_USER}\x01auth=Bearer ${TEST_TOKEN}\x01\x01`);
  const cases: [string, string][] = [
    [`AUTH PLAIN ${plain}`, "AUTH PLAIN [redacted]"],
    [`auth xoauth2 ${xoauth}`, "AUTH XOAUTH2 [redacted]"],
    ["AUTH LOGIN", "AUTH LOGIN"],
    [b64(TEST_USER), `[redacted ${b64(TEST_USER).length} bytes]`],
    [b64(TEST_PASSWORD), `[redacted ${b64(TEST_PASSWORD).length} bytes]`],
    [TEST_PASSWORD, `[redacted ${TEST_PASSWORD.length} bytes]`],
    ["MAIL FROM:<a@b.c> SIZE=10", "MAIL FROM:<a@b.c> SIZE=10"],
    ["RCPT TO:<x@y.z>", "RCPT TO:<x@y.z>"],
    ["BDAT 1000 LAST", "BDAT 1000 LAST"],
    [`BDAT 10 ${TEST_PASSWORD}`, "BDAT [malformed]"],
    [`DATA ${TEST_PASSWORD}`, "DATA"],
    [".", "."],
    ["Subject: quarterly figures", "[redacted 26 bytes]"],
    [`EHLO x\r\nAUTH PLAIN ${plain}`, `[redacted ${`EHLO x\r\nAUTH PLAIN ${plain}`.length} bytes]`],
  ];
  for (const [input, want] of cases) assert.equal(commandForLog(input), want, input);
});

test("rotation: smtp.log + smtp.log.1 stay under log.maxBytes; recent attempts still readable", () => {
  const dir = suiteDir("logrot");
  const cap = 8192;
  const log = new TranscriptLog(dir, cap);
  for (let a = 1; a <= 60; a++) {
    const t = log.begin("job-rot", a);
    t.connect("127.0.0.1", 25);
    t.command("EHLO mfp.contoso.test");
    t.reply(250, "", "hello");
    t.command(`AUTH PLAIN ${b64(`\0u\0${TEST_PASSWORD}`)}`);
    t.reply(235, "2.7.0", "ok");
    t.end({ status: "sent", code: 250, enhanced: "2.0.0", message: "ok" });
  }
  const size = (f: string) => statSync(join(dir, f)).size;
  assert.ok(size("smtp.log") + size("smtp.log.1") <= cap, `${size("smtp.log")} + ${size("smtp.log.1")}`);
  const recent = recentAttempts(dir, 3);
  assert.deepEqual(recent.map((r) => r.attempt), [58, 59, 60]);
  assert.ok(recent.every((r) => r.end?.status === "sent"));
  assert.ok(!readFileSync(join(dir, "smtp.log"), "utf8").includes(b64(`\0u\0${TEST_PASSWORD}`)));
});
