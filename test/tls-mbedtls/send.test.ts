// A whole send (the AssemblyScript core driving the SMTP session, C1's transport, STARTTLS
// through mbedtls-wasm) on a board whose profile selects "mbedtls-wasm", against the
// Exchange-Online-like fixture; mailparser reads what arrived. Driven by test/m365/drive.ts
// until host/session.ts offers the same loop.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { startExchangeOnline, type ExoServer } from "../fixtures/exchange-online.js";
import { drive } from "../m365/drive.js";
import { resolvePreset } from "../../host/config/presets.js";
import { resolveBoard, type Board } from "../../host/config/board.js";
import { createCa, issueClientCert } from "../../host/certs/selfsigned.js";
import { skipWithoutWasm } from "./helpers.js";

const base = resolveBoard("arm-64mb");
const board: Board = { ...base, tls: { ...base.tls, engine: "mbedtls-wasm" } };

describe("scan-to-email through mbedtls-wasm", { skip: skipWithoutWasm }, () => {
  const servers: ExoServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("submission (STARTTLS + AUTH PLAIN): delivered, and the server saw TLS 1.2", async () => {
    const s = await startExchangeOnline({ mode: "submission", mailboxes: { "scanner@contoso.com": { password: "pw-1" } } });
    servers.push(s);
    const profile = resolvePreset("generic", { host: s.host, port: s.port });
    const body = "Scanned page 1 of 1.\r\n" + "0123456789abcdef".repeat(4000);
    const o = await drive({
      profile, board, ca: s.ca.cert, servername: "localhost",
      user: "scanner@contoso.com", password: "pw-1",
      from: "scanner@contoso.com", to: ["ap@contoso.com"], subject: "Scan via mbedtls-wasm", body,
    });
    assert.equal(o.result.class, "ok", o.transcript.join("\n"));
    assert.equal(s.received.length, 1);
    const m = s.received[0]!;
    assert.equal(m.tlsProtocol, "TLSv1.2");
    assert.equal(m.user, "scanner@contoso.com");
    assert.equal(m.parsed.subject, "Scan via mbedtls-wasm");
    assert.equal(m.parsed.text?.replace(/\r?\n/g, "\n").trim(), body.replace(/\r\n/g, "\n").trim());
  });

  it("certificate-based relay connector: the client certificate goes out through mbedTLS", async () => {
    const deviceCa = createCa("mbedtls relay device CA");
    const s = await startExchangeOnline({ mode: "relay", clientCa: deviceCa });
    servers.push(s);
    const cc = issueClientCert(deviceCa, { commonName: "scanner.contoso.com" });
    const profile = resolvePreset("m365-relay", { host: s.host, port: s.port, domain: "contoso.com" });
    const o = await drive({
      profile, board, ca: s.ca.cert, servername: "localhost", clientCert: cc,
      from: "scanner@contoso.com", to: ["partner@fabrikam.com"], subject: "Relayed scan",
    });
    assert.equal(o.result.class, "ok", o.transcript.join("\n"));
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.clientCertSubject, "scanner.contoso.com");
    assert.equal(s.received[0]!.tlsProtocol, "TLSv1.2");
    assert.equal(s.received[0]!.parsed.subject, "Relayed scan");
  });

  it("an untrusted server certificate stops the send before AUTH (no credentials on the wire)", async () => {
    const s = await startExchangeOnline({ mode: "submission", mailboxes: { "scanner@contoso.com": { password: "pw-1" } } });
    servers.push(s);
    const profile = resolvePreset("generic", { host: s.host, port: s.port });
    const o = await drive({
      profile, board, ca: createCa("not the server's CA").cert, servername: "localhost",
      user: "scanner@contoso.com", password: "pw-1",
      from: "scanner@contoso.com", to: ["ap@contoso.com"], subject: "never sent",
    });
    assert.notEqual(o.result.class, "ok");
    assert.equal(o.result.id, "TLS_CERT_UNTRUSTED", JSON.stringify(o.result));
    assert.doesNotMatch(o.transcript.join("\n"), /AUTH/);
    assert.equal(s.received.length, 0);
  });
});
