// Server text with terminal escape sequences (ESC ] 0 ; … BEL retitles a terminal, ESC [ 2 J
// clears it) and C1 controls never reaches a terminal raw: send, queue, log and doctor print it
// through the one sanitiser, in human and in JSON form.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, lastJson } from "../cli/run.js";
import { rawServer, onLines } from "../session/lab.js";

const EVIL = "\u001b]0;pwned\u0007\u001b[2J\u001b[1;31mred\u009b2J\u0090dcs\u009c\u007f";
/** Control characters a terminal acts on: C0 except TAB and LF, DEL, C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let srv: { port: number; close(): Promise<void> };
let dir = "";
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mfp-wire-text-"));
  srv = await rawServer((s) => {
    s.write(`220 evil.test ESMTP ${EVIL}\r\n`);
    onLines(s, (line) => {
      const v = line.slice(0, 4).toUpperCase();
      if (v === "EHLO") s.write(`250-evil.test ${EVIL}\r\n250 8BITMIME\r\n`);
      else if (v === "RCPT") s.write(`451 4.3.0 ${EVIL} try later\r\n`);
      else if (v === "QUIT") s.end("221 bye\r\n");
      else s.write("250 ok\r\n");
    });
  });
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function assertClean(what: string, text: string): void {
  const m = CONTROL.exec(text);
  assert.equal(m, null, `${what} printed U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} raw:\n${JSON.stringify(text)}`);
}

test("send, queue, log: the server's escape sequences arrive stripped (human and --json)", async () => {
  const box = join(dir, "box");
  const args = ["--server", "127.0.0.1", "--port", String(srv.port), "--tls", "none", "--from", "scanner@contoso.test",
    "--to", "a@contoso.test", "--scan-pages", "1", "--outbox", box, "--timeout", "3000"];
  for (const json of [false, true]) {
    const r = await cli(["send", ...args, ...(json ? ["--json"] : [])], {}, 30_000);
    assert.equal(r.code, 4, r.stderr + r.stdout);
    assertClean("send stdout", r.stdout);
    assertClean("send stderr", r.stderr);
    assert.match(r.stdout + r.stderr, /\]0;pwned\[2J\[1;31mred2Jdcs try later/, "the words stay, the controls go");
    if (json) assert.equal(lastJson(r).status, "queued");
  }
  for (const cmd of [["queue"], ["queue", "--json"], ["log"], ["log", "--json"]]) {
    const r = await cli([...cmd, "--outbox", box], {}, 30_000);
    assert.equal(r.code, 0, r.stderr);
    assertClean(cmd.join(" "), r.stdout + r.stderr);
    assert.match(r.stdout, /pwned/, `${cmd.join(" ")} shows the server's words`);
  }
});

test("doctor: the greeting and EHLO text it quotes are stripped too", async () => {
  const r = await cli(["doctor", "--preset", "generic", "--server", "127.0.0.1", "--port", String(srv.port), "--tls", "none",
    "--from", "scanner@contoso.test", "--to", "a@contoso.test", "--auth", "none", "--timeout", "3000"], {}, 30_000);
  assertClean("doctor", r.stdout + r.stderr);
  assert.match(r.stdout, /evil\.test ESMTP \]0;pwned/);
});
