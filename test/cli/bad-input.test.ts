// The command line's answers to bad input, each as a real child process against real peers on
// loopback: the exact message a person reads and the exit code a script sees (docs/cli.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, lastJson, STACK, type Run } from "./run.js";
import { server, rawServer, onLines, parse, USER, PASSWORD } from "../session/lab.js";
import type { SimServer } from "../../host/sim/server.js";

let dir: string;
let plain: SimServer;
const ENV = { MFP_TEST_PW: PASSWORD };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mfp-cli-bad-"));
  chmodSync(dir, 0o755); // the unreadable-file case runs a child as another user
  // A plaintext server with no STARTTLS and no AUTH: what an old office relay looks like.
  plain = await server({ starttls: false, users: {} });
});
after(async () => {
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

function outbox(name: string): string[] {
  return ["--outbox", join(dir, name)];
}

function clean(r: Run) {
  assert.equal(r.killed, false, "the command hung and was killed");
  assert.doesNotMatch(r.stderr, STACK, `stack trace on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, STACK);
}

const lines = (s: string) => s.split("\n").filter(Boolean);
const toPlain = () => ["send", "--server", "127.0.0.1", "--port", String(plain.port), "--from", USER];

test("STARTTLS not offered under the default --tls starttls: sent, with a warning on stderr and tls: none-offered", async () => {
  const before = plain.messages.length;
  const r = await cli([...toPlain(), "--to", "a@contoso.test", "--body", "hello", "--json", ...outbox("plain")]);
  clean(r);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lines(r.stderr).includes(`mfp-mail: warning: 127.0.0.1:${plain.port} did not offer STARTTLS, so the message went unencrypted; --require-tls refuses to send that way`), r.stderr);
  const j = lastJson(r);
  assert.equal(j.status, "sent");
  assert.equal(j.tls, "none-offered");
  assert.equal(plain.messages.length, before + 1);
  assert.equal(plain.messages.at(-1)!.tls, false, "it did travel in plaintext");
});

test("STARTTLS offered: no warning, and tls is the negotiated protocol", async () => {
  const srv = await server({ users: {} });
  try {
    const ca = join(dir, "ca-offered.pem");
    writeFileSync(ca, srv.ca);
    const r = await cli(["send", "--server", "localhost", "--port", String(srv.port), "--ca", ca, "--from", USER, "--to", "a@contoso.test", "--body", "x", "--json", ...outbox("offered")]);
    clean(r);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /did not offer STARTTLS/);
    assert.match(String((lastJson(r).tls as { protocol: string }).protocol), /^TLSv1\.[23]$/);
  } finally {
    await srv.close();
  }
});

test("an implicit-TLS port under the default mode: 'use --tls implicit' within seconds, exit 2, nothing kept", async () => {
  const tlsFirst = await server({ implicitTls: true });
  try {
    const box = outbox("tls-first");
    const r = await cli(["send", "--server", "127.0.0.1", "--port", String(tlsFirst.port), "--from", USER, "--to", "a@contoso.test", "--body", "x", "--json", ...box]);
    clean(r);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(lines(r.stderr).includes(`mfp-mail: --tls: no SMTP greeting from 127.0.0.1:${tlsFirst.port}, but it answers a TLS handshake: this port expects TLS from the first byte: use --tls implicit`), r.stderr);
    assert.equal(lastJson(r).id, "TLS_FIRST_PORT");
    assert.ok(r.ms < 30_000, `answered after ${r.ms} ms, not after the 5-minute greeting timeout`);
    assert.equal(tlsFirst.messages.length, 0);
    const q = await cli(["queue", "--json", ...box]);
    assert.deepEqual((JSON.parse(q.stdout) as { jobs: unknown[] }).jobs, [], "the job it started was dropped");
  } finally {
    await tlsFirst.close();
  }
});

test("a silent port that speaks no TLS either is not called a TLS port", async () => {
  // Accepts and never says a word: the probe's handshake gets nothing back, so no TLS hint.
  const silent = await rawServer(() => {});
  try {
    const r = await cli(["send", "--server", "127.0.0.1", "--port", String(silent.port), "--from", USER, "--to", "a@contoso.test", "--body", "x",
      "--timeout", "8000", "--no-queue"]);
    clean(r);
    assert.equal(r.code, 5, r.stderr);
    assert.doesNotMatch(r.stderr, /use --tls implicit/);
  } finally {
    await silent.close();
  }
});

test("a 0-byte attachment is refused (exit 2) unless --allow-empty, which sends it", async () => {
  const empty = join(dir, "empty.pdf");
  writeFileSync(empty, "");
  const r = await cli([...toPlain(), "--to", "a@contoso.test", "--attach", empty, ...outbox("empty")]);
  clean(r);
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), [`mfp-mail: --attach[0]: ${empty} is empty (0 bytes); nothing to send. Add --allow-empty to send it anyway`]);
  const before = plain.messages.length;
  const ok = await cli([...toPlain(), "--to", "a@contoso.test", "--attach", empty, "--allow-empty", ...outbox("empty")]);
  clean(ok);
  assert.equal(ok.code, 0, ok.stderr);
  const mail = await parse(plain.messages[before]!.raw);
  assert.equal(mail.attachments[0]!.filename, "empty.pdf");
  assert.equal(mail.attachments[0]!.size, 0);
});

test("an unreadable attachment: the file and the permission are named, exit 2", async () => {
  const file = join(dir, "secret.pdf");
  writeFileSync(file, "%PDF-1.4\n");
  // root reads any file: as root, the child runs as nobody and the file is root's, mode 0600.
  const root = process.getuid?.() === 0;
  chmodSync(file, root ? 0o600 : 0o000);
  const as = root ? { uid: 65534, gid: 65534 } : undefined;
  const uid = root ? 65534 : process.getuid!();
  const r = await cli([...toPlain(), "--to", "a@contoso.test", "--attach", file], {}, 60_000, as);
  clean(r);
  assert.equal(r.code, 2, r.stderr);
  const mode = (statSync(file).mode & 0o7777).toString(8).padStart(4, "0");
  assert.deepEqual(lines(r.stderr), [
    `mfp-mail: --attach[0]: cannot read ${file}: permission denied (EACCES): the file has mode ${mode}, owner uid ${statSync(file).uid}; this process runs as uid ${uid}`,
  ]);
});

test("comma-separated --to and --cc are an address list; a display name gets the exact form to use", async () => {
  const before = plain.messages.length;
  const r = await cli([...toPlain(), "--to", "a@contoso.test, b@contoso.test", "--cc", "c@contoso.test,d@contoso.test", "--body", "x", "--json", ...outbox("list")]);
  clean(r);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((lastJson(r).recipients as { address: string }[]).map((x) => x.address), ["a@contoso.test", "b@contoso.test", "c@contoso.test", "d@contoso.test"]);
  assert.deepEqual(plain.messages[before]!.to, ["a@contoso.test", "b@contoso.test", "c@contoso.test", "d@contoso.test"]);
  const named = await cli([...toPlain(), "--to", "a@contoso.test, Ann <ann@contoso.test>", "--body", "x"]);
  clean(named);
  assert.equal(named.code, 2);
  assert.deepEqual(lines(named.stderr), [
    "mfp-mail: --to[1]: give the address alone, without a name: --to ann@contoso.test (several: --to a@example.com,b@example.com or repeat --to)",
  ]);
});

test("--password-env without --auth is a configuration error, not silently ignored", async () => {
  const r = await cli([...toPlain(), "--to", "a@contoso.test", "--body", "x", "--password-env", "MFP_TEST_PW"], ENV);
  clean(r);
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), [
    "mfp-mail: --password-env: names a password, but there is no sign-in (--auth none): add --auth plain or --auth login (or --auth xoauth2 for a token), or drop --password-env",
  ]);
  assert.ok(!r.stderr.includes(PASSWORD));
});

test("an unusable outbox directory fails fast and says why (queue, daemon: exit 2; send: sent directly)", async () => {
  const why = "cannot create the outbox in /proc/x: ENOENT: this place cannot hold directories (a virtual file system such as /proc, or a broken link)";
  const q = await cli(["queue", "--outbox", "/proc/x"], {}, 20_000);
  clean(q);
  assert.equal(q.code, 2);
  assert.deepEqual(lines(q.stderr), [`mfp-mail queue: OUTBOX_UNWRITABLE: ${why}`]);
  const d = await cli(["daemon", "--outbox", "/proc/x", "--drain"], {}, 20_000);
  clean(d);
  assert.equal(d.code, 2);
  assert.deepEqual(lines(d.stderr), [`mfp-mail daemon: OUTBOX_UNWRITABLE: ${why}`]);
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  const f = await cli(["queue", "--outbox", join(file, "outbox")], {}, 20_000);
  assert.equal(f.code, 2);
  assert.deepEqual(lines(f.stderr), [`mfp-mail queue: OUTBOX_UNWRITABLE: cannot create the outbox in ${join(file, "outbox")}: ENOTDIR: a part of the path is a file, not a directory`]);
  const s = await cli([...toPlain(), "--to", "a@contoso.test", "--body", "x", "--outbox", "/proc/x"], {}, 30_000);
  clean(s);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(lines(s.stderr).includes(`mfp-mail: the outbox cannot take the message (OUTBOX_UNWRITABLE): ${why}; sending it directly, so nothing is kept if this attempt fails`), s.stderr);
});

test("queue and doctor: an unknown job is exit 2, a refused probe 3, an unreachable server 4 — never the internal-bug 1", async () => {
  const box = outbox("codes");
  const cancel = await cli(["queue", "cancel", "no-such-job", ...box]);
  clean(cancel);
  assert.equal(cancel.code, 2);
  assert.deepEqual(lines(cancel.stderr), ["mfp-mail queue cancel: JOB_NOT_FOUND: no job no-such-job in the outbox"]);
  const retry = await cli(["queue", "retry-now", "no-such-job", ...box]);
  assert.equal(retry.code, 2, retry.stdout + retry.stderr);

  const down = await rawServer((s) => s.destroy());
  const port = down.port;
  await down.close(); // a port nobody listens on: connection refused
  const unreachable = await cli(["doctor", "--server", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", USER], {}, 30_000);
  clean(unreachable);
  assert.equal(unreachable.code, 4, unreachable.stdout);
  assert.match(unreachable.stdout, new RegExp(`^✗ Connect: The server 127\\.0\\.0\\.1:${port} refused the connection`, "m"));

  const secure = await server();
  try {
    const ca = join(dir, "ca-doctor.pem");
    writeFileSync(ca, secure.ca);
    const refused = await cli(["doctor", "--server", "localhost", "--port", String(secure.port), "--ca", ca, "--tls", "required", "--auth", "plain",
      "--from", USER, "--user", USER, "--password-env", "WRONG"], { WRONG: "not-the-password" }, 30_000);
    clean(refused);
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /^✗ Sign-in with PLAIN failed: 535/m);
  } finally {
    await secure.close();
  }
});

test("login: an unreachable sign-in service is exit 4 with the panel's sentence", async () => {
  const r = await cli(["login", "--preset", "generic", "--tenant", "contoso.com", "--client-id", "11111111-1111-1111-1111-111111111111",
    "--user", USER, "--authority", "http://127.0.0.1:9", ...outbox("login")], {}, 30_000);
  clean(r);
  assert.equal(r.code, 4, r.stderr);
  assert.ok(lines(r.stderr).includes("panel: The sign-in service cannot be reached and the device will retry later."), r.stderr);
});

test("bare mfp-mail: the help on stderr, nothing on stdout, exit 2", async () => {
  const r = await cli([]);
  clean(r);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^Usage: mfp-mail \[options\] \[command\]/);
  assert.match(r.stderr, /^ {2}send \[options\]/m);
});

test("queue: the last reply is told with single spaces, even when the server's text is empty", async () => {
  // A server that answers MAIL FROM with a bare "451" and nothing after it.
  const srv = await rawServer((s) => {
    s.write("220 raw.test ESMTP\r\n");
    onLines(s, (line, sock) => {
      const verb = line.split(" ")[0]!.toUpperCase();
      if (verb === "EHLO") sock.write("250-raw.test\r\n250 8BITMIME\r\n");
      else if (verb === "MAIL") sock.write("451\r\n");
      else if (verb === "QUIT") sock.end("221 bye\r\n");
      else sock.write("250 ok\r\n");
    });
  });
  try {
    const box = outbox("bare-451");
    const r = await cli(["send", "--server", "127.0.0.1", "--port", String(srv.port), "--tls", "none", "--from", USER, "--to", "a@contoso.test", "--body", "x", ...box]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const q = await cli(["queue", ...box]);
    clean(q);
    assert.equal(q.code, 0);
    const job = lines(q.stdout).find((l) => l.includes("·  last:"));
    assert.ok(job, q.stdout);
    assert.match(job, /last: 451 \S/);
    assert.doesNotMatch(job.slice(job.indexOf("last:")), / {2}/);
  } finally {
    await srv.close();
  }
});
