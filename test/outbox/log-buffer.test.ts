// The SMTP log is buffered (host/log/transcript.ts): records reach smtp.log when a reply other
// than an intermediate BDAT chunk's 250 arrives, when the attempt ends, and when the process
// exits; a kill -9 loses only the chunk records since the last flush. Each case runs a real
// child process that writes a transcript and then exits, or is killed with SIGKILL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TranscriptLog } from "../../host/log/transcript.js";
import { suiteDir } from "./helpers.js";

const TRANSCRIPT = fileURLToPath(new URL("../../host/log/transcript.ts", import.meta.url));

function records(dir: string): { kind: string; text?: string; code?: number; bytes?: number }[] {
  const path = join(dir, "smtp.log");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** A child that logs the start of an attempt and `chunks` BDAT chunks with their 250s, then
 *  says "ready" and waits: the parent ends it with `how`. */
function child(dir: string, chunks: number, how: "exit" | "SIGKILL"): Promise<void> {
  const script = `
    const { TranscriptLog } = await import(${JSON.stringify(TRANSCRIPT)});
    const t = new TranscriptLog(${JSON.stringify(dir)}, 1 << 20).begin("job-1", 1);
    t.reply(220, "", "mx ready");
    t.command("EHLO scanner"); t.reply(250, "", "mx");
    t.command("MAIL FROM:<a@b.c>"); t.command("RCPT TO:<d@e.f>");
    for (let i = 0; i < ${chunks}; i++) t.command("BDAT 8192");
    t.reply(250, "2.1.0", "sender ok"); t.reply(250, "2.1.5", "recipient ok");
    for (let i = 0; i < ${chunks}; i++) t.reply(250, "2.0.0", "8192 octets received");
    process.stdout.write("ready\\n");
    process.stdin.on("data", () => process.exit(0));
  `;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "inherit"] });
    c.stdout.once("data", () => {
      if (how === "exit") c.stdin.write("x");
      else c.kill("SIGKILL");
    });
    c.once("exit", () => resolve());
    c.once("error", reject);
  });
}

test("a reply to MAIL/RCPT is on disk at once; chunk 250s wait in the buffer; a normal exit writes them", async () => {
  const dir = suiteDir("logbuf-exit");
  await child(dir, 20, "exit");
  const r = records(dir);
  assert.equal(r.filter((x) => x.text === "BDAT 8192").length, 20);
  assert.equal(r.filter((x) => x.kind === "S" && x.text === "8192 octets received").length, 20);
});

test("kill -9 loses at most the chunk records since the last flush, never the envelope replies", async () => {
  const dir = suiteDir("logbuf-kill");
  await child(dir, 20, "SIGKILL");
  const r = records(dir);
  assert.ok(r.some((x) => x.kind === "S" && x.text === "recipient ok"), "the RCPT reply was flushed when it arrived");
  assert.ok(r.some((x) => x.kind === "C" && x.text === "BDAT 8192"), "commands before a flushed reply are on disk");
  const acks = r.filter((x) => x.text === "8192 octets received").length;
  assert.ok(acks < 20, `the chunk 250s after the last flush were still buffered (found ${acks} of 20)`);
});

test("the buffer is written when it passes flushBytes, and the attempt's end always flushes", () => {
  const dir = suiteDir("logbuf-size");
  const log = new TranscriptLog(dir, 65536);
  assert.equal(log.flushBytes, 8192);
  const t = log.begin("job-2", 1);
  t.reply(220, "", "mx ready");
  const before = records(dir).length;
  for (let i = 0; i < 400; i++) t.command("BDAT 8192");
  const mid = records(dir).length;
  assert.ok(mid > before, "passing flushBytes wrote the buffer");
  assert.ok(mid < before + 400, "but not record by record");
  t.end({ status: "sent", code: 250, enhanced: "2.0.0", message: "Sent" });
  const all = records(dir);
  assert.equal(all.at(-1)!.kind, "end");
  assert.equal(all.filter((x) => x.text === "BDAT 8192").length, 400);
});
