// Each Microsoft 365 preset against the matching mode of the Exchange-Online-like fixture: the
// success path delivers (mailparser reads what arrived), and every documented failure mode ends
// with the documented panel message and class. Core + transport driven by ./drive.ts.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startExchangeOnline, type ExoOptions, type ExoServer } from "../fixtures/exchange-online.js";
import { drive, type DriveSpec } from "./drive.js";
import { resolvePreset, type PresetName, type PresetOverrides } from "../../host/config/presets.js";
import { resolveBoard } from "../../host/config/board.js";
import { createCa, issueClientCert } from "../../host/certs/selfsigned.js";

const board = resolveBoard("arm-64mb"); // the small board: every test also runs within 128 KiB of core memory
const servers: ExoServer[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

async function fixture(o: ExoOptions): Promise<ExoServer> {
  const s = await startExchangeOnline(o);
  servers.push(s);
  return s;
}
const MAILBOXES = {
  "scanner@contoso.com": { password: "pw-1", token: "eyJ0eXAi.fixture-token" },
  "delegate@contoso.com": { password: "pw-2", sendAs: ["scans@contoso.com"] },
  "blocked@contoso.com": { password: "pw-3", smtpAuthDisabled: true },
};
function send(s: ExoServer, preset: PresetName, over: PresetOverrides, spec: Partial<DriveSpec> & { from: string; to: string[] }) {
  const profile = resolvePreset(preset, { host: s.host, port: s.port, ...over });
  return drive({ profile, board, ca: s.ca.cert, servername: "localhost", subject: "Scan", ...spec });
}

test("m365-submission + XOAUTH2: delivered over TLS ≥ 1.2 as the signed-in mailbox", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
  const o = await send(s, "m365-submission", {}, { user: "scanner@contoso.com", token: "eyJ0eXAi.fixture-token", from: "scanner@contoso.com", to: ["ap@fabrikam.com", "bob@contoso.com"], subject: "Invoice 4711" });
  assert.equal(o.result.userMessage, "Sent to all 2 recipients", o.transcript.join("\n"));
  assert.equal(s.received.length, 1);
  const m = s.received[0]!;
  assert.equal(m.user, "scanner@contoso.com");
  assert.match(m.tlsProtocol ?? "", /^TLSv1\.[23]$/);
  assert.equal(m.parsed.subject, "Invoice 4711");
  assert.deepEqual(m.to, ["ap@fabrikam.com", "bob@contoso.com"]);
  assert.ok(o.transcript.some((l) => l === "C: AUTH XOAUTH2 ****"), "token redacted in the transcript");
  assert.ok(!o.transcript.join("\n").includes("fixture-token"));
});

test("m365-submission + LOGIN and Send As: delivered; without Send As: 5.7.60 panel message", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
  const ok = await send(s, "m365-submission", { authMechs: ["LOGIN"] }, { user: "delegate@contoso.com", password: "pw-2", from: "scans@contoso.com", to: ["x@contoso.com"] });
  assert.equal(ok.result.class, "ok", ok.transcript.join("\n"));
  const denied = await send(s, "m365-submission", {}, { user: "scanner@contoso.com", password: "pw-1", from: "ceo@contoso.com", to: ["x@contoso.com"] });
  assert.deepEqual([denied.result.class, denied.result.id, denied.result.code, denied.result.enhanced], ["permanent", "M365_SEND_AS_DENIED", 550, "5.7.60"]);
  assert.equal(denied.result.userMessage, "Not allowed to send as\nthis sender address");
  assert.match(denied.result.adminHint, /Send As/);
  assert.equal(s.received.length, 1, "only the Send As message arrived");
});

test("m365-submission failures: 5.7.139 SMTP AUTH disabled, 5.7.3 wrong password, 5.7.57 no AUTH", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
  const off = await send(s, "m365-submission", {}, { user: "blocked@contoso.com", password: "pw-3", from: "blocked@contoso.com", to: ["x@contoso.com"] });
  assert.deepEqual([off.result.id, off.result.code, off.result.enhanced, off.result.class], ["M365_SMTP_AUTH_DISABLED", 535, "5.7.139", "permanent"]);
  assert.equal(off.result.userMessage, "Sign-in refused: SMTP AUTH\nis turned off for this mailbox");
  const wrong = await send(s, "m365-submission", {}, { user: "scanner@contoso.com", password: "nope", from: "scanner@contoso.com", to: ["x@contoso.com"] });
  assert.deepEqual([wrong.result.id, wrong.result.enhanced], ["AUTH_FAILED", "5.7.3"]);
  assert.equal(wrong.result.userMessage, "Sign-in failed: check user\nname and password");
  const anon = await send(s, "m365-submission", { authMechs: [] }, { from: "scanner@contoso.com", to: ["x@contoso.com"] });
  assert.deepEqual([anon.result.id, anon.result.code, anon.result.enhanced], ["M365_NOT_AUTHENTICATED", 530, "5.7.57"]);
  assert.equal(anon.result.userMessage, "Server requires sign-in\nbefore sending");
  assert.equal(s.received.length, 0);
});

test("m365-submission: STARTTLS stripped → refused locally, credentials never sent", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES, stripStartTls: true });
  const o = await send(s, "m365-submission", {}, { user: "scanner@contoso.com", password: "pw-1", from: "scanner@contoso.com", to: ["x@contoso.com"] });
  assert.deepEqual([o.result.id, o.result.class], ["TLS_NOT_OFFERED", "permanent"]);
  assert.equal(o.result.userMessage, "Server offers no encryption\nnot sent (TLS required)");
  assert.ok(!o.transcript.some((l) => l.startsWith("C: AUTH")), o.transcript.join("\n"));
  assert.equal(s.received.length, 0);
});

test("m365-submission: 30 messages per minute per mailbox → transient, retried later", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES, perMinute: 2 });
  const spec = { user: "scanner@contoso.com", token: "eyJ0eXAi.fixture-token", from: "scanner@contoso.com", to: ["x@contoso.com"] };
  for (let i = 0; i < 2; i++) assert.equal((await send(s, "m365-submission", {}, spec)).result.class, "ok");
  const third = await send(s, "m365-submission", {}, spec);
  assert.deepEqual([third.result.class, third.result.id, third.result.action], ["transient", "RATE_LIMITED", "retry"]);
  assert.equal(third.result.userMessage, "Sending too fast for the\nmailbox — will retry");
  assert.equal(s.received.length, 2);
});

test("m365-direct-send: internal recipients delivered without AUTH; external → relay denied panel message", async () => {
  const s = await fixture({ mode: "direct-send" });
  const ok = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["ap@contoso.com"] });
  assert.equal(ok.result.userMessage, "Sent", ok.transcript.join("\n"));
  assert.equal(s.received[0]!.user, undefined);
  assert.ok(!ok.transcript.some((l) => l.startsWith("C: AUTH")));
  const ext = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
  assert.deepEqual([ext.result.class, ext.result.id, ext.result.code, ext.result.enhanced], ["permanent", "RELAY_DENIED", 550, "5.7.54"]);
  assert.equal(ext.result.userMessage, "Direct Send only reaches\ninternal recipients");
  assert.match(ext.result.adminHint, /m365-submission|m365-relay/);
  // Mixed: a partial success, reported as such.
  const mixed = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["a@contoso.com", "b@contoso.com", "partner@fabrikam.com"] });
  assert.equal(mixed.result.userMessage, "Sent to 2 of 3\n1 refused");
  assert.deepEqual([mixed.result.id, mixed.result.refused], ["PARTIAL", ["partner@fabrikam.com"]]);
  assert.deepEqual(s.received.at(-1)!.to, ["a@contoso.com", "b@contoso.com"]);
});

test("graylisting: 451 4.7.500 on the first attempt → transient; the retry is delivered; partial when it hits one of 3", async () => {
  const s = await fixture({ mode: "direct-send", graylist: true });
  const first = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["ap@contoso.com"] });
  assert.deepEqual([first.result.class, first.result.id, first.result.action, first.result.enhanced], ["transient", "M365_GRAYLISTED", "retry", "4.7.500"]);
  assert.equal(first.result.userMessage, "Server busy (throttled)\nwill retry later");
  const retry = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["ap@contoso.com"] });
  assert.equal(retry.result.class, "ok");

  const g2 = await fixture({ mode: "direct-send", graylist: true });
  const three = await send(g2, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["a@contoso.com", "b@contoso.com", "c@contoso.com"] });
  assert.equal(three.result.userMessage, "Sent to 2 of 3\n1 recipient will be retried");
  assert.deepEqual([three.result.class, three.result.retry], ["ok", ["a@contoso.com"]]);
});

test("m365-relay: certificate naming an accepted domain relays outside; no certificate → 5.7.64", async () => {
  const deviceCa = createCa("device CA");
  const s = await fixture({ mode: "relay", clientCa: deviceCa });
  const cc = issueClientCert(deviceCa, { commonName: "scanner.contoso.com" });
  const ok = await send(s, "m365-relay", { domain: "contoso.com" }, { clientCert: cc, from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
  assert.equal(ok.result.class, "ok", ok.transcript.join("\n"));
  assert.equal(s.received[0]!.clientCertSubject, "scanner.contoso.com");
  const wrongCert = issueClientCert(deviceCa, { commonName: "printer.fabrikam.com" });
  for (const clientCert of [undefined, wrongCert]) {
    const o = await send(s, "m365-relay", { domain: "contoso.com" }, { ...(clientCert ? { clientCert } : {}), from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.deepEqual([o.result.id, o.result.enhanced], ["RELAY_DENIED", "5.7.64"]);
    assert.equal(o.result.userMessage, "Server refused to relay\nto this recipient");
  }
  assert.equal(s.received.length, 1);
});

test("size limit below the message → split", async () => {
  const s = await fixture({ mode: "direct-send", size: 2000 });
  const o = await send(s, "m365-direct-send", { domain: "contoso.com" }, { from: "scanner@contoso.com", to: ["a@contoso.com"], padding: 6000 });
  assert.deepEqual([o.result.id, o.result.action], ["MESSAGE_TOO_BIG", "split"]);
  assert.equal(o.result.userMessage, "Scan too large: sending it\nin smaller parts");
  assert.equal(s.received.length, 0);
});

test("generic preset against the fixture's submission mode (any MTA)", async () => {
  const s = await fixture({ mode: "submission", mailboxes: MAILBOXES });
  const o = await send(s, "generic", {}, { user: "scanner@contoso.com", password: "pw-1", from: "scanner@contoso.com", to: ["x@contoso.com"] });
  assert.equal(o.result.class, "ok", o.transcript.join("\n"));
  assert.equal(s.received.length, 1);
});
