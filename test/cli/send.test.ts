// The `mfp-mail send` contract, driven as a child process: flags, --json shape, exit codes
// (0 sent, 2 config error, 3 permanent rejection, 4 transient failure), and every bad input
// ending in one clear message — never a stack trace, a hang or a half-sent message called sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { createHash } from "node:crypto";
import { cli, lastJson, STACK } from "./run.js";
import { server, rawServer, onLines, parse, USER, PASSWORD } from "../session/lab.js";
import type { SimServer } from "../../host/sim/server.js";

let srv: SimServer;
let dir: string;
let caFile: string;
const ENV = { MFP_TEST_PW: PASSWORD };

before(async () => {
  srv = await server({ rcptReply: (a) => (a.startsWith("busy@") ? [450, "4.2.1 Mailbox busy"] : a.startsWith("nobody@") ? [550, "5.1.1 No such user"] : null) });
  dir = mkdtempSync(join(tmpdir(), "mfp-cli-"));
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, srv.ca);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ["send", "--server", "localhost", "--port", String(srv.port), "--tls", "starttls", "--require-tls", "--ca", caFile,
  "--auth", "plain", "--user", USER, "--password-env", "MFP_TEST_PW", "--from", USER];

function clean(r: { stderr: string; stdout: string }) {
  assert.doesNotMatch(r.stderr, STACK, `stack trace on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, STACK);
  assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD), "password printed");
}

test("send --scan-pages --json: exit 0, last stdout line is the result object, the scan arrived", async () => {
  const before = srv.messages.length;
  const r = await cli([...base(), "--to", "a@contoso.test", "--cc", "b@contoso.test", "--subject", "CLI scan", "--scan-pages", "2", "--json"], ENV);
  clean(r);
  assert.equal(r.code, 0, r.stderr);
  const j = lastJson(r);
  assert.deepEqual(Object.keys(j).slice(0, 8), ["status", "code", "enhanced", "message", "recipients", "wireBytes", "roundTrips", "id"]);
  assert.equal(j.status, "sent");
  assert.equal(j.code, 250);
  assert.deepEqual(j.recipients, [{ address: "a@contoso.test", accepted: true, code: 250 }, { address: "b@contoso.test", accepted: true, code: 250 }]);
  assert.ok((j.wireBytes as number) > 0 && (j.roundTrips as number) > 0);
  assert.equal(srv.messages.length, before + 1);
  const mail = await parse(srv.messages.at(-1)!.raw);
  assert.equal(mail.subject, "CLI scan");
  assert.equal(mail.attachments[0]!.contentType, "application/pdf");
});

test("send --attach FILE --body-file: the file arrives byte-identical; human output without --json", async () => {
  const file = join(dir, "report.bin");
  const bytes = Buffer.alloc(70_000, 0);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
  writeFileSync(file, bytes);
  writeFileSync(join(dir, "body.txt"), "Hello from the body file.\n");
  const r = await cli([...base(), "--to", "a@contoso.test", "--attach", file, "--body-file", join(dir, "body.txt")], ENV);
  clean(r);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^SENT: /m);
  const mail = await parse(srv.messages.at(-1)!.raw);
  assert.equal(mail.attachments[0]!.filename, "report.bin");
  assert.equal(createHash("sha256").update(mail.attachments[0]!.content).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
  assert.match(mail.text ?? "", /Hello from the body file/);
});

test("one of three recipients deferred (450): partial, exit 0, per-recipient results in JSON", async () => {
  const r = await cli([...base(), "--to", "a@contoso.test", "--to", "busy@contoso.test", "--to", "c@contoso.test", "--body", "x", "--json"], ENV);
  clean(r);
  assert.equal(r.code, 0);
  const j = lastJson(r);
  assert.equal(j.status, "partial");
  assert.deepEqual((j.recipients as { accepted: boolean }[]).map((x) => x.accepted), [true, false, true]);
});

test("every recipient refused (550): exit 3, status failed", async () => {
  const r = await cli([...base(), "--to", "nobody@contoso.test", "--body", "x", "--json"], ENV);
  clean(r);
  assert.equal(r.code, 3);
  const j = lastJson(r);
  assert.equal(j.status, "failed");
  assert.equal(j.code, 550);
});

test("wrong password: exit 3 with the server's reply, no stack trace", async () => {
  const r = await cli([...base(), "--to", "a@contoso.test", "--body", "x", "--json"], { MFP_TEST_PW: "wrong" });
  clean(r);
  assert.equal(r.code, 3);
  assert.equal(lastJson(r).code, 535);
});

test("configuration errors → exit 2, one line naming the flag, nothing sent", async (t) => {
  const before = srv.messages.length;
  const cases: [string, string[], RegExp][] = [
    ["missing attachment", [...base(), "--to", "a@contoso.test", "--attach", join(dir, "nope.pdf")], /--attach\[0\]: file not found/],
    ["unreadable board file", [...base(), "--to", "a@contoso.test", "--board", join(dir, "missing-board.json")], /board/i],
    ["board file that is not JSON", [...base(), "--to", "a@contoso.test", "--board", caFile], /board|JSON/i],
    ["bad recipient", [...base(), "--to", "not-an-address"], /--to\[0\]/],
    ["no recipient", [...base()], /--to/],
    ["password variable not set", [...base(), "--to", "a@contoso.test", "--password-env", "MFP_UNSET_VAR_X"], /MFP_UNSET_VAR_X/],
    ["bad --tls", [...base(), "--to", "a@contoso.test", "--tls", "sometimes"], /--tls/],
    ["bad --port", [...base(), "--to", "a@contoso.test", "--port", "99999"], /--port/],
    ["unknown preset", [...base(), "--to", "a@contoso.test", "--preset", "nope"], /preset/],
    ["unknown flag", [...base(), "--to", "a@contoso.test", "--frobnicate"], /unknown option/],
    ["missing CA file", [...base(), "--to", "a@contoso.test", "--ca", join(dir, "none.pem")], /--ca/],
  ];
  for (const [name, args, msg] of cases) {
    await t.test(name, async () => {
      const r = await cli(args, ENV);
      clean(r);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    });
  }
  assert.equal(srv.messages.length, before);
});

test("no password on a non-TTY without --password-env: exit 2 (never read from argv)", async () => {
  const args = base().filter((a, i, all) => a !== "--password-env" && all[i - 1] !== "--password-env");
  const r = await cli([...args, "--to", "a@contoso.test"], ENV);
  clean(r);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--password-env/);
});

test("STARTTLS required but the server offers none: exit 3, no AUTH, nothing delivered", async () => {
  const plain = await server({ starttls: false });
  try {
    const r = await cli(["send", "--server", "127.0.0.1", "--port", String(plain.port), "--tls", "starttls", "--require-tls", "--auth", "plain",
      "--password-env", "MFP_TEST_PW", "--from", USER, "--to", "a@contoso.test", "--json"], ENV);
    clean(r);
    assert.equal(r.code, 3);
    assert.equal(lastJson(r).id, "TLS_NOT_OFFERED");
    assert.equal(plain.auths.length, 0);
    assert.equal(plain.messages.length, 0);
  } finally {
    await plain.close();
  }
});

async function faultRun(port: number, extra: string[] = []) {
  return cli(["send", "--server", "127.0.0.1", "--port", String(port), "--tls", "none", "--auth", "none", "--from", USER,
    "--to", "a@contoso.test", "--scan-pages", "3", "--timeout", "1500", "--json", ...extra], {}, 30_000);
}

/** A minimal plaintext server that answers the envelope and then calls `onData` for body bytes. */
function envelopeServer(onData: (s: net.Socket, bytes: number) => void) {
  return rawServer((s) => {
    s.write("220 fault.test ESMTP\r\n");
    let inData = false;
    let got = 0;
    s.on("data", (d: Buffer) => {
      if (!inData) return;
      got += d.length;
      onData(s, got);
    });
    onLines(s, (line) => {
      if (inData) return;
      const v = line.slice(0, 4).toUpperCase();
      if (v === "EHLO") s.write("250-fault.test\r\n250 8BITMIME\r\n");
      else if (v === "DATA") { s.write("354 go ahead\r\n"); inData = true; }
      else if (v === "QUIT") s.end("221 bye\r\n");
      else s.write("250 ok\r\n");
    });
  });
}

test("bad input from the network: each ends with one clear message and exit 4, within the timeout", async (t) => {
  await t.test("server closes the connection mid-DATA → queued, never sent", async () => {
    const f = await envelopeServer((s, n) => { if (n > 20_000) s.destroy(); });
    try {
      const r = await faultRun(f.port);
      clean(r);
      assert.equal(r.code, 4, r.stderr + r.stdout);
      const j = lastJson(r);
      assert.equal(j.status, "queued");
      assert.notEqual(j.status, "sent");
    } finally { await f.close(); }
  });
  await t.test("server goes silent after the final dot → queued (timeout), never sent", async () => {
    const f = await envelopeServer(() => { /* swallow everything, never answer */ });
    try {
      const r = await faultRun(f.port);
      clean(r);
      assert.equal(r.code, 4);
      assert.equal(lastJson(r).status, "queued");
      assert.ok(r.ms < 20_000);
    } finally { await f.close(); }
  });
  await t.test("a reply line of 1 MiB", async () => {
    const f = await rawServer((s) => { s.write("220 " + "x".repeat(1 << 20) + "\r\n"); });
    try {
      const r = await faultRun(f.port);
      clean(r);
      assert.equal(r.code, 4);
      assert.match(String(lastJson(r).message), /not understood|too long|line/i);
    } finally { await f.close(); }
  });
  await t.test("garbage bytes instead of a greeting", async () => {
    const f = await rawServer((s) => { s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x80, 0x81, 0x0d, 0x0a])); });
    try {
      const r = await faultRun(f.port);
      clean(r);
      assert.equal(r.code, 4);
      assert.equal(lastJson(r).status, "queued");
    } finally { await f.close(); }
  });
  await t.test("a server that never greets (black hole)", async () => {
    const f = await rawServer(() => { /* accept, say nothing */ });
    try {
      const r = await faultRun(f.port);
      clean(r);
      assert.equal(r.code, 4);
      assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
    } finally { await f.close(); }
  });
  await t.test("refused port", async () => {
    const probe = net.createServer();
    await new Promise<void>((res) => probe.listen(0, "127.0.0.1", res));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((res) => probe.close(() => res()));
    const r = await faultRun(port);
    clean(r);
    assert.equal(r.code, 4);
    assert.match(String(lastJson(r).message), /refused/i);
  });
});

test("DNS failure (.invalid never resolves, RFC 6761 §6.4): exit 2, the name is reported", async () => {
  const r = await cli(["send", "--server", "no-such-host.invalid", "--port", "587", "--tls", "none", "--auth", "none",
    "--from", USER, "--to", "a@contoso.test", "--body", "x", "--json"], {}, 30_000);
  clean(r);
  assert.equal(r.code, 2);
  assert.match(String(lastJson(r).message), /no-such-host\.invalid/);
});

test("--outbox: a transient failure keeps the scan as a job (exit 4); a delivered one leaves no job", async () => {
  const { readdirSync } = await import("node:fs");
  const box = mkdtempSync(join(tmpdir(), "mfp-cli-outbox-"));
  try {
    const probe = net.createServer();
    await new Promise<void>((res) => probe.listen(0, "127.0.0.1", res));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((res) => probe.close(() => res()));
    const down = await cli(["send", "--server", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", USER, "--to", "a@contoso.test",
      "--scan-pages", "2", "--outbox", box, "--json"]);
    clean(down);
    assert.equal(down.code, 4);
    assert.equal(lastJson(down).status, "queued");
    assert.match(down.stderr, /kept in the outbox .* as job /);
    assert.equal(readdirSync(join(box, "jobs")).length, 1);
    const before = srv.messages.length;
    const up = await cli([...base(), "--to", "a@contoso.test", "--scan-pages", "2", "--outbox", join(box, "second"), "--json"], ENV);
    clean(up);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(srv.messages.length, before + 1);
    assert.equal(readdirSync(join(box, "second", "jobs")).length, 0);
  } finally {
    rmSync(box, { recursive: true, force: true });
  }
});
