// A whole send on a board whose profile selects the "mbedtls-wasm" TLS engine, through the
// product's own path: `mfp-mail send` flags → prepareSend() → sendMessage() (host/session/driver.ts, the
// wasm core, STARTTLS through mbedtls-wasm), against the Exchange-Online-like fixture; mailparser
// reads what arrived. test/m365/send.test.ts runs every M365 preset over this engine too; these
// cases add what is engine-specific: a larger body, TLS 1.2 on the server side, an untrusted CA.
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
import { createCa, issueClientCert } from "../../host/sim/selfsigned.js";
import { skipWithoutWasm } from "./helpers.js";

describe("scan-to-email through mbedtls-wasm", () => {
  const { it, before, after } = whenRunnable(skipWithoutWasm);
  let dir = "";
  let n = 0;
  const servers: ExoServer[] = [];
  before(async () => { dir = await mkdtemp(join(tmpdir(), "mfp-mbedtls-send-")); });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (text: string): Promise<string> => {
    const p = join(dir, `f-${++n}.pem`);
    await writeFile(p, text);
    return p;
  };
  const fixture = async (o: ExoOptions): Promise<ExoServer> => {
    const s = await startExchangeOnline({ bindHost: "localhost", ...o });
    servers.push(s);
    return s;
  };
  /** `mfp-mail send --board arm-64mb …` with the board's tls.engine set to mbedtls-wasm. */
  const send = async (s: ExoServer, flags: SendFlags, env: Record<string, string> = {}): Promise<SessionResult> => {
    const { options } = await prepareSend(
      { server: "localhost", port: String(s.port), ca: await file(s.ca.cert), board: "arm-64mb", timeout: "5000", subject: "Scan", body: "Scanned document.", ...flags },
      { isTty: false, env },
    );
    return sendMessage({ ...options, board: { ...options.board, tls: { ...options.board.tls, engine: "mbedtls-wasm" } } });
  };

  it("submission (STARTTLS + AUTH LOGIN): delivered, and the server saw TLS 1.2", async () => {
    const s = await fixture({ mode: "submission", mailboxes: { "scanner@contoso.com": { password: "pw-1" } } });
    const body = "Scanned page 1 of 1.\r\n" + "0123456789abcdef".repeat(4000);
    const r = await send(s, {
      preset: "generic", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW",
      from: "scanner@contoso.com", to: ["ap@contoso.com"], subject: "Scan via mbedtls-wasm", body,
    }, { PW: "pw-1" });
    assert.equal(r.status, "sent", r.message);
    assert.deepEqual([r.tls?.engine, r.tls?.protocol], ["mbedtls-wasm", "TLSv1.2"]);
    assert.equal(s.received.length, 1);
    const m = s.received[0]!;
    assert.equal(m.tlsProtocol, "TLSv1.2");
    assert.equal(m.user, "scanner@contoso.com");
    assert.equal(m.parsed.subject, "Scan via mbedtls-wasm");
    assert.equal(m.parsed.text?.replace(/\r?\n/g, "\n").trim(), body.replace(/\r\n/g, "\n").trim());
  });

  it("certificate-based relay connector: the client certificate goes out through mbedTLS", async () => {
    const deviceCa = createCa("mbedtls relay device CA");
    const s = await fixture({ mode: "relay", clientCa: deviceCa });
    const cc = issueClientCert(deviceCa, { commonName: "scanner.contoso.com" });
    const r = await send(s, {
      preset: "m365-relay", clientCert: await file(cc.cert), clientKey: await file(cc.key),
      from: "scanner@contoso.com", to: ["partner@fabrikam.com"], subject: "Relayed scan",
    });
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.tls?.engine, "mbedtls-wasm");
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.clientCertSubject, "scanner.contoso.com");
    assert.equal(s.received[0]!.tlsProtocol, "TLSv1.2");
    assert.equal(s.received[0]!.parsed.subject, "Relayed scan");
  });

  it("an untrusted server certificate stops the send before AUTH (no credentials on the wire)", async () => {
    const s = await fixture({ mode: "submission", mailboxes: { "scanner@contoso.com": { password: "pw-1" } } });
    const commands: string[] = [];
    const { options } = await prepareSend(
      { server: "localhost", port: String(s.port), ca: await file(createCa("not the server's CA").cert), board: "arm-64mb", timeout: "5000",
        preset: "generic", auth: "login", user: "scanner@contoso.com", passwordEnv: "PW", from: "scanner@contoso.com", to: ["ap@contoso.com"], subject: "never sent", body: "x" },
      { isTty: false, env: { PW: "pw-1" } },
    );
    const r = await sendMessage({
      ...options, board: { ...options.board, tls: { ...options.board.tls, engine: "mbedtls-wasm" } },
      observer: { command: (c) => commands.push(c) },
    });
    assert.deepEqual([r.status, r.id, r.transient], ["failed", "TLS_CERT_UNTRUSTED", false], r.message);
    assert.ok(commands.includes("STARTTLS"), commands.join("\n"));
    assert.ok(!commands.some((c) => /^AUTH/i.test(c)), commands.join("\n"));
    assert.equal(s.rejections.filter((x) => x.startsWith("535")).length, 0);
    assert.equal(s.received.length, 0);
  });
});
