// Each Microsoft 365 preset against the matching mode of the Exchange-Online-like fixture,
// through the product's own path: `mfp-mail send` flags → prepareSend() (preset resolution,
// host/commands/send-options.ts) → sendMessage() (host/session/driver.ts, the wasm core, the transport) on
// the arm-64mb board. Success is read back with mailparser; each documented failure mode ends
// with its classification id and panel message (lines joined with " — " in result.message).
// The whole suite runs once per TLS engine (node-tls and mbedtls-wasm stay equal);
// mbedtls-wasm only when build/mbedtls.wasm is built (CI builds it).
import { describe, it, before, after } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startExchangeOnline, type ExoOptions, type ExoServer } from "../fixtures/exchange-online.js";
import { prepareSend, type SendFlags } from "../../host/commands/send-options.js";
import { sendMessage } from "../../host/session/driver.js";
import type { SessionResult } from "../../host/session/types.js";
import { createCa, issueClientCert, type CertPair } from "../../host/sim/selfsigned.js";
import type { TlsEngineName } from "../../host/config/board.js";
import { mbedtlsAvailable, mbedtlsWasmPath } from "../../host/transport/mbedtls-module.js";

let dir = "";
const servers: ExoServer[] = [];
before(async () => { dir = await mkdtemp(join(tmpdir(), "mfp-m365-")); });
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

const TOKEN = "eyJ0eXAi.fixture-token";
const MAILBOXES = {
  "scanner@contoso.com": { password: "pw-1", token: TOKEN },
  "delegate@contoso.com": { password: "pw-2", sendAs: ["scans@contoso.com"] },
  "blocked@contoso.com": { password: "pw-3", smtpAuthDisabled: true },
};

let n = 0;
async function fixture(o: ExoOptions): Promise<ExoServer & { caFile: string }> {
  const s = await startExchangeOnline({ bindHost: "localhost", ...o });
  servers.push(s);
  const caFile = join(dir, `ca-${++n}.pem`);
  await writeFile(caFile, s.ca.cert);
  return Object.assign(s, { caFile });
}
async function certFiles(c: CertPair): Promise<{ clientCert: string; clientKey: string }> {
  const base = join(dir, `client-${++n}`);
  await writeFile(`${base}.pem`, c.cert);
  await writeFile(`${base}.key`, c.key);
  return { clientCert: `${base}.pem`, clientKey: `${base}.key` };
}

/** `mfp-mail send --preset … --server localhost --port … --ca …` with secrets in the environment. */
/** The board's TLS engine is replaced by `engine`, as a board profile choosing it would. */
async function send(engine: TlsEngineName, s: ExoServer & { caFile: string }, flags: SendFlags, env: Record<string, string> = {}): Promise<SessionResult> {
  const { options } = await prepareSend(
    { server: "localhost", port: String(s.port), ca: s.caFile, board: "arm-64mb", timeout: "5000", subject: "Scan", body: "Scanned document.", ...flags },
    { isTty: false, env },
  );
  // Exchange Online offers CHUNKING + BINARYMIME after STARTTLS: the suite sends scans that way
  // whatever the board's default (binaryMime: true for this send).
  const result = await sendMessage({ ...options, binaryMime: true, board: { ...options.board, tls: { ...options.board.tls, engine } } });
  if (result.tls) assert.equal(result.tls.engine, engine, "the board's engine ran the TLS session");
  return result;
}
const panel = (r: SessionResult, text: string) => assert.ok(r.message.startsWith(text), `panel: ${r.message}`);

const ENGINES: { engine: TlsEngineName; skip: string | false }[] = [
  { engine: "node-tls", skip: false },
  {
    engine: "mbedtls-wasm",
    skip: mbedtlsAvailable() ? false : `${mbedtlsWasmPath()} is not built — run "npm run build:tls" (CI builds it); the mbedtls-wasm half of the suite is skipped`,
  },
];

for (const { engine, skip } of ENGINES) describe(`M365 presets end to end over ${engine}`, () => {
  const { it, before, after } = whenRunnable(skip);
  const sendVia = (s: ExoServer & { caFile: string }, flags: SendFlags, env: Record<string, string> = {}) => send(engine, s, flags, env);

  it("m365-submission + XOAUTH2: delivered over TLS ≥ 1.2 as the signed-in mailbox", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
    const r = await sendVia(s, { preset: "m365-submission", from: "scanner@contoso.com", to: ["ap@fabrikam.com", "bob@contoso.com"], subject: "Invoice 4711" }, { MFP_MAIL_TOKEN: TOKEN });
    assert.deepEqual([r.status, r.id, r.message], ["sent", "OK", "Sent to all 2 recipients."], r.message);
    assert.equal(s.received.length, 1);
    const m = s.received[0]!;
    assert.equal(m.user, "scanner@contoso.com");
    assert.match(m.tlsProtocol ?? "", /^TLSv1\.[23]$/);
    assert.equal(r.tls?.engine, engine);
    assert.equal(r.tls?.protocol, m.tlsProtocol, "both ends agree on the protocol");
    assert.equal(m.parsed.subject, "Invoice 4711");
    assert.match(m.parsed.text ?? "", /Scanned document\./);
    assert.deepEqual(m.to, ["ap@fabrikam.com", "bob@contoso.com"]);
    assert.deepEqual([m.via, m.body, r.bodyMode], ["BDAT", "BINARYMIME", "binarymime"], "BDAT with BINARYMIME, as Exchange Online takes it");
  });

  it("m365-submission + LOGIN with Send As: delivered; without Send As: 5.7.60 panel message", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
    const ok = await sendVia(s, { preset: "m365-submission", auth: "login", user: "delegate@contoso.com", passwordEnv: "PW", from: "scans@contoso.com", to: ["x@contoso.com"] }, { PW: "pw-2" });
    assert.equal(ok.status, "sent", ok.message);
    const denied = await sendVia(s, { preset: "m365-submission", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW", from: "ceo@contoso.com", to: ["x@contoso.com"] }, { PW: "pw-1" });
    assert.deepEqual([denied.status, denied.id, denied.code, denied.enhanced, denied.transient], ["failed", "M365_SEND_AS_DENIED", 550, "5.7.60", false]);
    panel(denied, "This mailbox is not allowed to send as the sender address.");
    assert.match(denied.adminHint ?? "", /Send As/);
    assert.equal(s.received.length, 1, "only the Send As message arrived");
  });

  it("m365-submission failures: 5.7.139 SMTP AUTH disabled, 5.7.3 wrong password, 5.7.57 no AUTH", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
    const off = await sendVia(s, { preset: "m365-submission", auth: "login", user: "blocked@contoso.com", passwordEnv: "PW", from: "blocked@contoso.com", to: ["x@contoso.com"] }, { PW: "pw-3" });
    assert.deepEqual([off.status, off.id, off.code, off.enhanced], ["failed", "M365_SMTP_AUTH_DISABLED", 535, "5.7.139"]);
    panel(off, "Sign-in was refused because SMTP AUTH is turned off for this mailbox.");
    const wrong = await sendVia(s, { preset: "m365-submission", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW", from: "scanner@contoso.com", to: ["x@contoso.com"] }, { PW: "nope" });
    assert.deepEqual([wrong.id, wrong.enhanced], ["AUTH_FAILED", "5.7.3"]);
    panel(wrong, "Sign-in failed; check the user name and password.");
    const anon = await sendVia(s, { preset: "m365-submission", auth: "none", from: "scanner@contoso.com", to: ["x@contoso.com"] });
    assert.deepEqual([anon.id, anon.code, anon.enhanced], ["M365_NOT_AUTHENTICATED", 530, "5.7.57"]);
    panel(anon, "The server requires sign-in before sending.");
    assert.equal(s.received.length, 0);
  });

  it("m365-submission: STARTTLS stripped → refused locally before any credential is sent", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES, stripStartTls: true });
    const r = await sendVia(s, { preset: "m365-submission", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW", from: "scanner@contoso.com", to: ["x@contoso.com"] }, { PW: "pw-1" });
    assert.deepEqual([r.status, r.id], ["failed", "TLS_NOT_OFFERED"]);
    panel(r, "The server offers no encryption, so nothing was sent (TLS is required).");
    assert.ok(!s.rejections.some((x) => x.startsWith("535")), "no AUTH attempt reached the server");
    assert.equal(s.received.length, 0);
  });

  it("m365-submission: 30 messages per minute per mailbox → transient, queued for retry", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES, perMinute: 2 });
    const flags = { preset: "m365-submission", from: "scanner@contoso.com", to: ["x@contoso.com"] };
    for (let i = 0; i < 2; i++) assert.equal((await sendVia(s, flags, { MFP_MAIL_TOKEN: TOKEN })).status, "sent");
    const third = await sendVia(s, flags, { MFP_MAIL_TOKEN: TOKEN });
    assert.deepEqual([third.status, third.id, third.transient], ["not-sent-transient", "RATE_LIMITED", true]);
    panel(third, "The device is sending too fast for this mailbox; send the scan again in a minute.");
    assert.equal(s.received.length, 2);
  });

  it("m365-direct-send: internal recipients delivered without AUTH; external → Direct Send panel message; mixed → partial", async () => {
    const s = await fixture({ mode: "direct-send" });
    const ok = await sendVia(s, { preset: "m365-direct-send", from: "scanner@contoso.com", to: ["ap@contoso.com"] });
    assert.deepEqual([ok.status, ok.message], ["sent", "Sent."]);
    assert.equal(s.received[0]!.user, undefined);
    const ext = await sendVia(s, { preset: "m365-direct-send", from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.deepEqual([ext.status, ext.id, ext.code, ext.enhanced], ["failed", "RELAY_DENIED", 550, "5.7.54"]);
    panel(ext, "Direct Send only reaches recipients inside the organisation.");
    assert.match(ext.adminHint ?? "", /m365-submission|m365-relay/);
    const mixed = await sendVia(s, { preset: "m365-direct-send", from: "scanner@contoso.com", to: ["a@contoso.com", "b@contoso.com", "partner@fabrikam.com"] });
    assert.deepEqual([mixed.status, mixed.id, mixed.message], ["partial", "PARTIAL", "Sent to 2 of 3 recipients; 1 refused."]);
    assert.deepEqual(mixed.recipients.map((r) => r.accepted), [true, true, false]);
    assert.deepEqual(s.received.at(-1)!.to, ["a@contoso.com", "b@contoso.com"]);
  });

  it("graylisting: 451 4.7.500 on the first attempt → not-sent-transient (a bare session stores nothing); the next is delivered; one of 3 → partial", async () => {
    const s = await fixture({ mode: "direct-send", graylist: true });
    const flags = { preset: "m365-direct-send", from: "scanner@contoso.com", to: ["ap@contoso.com"] };
    const first = await sendVia(s, flags);
    assert.deepEqual([first.status, first.id, first.enhanced, first.transient], ["not-sent-transient", "M365_GRAYLISTED", "4.7.500", true]);
    panel(first, "The server is busy (throttled); send the scan again later.");
    assert.equal((await sendVia(s, flags)).status, "sent");

    const g2 = await fixture({ mode: "direct-send", graylist: true });
    const three = await sendVia(g2, { ...flags, to: ["a@contoso.com", "b@contoso.com", "c@contoso.com"] });
    assert.deepEqual([three.status, three.message, three.transient], ["partial", "Sent to 2 of 3 recipients; 1 recipient was deferred.", true]);
    assert.deepEqual(three.recipients.map((r) => r.accepted), [false, true, true]);
  });

  it("m365-relay: certificate naming an accepted domain relays outside; none or a foreign one → 5.7.64", async () => {
    const deviceCa = createCa("device CA");
    const s = await fixture({ mode: "relay", clientCa: deviceCa });
    const good = await certFiles(issueClientCert(deviceCa, { commonName: "scanner.contoso.com" }));
    const ok = await sendVia(s, { preset: "m365-relay", ...good, from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.equal(ok.status, "sent", ok.message);
    assert.equal(s.received[0]!.clientCertSubject, "scanner.contoso.com");
    const foreign = await certFiles(issueClientCert(deviceCa, { commonName: "printer.fabrikam.com" }));
    for (const cert of [{}, foreign]) {
      const r = await sendVia(s, { preset: "m365-relay", ...cert, from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
      assert.deepEqual([r.id, r.enhanced], ["M365_RELAY_CONNECTOR_MISMATCH", "5.7.64"]);
      panel(r, "The mail connector no longer recognises this device, so the administrator must check it");
    }
    assert.equal(s.received.length, 1);
  });

  it("size limit below the message → MESSAGE_TOO_BIG with the split action", async () => {
    const s = await fixture({ mode: "direct-send", size: 2000 });
    const r = await sendVia(s, { preset: "m365-direct-send", from: "scanner@contoso.com", to: ["a@contoso.com"], body: "x".repeat(6000) });
    assert.deepEqual([r.status, r.id], ["failed", "MESSAGE_TOO_BIG"]);
    panel(r, "The scan is too large for the server, so it is sent in smaller parts.");
    assert.equal(s.received.length, 0);
  });

  it("generic preset against the fixture's submission mode (any MTA)", async () => {
    const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
    const r = await sendVia(s, { preset: "generic", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW", from: "scanner@contoso.com", to: ["x@contoso.com"] }, { PW: "pw-1" });
    assert.equal(r.status, "sent", r.message);
    assert.equal(s.received.length, 1);
  });

  it("m365-relay by static IP: a connector listing the device's address relays without a certificate", async () => {
    const s = await fixture({ mode: "relay", relayIps: ["127.0.0.1", "::1"] });
    const r = await sendVia(s, { preset: "m365-relay", from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.equal(r.status, "sent", r.message);
    assert.equal(s.received[0]!.clientCertSubject, null);
    assert.match(s.received[0]!.tlsProtocol ?? "", /^TLSv1\.[23]$/);
  });
});
