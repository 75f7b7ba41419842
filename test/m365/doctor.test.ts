// `mfp-mail doctor` against the Exchange-Online-like fixture: static refusals exit 2 without a
// connection; live probes report TLS, extensions and AUTH, and never send a message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { startExchangeOnline, type ExoServer } from "../fixtures/exchange-online.js";
import { doctorAction } from "../../host/commands/doctor.js";
import { createCa, issueClientCert } from "../../host/sim/selfsigned.js";
import { mbedtlsAvailable, mbedtlsWasmPath } from "../../host/transport/mbedtls-module.js";

let dir = "";
let sub: ExoServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "mfp-doctor-"));
  sub = await startExchangeOnline({
    mode: "submission", bindHost: "localhost",
    mailboxes: {
      "scanner@contoso.com": { password: "correct horse", token: "tok-123" },
      "blocked@contoso.com": { password: "pw", smtpAuthDisabled: true },
    },
  });
  await writeFile(join(dir, "ca.pem"), sub.ca.cert);
  await writeFile(join(dir, "token"), "tok-123\n");
  await writeFile(join(dir, "password"), "correct horse\n");
  await writeFile(join(dir, "wrong"), "wrong\n");
});
after(async () => {
  await sub.close();
  await rm(dir, { recursive: true, force: true });
});

async function doctor(o: Record<string, unknown>): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await doctorAction({ timeout: "5000", ...o } as never, (s) => lines.push(s));
  return { code, text: lines.join("\n") };
}
const subOpts = () => ({ preset: "m365-submission", host: "localhost", port: String(sub.port), ca: join(dir, "ca.pem"), from: "scanner@contoso.com", user: "scanner@contoso.com", to: ["someone@fabrikam.com"] });

test("465 with the submission preset: ✗ with the explanation, exit 2, no connection made", async () => {
  const before = sub.rejections.length + sub.received.length;
  const r = await doctor({ ...subOpts(), port: "465" });
  assert.equal(r.code, 2);
  assert.match(r.text, /✗ Port 465 \(implicit TLS\) with Microsoft 365 SMTP AUTH submission\n {4}→ .*Use port 587 with STARTTLS/);
  assert.match(r.text, /Live probe skipped/);
  assert.doesNotMatch(r.text, /Connected to/);
  assert.equal(sub.rejections.length + sub.received.length, before);
});

test("static warnings: IP host, Send As, basic auth; errors: TLS off with relay, bad recipient, unknown preset", async () => {
  process.env.MFP_MAIL_PASSWORD = "x";
  try {
    const r = await doctor({ preset: "m365-submission", host: "52.96.0.1", from: "boss@contoso.com", user: "scanner@contoso.com", probe: false });
    assert.equal(r.code, 0);
    assert.match(r.text, /⚠ Server given as an IP address \(52\.96\.0\.1\)\n {4}→ Use smtp\.office365\.com/);
    assert.match(r.text, /⚠ From boss@contoso\.com ≠ signed-in mailbox scanner@contoso\.com\n {4}→ .*5\.7\.60/);
    assert.match(r.text, /⚠ Password sign-in \(LOGIN\/PLAIN\): .*basic authentication for SMTP AUTH off by default.*end of December 2026.*\n {4}→ Two ways forward: .*mfp-mail login.*--client-secret-env/);
  } finally {
    delete process.env.MFP_MAIL_PASSWORD;
  }
  const relay = await doctor({ preset: "m365-relay", domain: "contoso.com", tls: "opportunistic", probe: false });
  assert.equal(relay.code, 2);
  assert.match(relay.text, /✗ TLS is "opportunistic" with m365-relay/);
  const bad = await doctor({ preset: "m365-direct-send", domain: "contoso.com", to: ["bob at contoso.com"], probe: false });
  assert.equal(bad.code, 2);
  assert.match(bad.text, /✗ --to\[0\]: not an e-mail address: .*no @/);
  const unk = await doctor({ preset: "office365", probe: false });
  assert.equal(unk.code, 2);
  assert.match(unk.text, /✗ --preset: unknown preset "office365"/);
  const dom = await doctor({ preset: "m365-direct-send", domain: "contoso", probe: false });
  assert.equal(dom.code, 2);
  assert.match(dom.text, /✗ --domain: not a domain name/);
  const board = await doctor({ preset: "generic", board: join(dir, "nope.json"), probe: false });
  assert.equal(board.code, 2);
  assert.match(board.text, /BOARD_UNREADABLE/);
});

test("Direct Send: external recipient warning and the SPF record for the static IP", async () => {
  const r = await doctor({ preset: "m365-direct-send", domain: "contoso.com", from: "scanner@contoso.com", to: ["a@contoso.com", "b@fabrikam.com"], staticIp: "203.0.113.7", probe: false });
  assert.equal(r.code, 0);
  assert.match(r.text, /⚠ Direct Send cannot reach b@fabrikam\.com \(outside contoso\.com\)/);
  assert.match(r.text, /Publish SPF for contoso\.com: "v=spf1 ip4:203\.0\.113\.7 include:spf\.protection\.outlook\.com ~all"/);
  assert.match(r.text, /Preset m365-direct-send: MX of contoso\.com:25/);
});

test("correct submission setup with XOAUTH2: TLS, extensions, signed in, nothing sent, exit 0", async () => {
  const r = await doctor({ ...subOpts(), tokenFile: join(dir, "token") });
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /✓ Connected to localhost:\d+: 220 smtp\.office365\.com/);
  assert.match(r.text, /✓ STARTTLS: TLSv1\.[23], \S+, certificate localhost.* — TLS engine node-tls/);
  assert.match(r.text, /✓ Extensions: SIZE 36700160 \(35\.0 MiB\), PIPELINING yes, CHUNKING yes, BINARYMIME yes/);
  assert.match(r.text, /✓ AUTH mechanisms: LOGIN XOAUTH2 \(will use XOAUTH2\)/);
  assert.match(r.text, /✓ Signed in with XOAUTH2/);
  assert.match(r.text, /✓ Stopped before MAIL FROM/);
  assert.equal(sub.received.length, 0);
  assert.doesNotMatch(r.text, /tok-123/, "the token never reaches the output");
});

test("XOAUTH2 with a token the server refuses: ✗ with the sign-in panel text, not the password one", async () => {
  await writeFile(join(dir, "bad-token"), "tok-wrong\n");
  const r = await doctor({ ...subOpts(), tokenFile: join(dir, "bad-token") });
  assert.equal(r.code, 3, r.text);
  assert.match(r.text, /✗ Sign-in with XOAUTH2 failed: 535 .*the panel says "The sign-in has expired; sign in again on the device\."/);
  assert.doesNotMatch(r.text, /check user name and password/);
  assert.doesNotMatch(r.text, /tok-wrong/);
  assert.equal(sub.received.length, 0);
});

test("LOGIN: right password signs in; SMTP AUTH disabled → 5.7.139 panel text; wrong password → 5.7.3", async () => {
  const ok = await doctor({ ...subOpts(), auth: "LOGIN", passwordFile: join(dir, "password") });
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /✓ Signed in with LOGIN/);
  assert.match(ok.text, /⚠ Password sign-in \(LOGIN\/PLAIN\)/);
  assert.doesNotMatch(ok.text, /correct horse/);

  const off = await doctor({ ...subOpts(), user: "blocked@contoso.com", from: "blocked@contoso.com", auth: "LOGIN", passwordFile: join(dir, "password") });
  assert.equal(off.code, 3);
  assert.match(off.text, /✗ Sign-in with LOGIN failed: 535 5\.7\.139 .*the panel says "Sign-in was refused because SMTP AUTH is turned off for this mailbox\."\)\n {4}→ Enable authenticated SMTP/);

  const wrong = await doctor({ ...subOpts(), auth: "LOGIN", passwordFile: join(dir, "wrong") });
  assert.equal(wrong.code, 3);
  assert.match(wrong.text, /✗ Sign-in with LOGIN failed: 535 5\.7\.3 .*the panel says "Sign-in failed; check the user name and password\."/);
});

test("TLS required but the server offers no STARTTLS: ✗", async () => {
  const plain = new SMTPServer({ hideSTARTTLS: true, disabledCommands: ["AUTH"], logger: false });
  await new Promise<void>((res) => plain.listen(0, "127.0.0.1", () => res()));
  try {
    const port = (plain.server.address() as AddressInfo).port;
    const r = await doctor({ preset: "generic", host: "127.0.0.1", port: String(port), from: "a@contoso.com" });
    assert.equal(r.code, 3);
    assert.match(r.text, /✗ Server does not offer STARTTLS/);
  } finally {
    await new Promise<void>((res) => plain.close(() => res()));
  }
});

test("untrusted certificate: ✗ with the transport's code and panel text", async () => {
  const r = await doctor({ ...subOpts(), ca: undefined, tokenFile: join(dir, "token") });
  assert.equal(r.code, 3);
  assert.match(r.text, /✗ STARTTLS: .*the panel says "The server certificate is not trusted, so nothing was sent\."/);
});

test("relay connector: client certificate presented, STARTTLS required, no AUTH", async () => {
  const clientCa = createCa("device CA");
  const relay = await startExchangeOnline({ mode: "relay", bindHost: "localhost", clientCa });
  try {
    const cc = issueClientCert(clientCa, { commonName: "scanner.contoso.com" });
    await writeFile(join(dir, "relay-ca.pem"), relay.ca.cert);
    await writeFile(join(dir, "client.pem"), cc.cert);
    await writeFile(join(dir, "client.key"), cc.key);
    const r = await doctor({ preset: "m365-relay", domain: "contoso.com", host: "localhost", port: String(relay.port), ca: join(dir, "relay-ca.pem"), clientCert: join(dir, "client.pem"), clientKey: join(dir, "client.key"), from: "scanner@contoso.com" });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /✓ STARTTLS: TLSv1\.[23]/);
    assert.doesNotMatch(r.text, /AUTH mechanisms/);
  } finally {
    await relay.close();
  }
});

test("a board file with a wrong type: exit 2, the JSON path named, no connection", async () => {
  const board = JSON.parse(await (await import("node:fs/promises")).readFile(new URL("../../boards/arm-64mb.json", import.meta.url), "utf8"));
  board.core.inCap = "16k";
  await writeFile(join(dir, "bad-board.json"), JSON.stringify(board));
  const before = sub.rejections.length + sub.received.length;
  const r = await doctor({ ...subOpts(), board: join(dir, "bad-board.json"), tokenFile: join(dir, "token") });
  assert.equal(r.code, 2);
  assert.match(r.text, /✗ \$\.core\.inCap: type: must be a whole number, got "16k"/);
  assert.match(r.text, /BOARD_INVALID/);
  assert.equal(sub.rejections.length + sub.received.length, before);
});

test("SMTPUTF8: a non-ASCII recipient is fine when the server offers SMTPUTF8, ✗ when it does not", async () => {
  const ok = await doctor({ ...subOpts(), to: ["jürgen@contoso.com"], tokenFile: join(dir, "token") });
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /SMTPUTF8 yes/);
  const plain = new SMTPServer({ hideSMTPUTF8: true, disabledCommands: ["AUTH", "STARTTLS"], logger: false } as never);
  await new Promise<void>((res) => plain.listen(0, "127.0.0.1", () => res()));
  try {
    const port = (plain.server.address() as AddressInfo).port;
    const r = await doctor({ preset: "generic", host: "127.0.0.1", port: String(port), tls: "opportunistic", from: "a@contoso.com", to: ["jürgen@contoso.com"] });
    assert.equal(r.code, 3, r.text);
    assert.match(r.text, /✗ Server does not offer SMTPUTF8, needed for jürgen@contoso\.com/);
  } finally {
    await new Promise<void>((res) => plain.close(() => res()));
  }
});

test("send's flag words work for doctor: --server, --tls starttls [--require-tls], --auth none|login", async () => {
  const relay = await doctor({ preset: "m365-relay", domain: "contoso.com", tls: "starttls", probe: false });
  assert.equal(relay.code, 2);
  assert.match(relay.text, /✗ TLS is "opportunistic" with m365-relay\n {4}→ .*--tls starttls --require-tls/);
  const strict = await doctor({ preset: "m365-relay", domain: "contoso.com", tls: "starttls", requireTls: true, from: "scanner@contoso.com", staticIp: "203.0.113.7", probe: false });
  assert.equal(strict.code, 0, strict.text);
  const bad = await doctor({ preset: "generic", server: "mail.example.org", tls: "ssl", probe: false });
  assert.equal(bad.code, 2);
  assert.match(bad.text, /✗ --tls: must be starttls, implicit or none/);
  const r = await doctor({ ...subOpts(), host: undefined, server: "localhost", auth: "login", passwordFile: join(dir, "password") });
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /AUTH LOGIN\b/);
  assert.match(r.text, /✓ Signed in with LOGIN/);
  const none = await doctor({ preset: "m365-direct-send", domain: "contoso.com", auth: "none", probe: false });
  assert.match(none.text, /AUTH none/);
});

test("the board's TLS engine runs the probe: mbedtls-wasm reports TLS 1.2, its cipher and the certificate", {
  skip: mbedtlsAvailable() ? false : `${mbedtlsWasmPath()} is not built — run "npm run build:tls" (CI builds it)`,
}, async () => {
  const board = JSON.parse(await (await import("node:fs/promises")).readFile(new URL("../../boards/arm-64mb.json", import.meta.url), "utf8"));
  board.tls.engine = "mbedtls-wasm";
  await writeFile(join(dir, "mbedtls-board.json"), JSON.stringify(board));
  const r = await doctor({ ...subOpts(), board: join(dir, "mbedtls-board.json"), tokenFile: join(dir, "token") });
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /TLS engine mbedtls-wasm/);
  assert.match(r.text, /✓ STARTTLS: TLSv1\.2, \S+, certificate localhost.* — TLS engine mbedtls-wasm/);
  assert.match(r.text, /✓ Signed in with XOAUTH2/);
  assert.match(r.text, /✓ Stopped before MAIL FROM/);
  assert.equal(sub.received.length, 0);
});
