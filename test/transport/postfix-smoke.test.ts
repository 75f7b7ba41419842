// Smoke test against a real Postfix (Debian 3.7) started by the fixture: a hand-written SMTP
// dialogue over our transport — EHLO, STARTTLS via upgradeTls(), AUTH, one message — and the
// message read back from Postfix's maildir. No core involved: this checks the transport and the
// fixture that the end-to-end suites build on.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { openTransport } from "../../host/transport/connect.js";
import type { PhasedTransport } from "../../host/transport/tcp.js";
import { postfixUnavailable, startPostfix, type PostfixInstance } from "../fixtures/postfix.js";

const why = postfixUnavailable();
let pf: PostfixInstance | null = null;

before(async () => {
  if (!why) pf = await startPostfix();
});
after(async () => {
  await pf?.stop();
});

/** Read one complete SMTP reply (RFC 5321 §4.2.1: last line has "ddd "). */
async function reply(t: PhasedTransport): Promise<{ code: number; text: string }> {
  let buf = "";
  for (let i = 0; i < 200; i++) {
    const c = await t.read();
    if (c === null) throw new Error(`connection closed; got ${JSON.stringify(buf)}`);
    buf += Buffer.from(c).toString("latin1");
    const lines = buf.split("\r\n");
    const last = lines[lines.length - 2];
    if (buf.endsWith("\r\n") && last !== undefined && /^\d{3}( |$)/.test(last)) return { code: Number(last.slice(0, 3)), text: buf };
  }
  throw new Error(`no complete reply: ${JSON.stringify(buf)}`);
}

async function cmd(t: PhasedTransport, line: string, expect: number): Promise<string> {
  await t.write(Buffer.from(line + "\r\n"));
  const r = await reply(t);
  assert.equal(r.code, expect, `${line.split(" ")[0]} → ${r.text}`);
  return r.text;
}

async function startTlsSession(p: PostfixInstance): Promise<PhasedTransport> {
  const t = await openTransport({ host: p.host, port: p.port, tls: "starttls", timeouts: { greeting: 10_000, command: 10_000 } });
  assert.equal((await reply(t)).code, 220);
  t.setPhase("command");
  const ehlo = await cmd(t, "EHLO scanner.test.local", 250);
  assert.match(ehlo, /250-STARTTLS/);
  // smtpd_tls_auth_only: no AUTH offered in plaintext.
  assert.doesNotMatch(ehlo, /AUTH/);
  await cmd(t, "STARTTLS", 220);
  const info = await t.upgradeTls({ servername: p.hostname, ca: p.caPem });
  assert.match(info.protocol, /^TLSv1\.[23]$/);
  assert.equal(info.peerSubject, p.hostname);
  const ehlo2 = await cmd(t, "EHLO scanner.test.local", 250);
  assert.match(ehlo2, /250-AUTH .*PLAIN/);
  assert.match(ehlo2, /LOGIN/);
  assert.doesNotMatch(ehlo2, /STARTTLS/);
  return t;
}

test("Postfix: EHLO, STARTTLS, AUTH PLAIN, one message delivered to the maildir", { skip: why ?? false }, async () => {
  const p = pf!;
  const t = await startTlsSession(p);
  try {
    // Before AUTH the server refuses to take mail (smtpd_recipient_restrictions).
    await cmd(t, `MAIL FROM:<scanner@${p.domain}>`, 250);
    t.setPhase("rcpt");
    const refused = await t.write(Buffer.from(`RCPT TO:<inbox@${p.domain}>\r\n`)).then(() => reply(t));
    assert.equal(refused.code, 554, refused.text);
    t.setPhase("command");
    await cmd(t, "RSET", 250);
    const plain = Buffer.from(`\0${p.user}\0${p.password}`).toString("base64");
    await cmd(t, `AUTH PLAIN ${plain}`, 235);
    t.setPhase("mail");
    await cmd(t, `MAIL FROM:<scanner@${p.domain}>`, 250);
    t.setPhase("rcpt");
    await cmd(t, `RCPT TO:<inbox@${p.domain}>`, 250);
    t.setPhase("dataInit");
    await cmd(t, "DATA", 354);
    t.setPhase("dataBlock");
    const body = [
      `From: Scanner <scanner@${p.domain}>`,
      `To: <inbox@${p.domain}>`,
      "Subject: transport smoke test",
      "Message-ID: <smoke-1@scanner.test.local>",
      "",
      "Scanned page 1 of 1.",
      "..a line that starts with a dot (transparency, RFC 5321 4.5.2)",
    ].join("\r\n");
    await t.write(Buffer.from(body + "\r\n"));
    t.setPhase("dataTerm");
    await cmd(t, ".", 250);
    t.setPhase("command");
    await cmd(t, "QUIT", 221);
    const delivered = await p.waitDelivered(1);
    const msg = delivered.find((m) => m.includes("smoke-1@scanner.test.local"));
    assert.ok(msg, `not delivered; maildir holds ${delivered.length} message(s)`);
    assert.match(msg, /^Subject: transport smoke test$/m);
    assert.match(msg, /^\.a line that starts with a dot/m);
    // Postfix records the session: TLS and SASL-authenticated ESMTP ("ESMTPSA", RFC 3848).
    assert.match(msg, /with ESMTPSA/);
    assert.match(msg, /using TLSv1\.[23]/);
  } finally {
    t.close();
  }
});

test("Postfix: AUTH LOGIN works and a wrong password gets 535", { skip: why ?? false }, async () => {
  const p = pf!;
  const t = await startTlsSession(p);
  try {
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    await cmd(t, "AUTH LOGIN", 334);
    await cmd(t, b64(p.user), 334);
    const bad = await t.write(Buffer.from(b64(p.password + "x") + "\r\n")).then(() => reply(t));
    assert.equal(bad.code, 535, bad.text);
    await cmd(t, "AUTH LOGIN", 334);
    await cmd(t, b64(`${p.user}@${p.domain}`), 334);
    await cmd(t, b64(p.password), 235);
    await cmd(t, "QUIT", 221);
  } finally {
    t.close();
  }
});

test("Postfix: the fixture's server certificate is refused without its CA (no silent trust)", { skip: why ?? false }, async () => {
  const p = pf!;
  const t = await openTransport({ host: p.host, port: p.port, tls: "starttls", timeouts: { greeting: 10_000 } });
  try {
    await reply(t);
    await cmd(t, "EHLO scanner.test.local", 250);
    await cmd(t, "STARTTLS", 220);
    await assert.rejects(t.upgradeTls({ servername: p.hostname }), (e: Error & { code?: string }) => e.code === "TLS_CERT_UNTRUSTED");
  } finally {
    t.close();
  }
});
