// mbedtls-wasm behind the real transport (connect.ts → TcpTransport.upgradeTls): STARTTLS with
// response injection against a loopback server, and a message through a real Postfix.
import { describe, it } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { once } from "node:events";
import { simpleParser } from "mailparser";
import { createCa, issueServerCert } from "../../host/sim/selfsigned.js";
import { openTransport } from "../../host/transport/connect.js";
import type { Transport } from "../../host/transport/types.js";
import { skipWithoutWasm } from "./helpers.js";

/** Read SMTP replies until a final line ("250 …", not "250-…"); bounded by the transport's timeouts. */
async function reply(t: Transport): Promise<string> {
  let text = "";
  for (let i = 0; i < 200; i++) {
    const chunk = await t.read();
    if (chunk === null) throw new Error(`connection closed; got ${JSON.stringify(text)}`);
    text += Buffer.from(chunk).toString("latin1");
    const lines = text.split("\r\n");
    if (lines.length > 1 && /^\d{3} /.test(lines[lines.length - 2]!)) return text;
  }
  throw new Error(`no final reply line in ${JSON.stringify(text)}`);
}
async function command(t: Transport, line: string, expect: RegExp): Promise<string> {
  await t.write(Buffer.from(line + "\r\n"));
  const r = await reply(t);
  assert.match(r, expect, `${line.split(" ")[0]} → ${r}`);
  return r;
}

describe("mbedtls-wasm through the TCP transport", () => {
  const { it } = whenRunnable(skipWithoutWasm);
  it("STARTTLS: discards injected plaintext, then carries the session over mbedtls-wasm", async () => {
    const ca = createCa("mbedtls starttls CA");
    const srv = issueServerCert(ca, { names: ["localhost"] });
    let secureReceived = "";
    const sockets = new Set<net.Socket>();
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.on("error", () => {});
      sock.write("220 test.local ESMTP\r\n");
      sock.once("data", () => {
        // "220 go ahead" plus a forged reply a man in the middle appended in plaintext.
        sock.write("220 2.0.0 go ahead\r\n250 forged\r\n");
        const secure = new tls.TLSSocket(sock, { isServer: true, secureContext: tls.createSecureContext({ ...srv, maxVersion: "TLSv1.2" }) });
        secure.on("error", () => {});
        secure.on("data", (d: Buffer) => {
          secureReceived += d.toString("latin1");
          if (secureReceived.endsWith("EHLO scanner\r\n")) secure.write("250-test.local secure\r\n250 AUTH PLAIN\r\n");
        });
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as net.AddressInfo).port;
    const t = await openTransport({ host: "127.0.0.1", port, tls: "starttls", engine: "mbedtls-wasm", timeouts: { greeting: 5000, command: 5000 } });
    try {
      assert.match(await reply(t), /^220 /);
      await t.write(Buffer.from("STARTTLS\r\n"));
      // Wait for the go-ahead as the session does: it reads up to the 220 line.
      const goAhead = Buffer.from((await t.read()) ?? []).toString("latin1");
      assert.match(goAhead, /^220 2\.0\.0 go ahead/);
      const info = await t.upgradeTls({ servername: "localhost", ca: ca.cert });
      assert.equal(info.engine, "mbedtls-wasm");
      assert.equal(info.protocol, "TLSv1.2");
      const ehlo = await command(t, "EHLO scanner", /^250-test\.local secure/);
      assert.doesNotMatch(ehlo, /forged/);
    } finally {
      t.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

// C1's throw-away Postfix (test/fixtures/postfix.ts); loaded lazily so this file still runs where
// the fixture is absent.
const postfix = (await import("../fixtures/postfix.js").catch(() => null)) as typeof import("../fixtures/postfix.js") | null;
const noPostfix = skipWithoutWasm || (postfix ? postfix.postfixUnavailable() : "test/fixtures/postfix.ts is not available");
describe("mbedtls-wasm against Postfix (STARTTLS)", () => {
  const { it } = whenRunnable(noPostfix ?? false);
  it("upgrades with STARTTLS, authenticates over TLS and delivers a message Postfix stores", async () => {
    const pf = await postfix!.startPostfix();
    let t: Transport | null = null;
    try {
      t = await openTransport({ host: pf.host, port: pf.port, tls: "starttls", engine: "mbedtls-wasm", timeouts: { greeting: 15000, command: 15000 } });
      assert.match(await reply(t), /^220 /);
      const plainEhlo = await command(t, "EHLO scanner.test.local", /^250-/);
      assert.match(plainEhlo, /STARTTLS/);
      assert.doesNotMatch(plainEhlo, /AUTH/, "Postfix offers AUTH only after TLS (smtpd_tls_auth_only)");
      await command(t, "STARTTLS", /^220 /);
      const info = await t.upgradeTls({ servername: pf.hostname, ca: pf.caPem });
      assert.equal(info.engine, "mbedtls-wasm");
      assert.equal(info.protocol, "TLSv1.2");
      assert.equal(info.peerSubject, pf.hostname);
      const ehlo = await command(t, "EHLO scanner.test.local", /^250-/);
      assert.match(ehlo, /AUTH/);
      const plain = Buffer.from(`\0${pf.user}\0${pf.password}`).toString("base64");
      await command(t, `AUTH PLAIN ${plain}`, /^235 /);
      await command(t, `MAIL FROM:<scanner@${pf.domain}>`, /^250 /);
      await command(t, `RCPT TO:<inbox@${pf.domain}>`, /^250 /);
      await command(t, "DATA", /^354 /);
      const body = Buffer.alloc(200_000, "scan-line-0123456789\r\n").toString("latin1");
      const message =
        `From: scanner@${pf.domain}\r\nTo: inbox@${pf.domain}\r\nSubject: Scan via mbedtls-wasm\r\n` +
        `Message-ID: <mbedtls-${Date.now()}@${pf.domain}>\r\n\r\n${body}\r\n.\r\n`;
      await t.write(Buffer.from(message, "latin1"));
      assert.match(await reply(t), /^250 /);
      await command(t, "QUIT", /^221 /);
      const [raw] = await pf.waitDelivered(1, 20_000);
      const mail = await simpleParser(raw!);
      assert.equal(mail.subject, "Scan via mbedtls-wasm");
      assert.equal(mail.text?.replace(/\r?\n/g, "\n").trim(), body.replace(/\r\n/g, "\n").trim());
      // smtpd_tls_received_header: Postfix records the TLS it negotiated with us.
      assert.match(String(mail.headers.get("received") ?? ""), /using TLSv1\.2 with cipher ECDHE-(RSA|ECDSA)-/);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- postfix log ---\n${pf.log().slice(-3000)}`);
    } finally {
      t?.close();
      await pf.stop();
    }
  });
});
