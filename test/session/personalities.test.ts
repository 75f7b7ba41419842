// The session end to end through the wasm core against smtp-server personalities on loopback:
// what arrived is read back with mailparser and compared (SHA-256) with the scanned bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendMessage } from "../../host/session/driver.js";
import { simulatedScan } from "../../host/scan/index.js";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { server, options, recorder, parse, attachmentSha, sha256, greetingProxy, board, USER, PASSWORD } from "./lab.js";

test("STARTTLS + AUTH PLAIN + PIPELINING: a 3-page scan arrives byte-identical; progress, observer, TLS reported", async () => {
  const srv = await server();
  try {
    const rec = recorder();
    const scan = simulatedScan({ pages: 3, bytes: 400_000, seed: 1 });
    const r = await sendMessage(options(srv, rec, { scan }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.code, 250);
    assert.equal(r.messageAccepted, true);
    assert.deepEqual(r.recipients, [{ address: "frontdesk@contoso.test", accepted: true, code: 250 }]);
    assert.ok(r.wireBytes > 400_000, `wireBytes ${r.wireBytes}`);
    assert.equal(r.tls?.protocol.startsWith("TLSv1."), true);
    const [m] = await srv.waitForMessages(1);
    assert.equal(m!.tls, true);
    assert.equal(m!.user, USER);
    const mail = await parse(m!.raw);
    assert.equal(mail.subject, "Scan");
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.filename, scan.fileName);
    assert.equal(mail.attachments[0]!.contentType, "application/pdf");
    assert.equal(attachmentSha(mail), await sha256(scan));
    // the observer saw the redacted AUTH, never the password
    assert.ok(rec.commands.some((c) => c.startsWith("AUTH PLAIN")));
    assert.ok(!rec.commands.join("\n").includes(PASSWORD));
    assert.ok(!rec.commands.join("\n").includes(Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64")));
    assert.equal(rec.tls, 1);
    const phases = [...new Set(rec.progress.map((p) => p.phase))];
    // The session reports its phases; the outcome ("Sent", "Will retry" …) is the caller's last line.
    assert.deepEqual(phases, ["Connecting", "Securing", "Signing in", "Sending"]);
    assert.ok(rec.progress.some((p) => p.text === "Sending page 3 of 3"));
    const last = rec.progress.at(-1)!;
    assert.equal(last.bytesSent, last.bytesTotal);
  } finally {
    await srv.close();
  }
});

test("no PIPELINING: still delivered, with more round trips than a pipelining server", async () => {
  const piped = await server();
  const plain = await server({ pipelining: false });
  try {
    const a = await sendMessage(options(piped, recorder(), { to: ["a@contoso.test", "b@contoso.test", "c@contoso.test"] }));
    const b = await sendMessage(options(plain, recorder(), { to: ["a@contoso.test", "b@contoso.test", "c@contoso.test"] }));
    assert.equal(a.status, "sent");
    assert.equal(b.status, "sent");
    assert.equal((await plain.waitForMessages(1))[0]!.to.length, 3);
    // MAIL + 3 RCPT + DATA in one flight vs five: at least 4 fewer turns
    assert.ok(b.roundTrips >= a.roundTrips + 4, `pipelined ${a.roundTrips}, unpipelined ${b.roundTrips}`);
  } finally {
    await piped.close();
    await plain.close();
  }
});

test("server without AUTH: --auth none delivers; a client that insists on AUTH fails before MAIL", async () => {
  const srv = await server({ authMethods: [] });
  try {
    const ok = await sendMessage(options(srv, recorder(), { auth: { mechanism: "none" } }));
    assert.equal(ok.status, "sent", ok.message);
    const rec = recorder();
    const bad = await sendMessage(options(srv, rec, {}));
    assert.equal(bad.status, "failed");
    assert.equal(bad.id, "NO_AUTH_MECHANISM");
    assert.ok(!rec.commands.some((c) => c.startsWith("MAIL")));
    assert.equal(srv.messages.length, 1);
  } finally {
    await srv.close();
  }
});

test("LOGIN-only server: AUTH LOGIN is used and delivers", async () => {
  const srv = await server({ authMethods: ["LOGIN"] });
  try {
    const rec = recorder();
    const r = await sendMessage(options(srv, rec, { auth: { mechanism: "login", user: USER, password: PASSWORD } }));
    assert.equal(r.status, "sent", r.message);
    assert.deepEqual(srv.auths.map((a) => [a.method, a.ok]), [["LOGIN", true]]);
    assert.ok(!rec.commands.join("\n").includes(Buffer.from(PASSWORD).toString("base64")));
  } finally {
    await srv.close();
  }
});

test("multi-line greeting (220- … 220 …) is accepted", async () => {
  const srv = await server();
  const proxy = await greetingProxy(srv.port, "220-sim.mfp-mail.test welcome\r\n220-second greeting line\r\n");
  try {
    const rec = recorder();
    const r = await sendMessage(options({ port: proxy.port, ca: srv.ca }, rec));
    assert.equal(r.status, "sent", r.message);
    assert.equal(rec.replies[0]!.split(" ")[0], "220");
    assert.equal(srv.messages.length, 1);
  } finally {
    await proxy.close();
    await srv.close();
  }
});

test("4xx on RCPT for one of three recipients: partial, the other two get the scan", async () => {
  const srv = await server({ rcptReply: (a) => (a.startsWith("busy@") ? [450, "4.2.1 Mailbox busy, try later"] : null) });
  try {
    const r = await sendMessage(options(srv, recorder(), { to: ["a@contoso.test", "busy@contoso.test", "c@contoso.test"] }));
    assert.equal(r.status, "partial", r.message);
    assert.equal(r.messageAccepted, true);
    assert.equal(r.transient, true);
    assert.deepEqual(r.recipients.map((x) => [x.address, x.accepted, x.code]),
      [["a@contoso.test", true, 250], ["busy@contoso.test", false, 450], ["c@contoso.test", true, 250]]);
    assert.match(r.message, /Sent to 2 of 3/);
    const [m] = await srv.waitForMessages(1);
    assert.deepEqual(m!.to, ["a@contoso.test", "c@contoso.test"]);
  } finally {
    await srv.close();
  }
});

test("552 when the message is over a SIZE the server did not announce: failed, never 'sent'", async () => {
  const srv = await server({ size: 100_000, announceSize: false });
  try {
    const r = await sendMessage(options(srv, recorder(), { scan: simulatedScan({ pages: 2, bytes: 300_000 }) }));
    assert.equal(r.status, "failed", r.message);
    assert.equal(r.code, 552);
    assert.equal(r.messageAccepted, false);
    assert.equal(srv.messages.length, 0);
  } finally {
    await srv.close();
  }
});

test("SIZE announced smaller than the scan: split on page boundaries, every part arrives, bytes rejoin exactly", async () => {
  const srv = await server({ size: 250_000 });
  try {
    const scan = simulatedScan({ pages: 6, bytes: 600_000, seed: 9 });
    const rec = recorder();
    const r = await sendMessage(options(srv, rec, { scan }));
    assert.equal(r.status, "sent", r.message);
    assert.ok(r.parts.total >= 4, `parts ${r.parts.total}`);
    assert.equal(r.parts.sent, r.parts.total);
    const msgs = await srv.waitForMessages(r.parts.total);
    const parsed = await Promise.all(msgs.map((m) => parse(m.raw)));
    for (const m of msgs) assert.ok(m.size <= 250_000, `part of ${m.size} bytes`);
    assert.deepEqual(parsed.map((p) => p.subject), parsed.map((_, i) => `Scan (Scan ${i + 1} of ${r.parts.total})`));
    const joined = Buffer.concat(parsed.map((p) => p.attachments[0]!.content));
    const whole: Buffer[] = [];
    for await (const c of scan.chunks()) whole.push(Buffer.from(c));
    assert.ok(joined.equals(Buffer.concat(whole)));
  } finally {
    await srv.close();
  }
});

test("STARTTLS required but not offered: fails before AUTH and MAIL, nothing delivered", async () => {
  const srv = await server({ starttls: false });
  try {
    const rec = recorder();
    const r = await sendMessage(options(srv, rec));
    assert.equal(r.status, "failed");
    assert.equal(r.id, "TLS_NOT_OFFERED");
    assert.equal(r.transient, false);
    assert.ok(!rec.commands.some((c) => /^(AUTH|MAIL|RCPT|DATA)/.test(c)), rec.commands.join(" | "));
    assert.equal(srv.auths.length, 0);
    assert.equal(srv.messages.length, 0);
  } finally {
    await srv.close();
  }
});

test("XOAUTH2: a rejected token is invalidated, refreshed once, AUTH retried once → delivered", async () => {
  const srv = await server();
  try {
    let current = "stale-token";
    let invalidations = 0;
    const tokenProvider = { getAccessToken: async () => current, invalidate: () => { invalidations++; current = "good-token"; } };
    const r = await sendMessage(options(srv, recorder(), { auth: { mechanism: "xoauth2", user: USER, tokenProvider } }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(invalidations, 1);
    assert.deepEqual(srv.auths.map((a) => [a.method, a.ok]), [["XOAUTH2", false], ["XOAUTH2", true]]);
    // a token that stays bad: exactly one retry, then a permanent auth failure
    const bad = { getAccessToken: async () => "never-good", invalidate: () => {} };
    const r2 = await sendMessage(options(srv, recorder(), { auth: { mechanism: "xoauth2", user: USER, tokenProvider: bad } }));
    assert.equal(r2.status, "failed");
    assert.equal(srv.auths.length, 4);
    assert.equal(srv.messages.length, 1);
  } finally {
    await srv.close();
  }
});

test("CHUNKING + BINARYMIME server: BDAT with raw octets; the board switch keeps BDAT without BINARYMIME; chunking off → DATA", async () => {
  const creds = loopbackServerCredentials(["localhost", "127.0.0.1"]);
  const mta = await startChunkingMta({ key: creds.server.key, cert: creds.server.cert, authenticate: (_m, u, s) => u === USER && s === PASSWORD });
  try {
    const scan = simulatedScan({ pages: 4, bytes: 500_000, seed: 3 });
    const srv = { port: mta.port, ca: creds.ca.cert };
    const r = await sendMessage(options(srv, recorder(), { scan }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.bodyMode, "binarymime");
    assert.equal(mta.messages[0]!.via, "BDAT");
    assert.equal(mta.messages[0]!.body, "BINARYMIME");
    assert.ok(r.wireBytes < 500_000 * 1.05, `no base64 inflation: ${r.wireBytes}`);
    assert.equal(attachmentSha(await parse(mta.messages[0]!.data!)), await sha256(scan));
    const b = board();
    const off = await sendMessage(options(srv, recorder(), { scan, chunking: true, board: { ...b, smtp: { ...b.smtp, binaryMime: false } } }));
    assert.equal(off.status, "sent");
    assert.equal(off.bodyMode, "chunked");
    assert.equal(mta.messages[1]!.via, "BDAT");
    assert.notEqual(mta.messages[1]!.body, "BINARYMIME");
    assert.equal(attachmentSha(await parse(mta.messages[1]!.data!)), await sha256(scan));
    const data = await sendMessage(options(srv, recorder(), { scan, chunking: false }));
    assert.equal(data.status, "sent");
    assert.equal(mta.messages[2]!.via, "DATA");
    assert.equal(attachmentSha(await parse(mta.messages[2]!.data!)), await sha256(scan));
  } finally {
    await mta.close();
  }
});

test("implicit TLS (465 style): TLS from the first byte, no STARTTLS, delivered", async () => {
  const srv = await server({ implicitTls: true });
  try {
    const rec = recorder();
    const r = await sendMessage(options(srv, rec, { server: { host: "localhost", port: srv.port, tls: "implicit", tlsOptions: { ca: srv.ca } } }));
    assert.equal(r.status, "sent", r.message);
    assert.ok(!rec.commands.includes("STARTTLS"));
    assert.equal(rec.tls, 1);
    assert.equal((await srv.waitForMessages(1))[0]!.tls, true);
  } finally {
    await srv.close();
  }
});

test("cancelled through the AbortSignal mid-body: never 'sent', ends promptly", async () => {
  const srv = await server();
  try {
    const ac = new AbortController();
    const scan = simulatedScan({ pages: 4, bytes: 4_000_000, rateBytesPerSec: 2_000_000 });
    const rec = recorder();
    const o = options(srv, rec, { scan, signal: ac.signal });
    const t0 = Date.now();
    const p = sendMessage({ ...o, onProgress: (x) => { if (x.phase === "Sending" && x.bytesSent > 300_000) ac.abort(); } });
    const r = await p;
    assert.notEqual(r.status, "sent");
    assert.equal(r.messageAccepted, false);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(srv.messages.length, 0);
  } finally {
    await srv.close();
  }
});
