// `mfp-mail send` and `mfp-mail daemon` (child processes, the same session code) against servers
// that would hold them for ever: one dripping a byte a second, one sending endless "250-" lines.
// A board with short timeouts; each run must end promptly with the scan kept in the outbox, and
// the daemon must go on to its next attempt and stop on SIGTERM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cli, lastJson, STACK } from "../cli/run.js";
import { Outbox } from "../../host/outbox/index.js";
import { dripServer, endlessEhloServer, type Hostile } from "./hostile-servers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../host/cli.ts", import.meta.url));
const T = 2000;
let dir = "";
let boardFile = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "mfp-wire-cli-"));
  const b = JSON.parse(readFileSync(join(ROOT, "boards", "sim-desktop.json"), "utf8"));
  b.name = "wire-test";
  b.timeouts = { connect: T, greeting: T, command: T, mail: T, rcpt: T, dataInit: T, dataBlock: T, dataTerm: T };
  b.retry = { ...b.retry, initialDelay: 1000, maxDelay: 1000, jitter: 0 };
  b.outbox.dir = join(dir, "unused");
  boardFile = join(dir, "board.json");
  writeFileSync(boardFile, JSON.stringify(b));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function sendTo(srv: Hostile, outbox: string) {
  return cli(["send", "--board", boardFile, "--outbox", outbox, "--server", "127.0.0.1", "--port", String(srv.port), "--tls", "none",
    "--from", "scanner@contoso.test", "--to", "a@contoso.test", "--scan-pages", "1", "--json"], {}, 30_000);
}

/** The daemon as a child; resolves with its exit once SIGTERM was sent after `until` held. */
async function daemonUntil(outbox: string, until: () => Promise<boolean>, limitMs: number): Promise<{ code: number | null; stopMs: number; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "daemon", "--board", boardFile, "--outbox", outbox, "--poll", "200"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const closed = new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  const t0 = Date.now();
  try {
    while (!(await until())) {
      if (Date.now() - t0 > limitMs) throw new Error(`the daemon did not get there within ${limitMs} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    child.kill("SIGTERM");
  }
  const s0 = Date.now();
  const code = await closed;
  return { code, stopMs: Date.now() - s0, out };
}

for (const [name, start, id] of [
  ["a server dripping one byte a second", () => dripServer("greeting", 1000), "READ_TIMEOUT"],
  ["a server sending endless 250- lines", () => endlessEhloServer(20), "PROTOCOL_REPLY_TOO_LONG"],
] as const) {
  test(`${name}: send ends promptly with the job kept; the daemon's next attempt ends too, and it stops on SIGTERM`, async () => {
    const srv = await start();
    const box = join(dir, id);
    try {
      const r = await sendTo(srv, box);
      assert.doesNotMatch(r.stderr, STACK);
      assert.ok(!r.killed, "send was killed by the test's own limit");
      assert.ok(r.ms < 4 * T + 8000, `send took ${r.ms} ms`);
      assert.equal(r.code, 4, r.stderr);
      const j = lastJson(r);
      assert.deepEqual([j.status, j.id], ["queued", id]);
      assert.match(r.stderr, /^Will retry$/m, "the last progress line names the outcome");
      assert.doesNotMatch(r.stderr + r.stdout, /^\s*Done$/m);
      const outbox = await Outbox.open({ dir: box });
      const [job] = await outbox.list();
      assert.ok(job, "the scan is kept as a job");
      assert.equal(job.attemptCount, 1);

      // The daemon retries it (due after the board's 1 s) and is not held either.
      const d = await daemonUntil(box, async () => ((await outbox.get(job.id))?.attemptCount ?? 0) >= 2, 4 * T + 15_000);
      assert.equal(d.code, 0, d.out);
      assert.ok(d.stopMs < 5000, `the daemon took ${d.stopMs} ms to stop`);
      const again = await outbox.get(job.id);
      assert.ok(again, "still kept after the daemon's attempt");
      assert.match(again.attempts.at(-1)!.message, id === "READ_TIMEOUT" ? /stopped answering/ : /went on far too long/);
    } finally {
      await srv.close();
    }
  });
}
