// Bad input through the real CLI (`mfp-mail send` and `doctor` in a child process): unknown
// preset, a domain that isn't a domain, a recipient that isn't an address, a board with a wrong
// type — each a clear message naming the field, exit code 2, and not even a connection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startExchangeOnline, type ExoServer } from "../fixtures/exchange-online.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir = "";
let s: ExoServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "mfp-bad-"));
  s = await startExchangeOnline({ mode: "direct-send", bindHost: "localhost" });
  await writeFile(join(dir, "ca.pem"), s.ca.cert);
  const board = JSON.parse(await readFile(join(ROOT, "boards/arm-64mb.json"), "utf8"));
  board.core.inCap = "16k";
  await writeFile(join(dir, "bad-board.json"), JSON.stringify(board));
});
after(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "host/cli.ts"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`timeout: ${args.join(" ")}`)); }, 60_000);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out }); });
  });
}

const base = () => ["--server", "localhost", "--port", String(s.port), "--ca", join(dir, "ca.pem"), "--subject", "x", "--body", "y"];

test("send: unknown preset, non-domain, non-address, bad board → exit 2 naming the field, no connection", async () => {
  const cases: [string[], RegExp][] = [
    [["--preset", "office365", "--from", "a@contoso.com", "--to", "b@contoso.com"], /--preset: unknown preset "office365"; choose one of m365-submission/],
    [["--preset", "m365-direct-send", "--from", "scanner@contoso", "--to", "b@contoso.com"], /--from: not an e-mail address: domain "contoso" has no dot/],
    [["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "b@contoso.com", "--to", "bob"], /--to\[1\]: not an e-mail address: "bob" has no @/],
    [["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "jo hn@contoso.com"], /--to\[0\]: not an e-mail address/],
    [["--preset", "m365-direct-send", "--board", join(dir, "bad-board.json"), "--from", "scanner@contoso.com", "--to", "b@contoso.com"], /\$\.core\.inCap: type: must be a whole number, got "16k"/],
    [["--preset", "m365-direct-send", "--board", "arm-16mb", "--from", "scanner@contoso.com", "--to", "b@contoso.com"], /--board: no board named "arm-16mb"/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(["send", ...base(), ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}\n${r.out}`);
    assert.match(r.out, re);
  }
  assert.equal(s.connections, 0, "a refused configuration never connects");
  assert.equal(s.received.length, 0);
});

test("doctor: bad domain and bad board → exit 2 naming the field, no connection", async () => {
  const dom = await cli(["doctor", "--preset", "m365-direct-send", "--domain", "contoso..com", "--host", "localhost", "--port", String(s.port)]);
  assert.equal(dom.code, 2, dom.out);
  assert.match(dom.out, /✗ --domain: not a domain name: "contoso\.\.com" has an empty label/);
  const board = await cli(["doctor", "--preset", "m365-direct-send", "--board", join(dir, "bad-board.json"), "--domain", "contoso.com"]);
  assert.equal(board.code, 2, board.out);
  assert.match(board.out, /\$\.core\.inCap/);
  assert.equal(s.connections, 0);
});

test("control: the same command line with valid input does connect and deliver", async () => {
  const r = await cli(["send", ...base(), "--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "b@contoso.com"]);
  assert.equal(r.code, 0, r.out);
  assert.equal(s.connections, 1);
  assert.equal(s.received.length, 1);
});
