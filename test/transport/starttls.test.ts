// STARTTLS upgrade over a real loopback connection, and the response-injection defence.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { createCa, issueServerCert } from "../../host/sim/selfsigned.js";
import { loadTlsEngine, openTransport, type EngineName } from "../../host/transport/connect.js";
import { closer, listen, readUntil, sleep, track, transportReadUntil } from "./helpers.js";

const ca = createCa();
const srv = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });

interface Seen {
  plainAfterStarttls: string;
  secureReceived: string;
  sni: string | false | null;
  /** The client closed in order (close_notify/FIN → 'end'), not by reset. */
  cleanEnd: boolean;
}

/**
 * A minimal SMTP-like server: greets, answers STARTTLS with "220 go ahead", optionally injects
 * plaintext bytes afterwards (as a man in the middle would), then runs TLS on the same socket and
 * answers "EHLO" with a secure-only reply.
 */
async function startServer(inject: string | null, pair = srv) {
  const seen: Seen = { plainAfterStarttls: "", secureReceived: "", sni: null, cleanEnd: false };
  const server = net.createServer(async (sock) => {
    try {
      sock.write("220 test.local ESMTP ready\r\n");
      await readUntil(sock, "STARTTLS\r\n");
      sock.write("220 2.0.0 go ahead\r\n");
      if (inject !== null) {
        await sleep(30);
        sock.write(inject);
      }
      const secure = new tls.TLSSocket(sock, {
        isServer: true,
        secureContext: tls.createSecureContext({ cert: pair.cert, key: pair.key }),
      });
      secure.on("error", () => {});
      secure.on("end", () => {
        seen.cleanEnd = true;
        secure.end();
      });
      secure.on("secure", () => {
        seen.sni = (secure as tls.TLSSocket & { servername?: string | false }).servername ?? false;
      });
      secure.on("data", (d: Buffer) => {
        seen.secureReceived += d.toString("latin1");
        if (seen.secureReceived.includes("EHLO")) secure.write("250-test.local secure\r\n250 AUTH PLAIN\r\n");
      });
    } catch {
      sock.destroy();
    }
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, seen, close: closer(server, sockets) };
}

// Every engine gets the same treatment: the discard happens in the transport, before the engine
// sees the socket. mbedtls-wasm runs when its build is present.
const engines: { engine: EngineName; skip: string | false }[] = [
  { engine: "node-tls", skip: false },
  {
    engine: "mbedtls-wasm",
    skip: await loadTlsEngine("mbedtls-wasm").then(
      () => false as const,
      (e: Error) => `mbedtls-wasm unavailable: ${e.message}`,
    ),
  },
];

for (const { engine, skip } of engines) {
  test(`[${engine}] STARTTLS upgrade: handshake, verified certificate, secure replies, wire counters`, { skip }, async () => {
    const s = await startServer(null);
    const t = await openTransport({ host: "127.0.0.1", port: s.port, tls: "starttls", engine, timeouts: { greeting: 3000, command: 3000 } });
    try {
      assert.equal(t.tls, null);
      assert.match(await transportReadUntil(t, "\r\n"), /^220 test\.local/);
      t.setPhase("command");
      await t.write(Buffer.from("STARTTLS\r\n"));
      assert.match(await transportReadUntil(t, "\r\n"), /^220 2\.0\.0/);
      const before = { r: t.bytesRead, w: t.bytesWritten };
      const info = await t.upgradeTls({ servername: "localhost", ca: ca.cert });
      assert.equal(info.engine, engine);
      assert.match(info.protocol, /^TLSv1\.[23]$/);
      assert.equal(info.peerSubject, "localhost");
      assert.deepEqual(t.tls, info);
      await t.write(Buffer.from("EHLO scanner\r\n"));
      const reply = await transportReadUntil(t, "250 AUTH PLAIN\r\n");
      assert.equal(reply, "250-test.local secure\r\n250 AUTH PLAIN\r\n");
      assert.equal(s.seen.secureReceived, "EHLO scanner\r\n");
      assert.equal(s.seen.sni, "localhost");
      // The counters are wire bytes: the handshake and the record overhead are included.
      assert.ok(t.bytesWritten - before.w > "EHLO scanner\r\n".length + 100, `written ${t.bytesWritten - before.w}`);
      assert.ok(t.bytesRead - before.r > reply.length + 500, `read ${t.bytesRead - before.r}`);
      assert.equal(t.discardedBeforeTls, 0);
      t.close();
      for (let i = 0; i < 50 && !s.seen.cleanEnd; i++) await sleep(20);
      assert.ok(s.seen.cleanEnd, "close() ends the TLS session in order");
    } finally {
      t.close();
      await s.close();
    }
  });

  test(`[${engine}] STARTTLS: plaintext injected after '220 go ahead' is discarded, never read by the session`, { skip }, async () => {
    const injected = "250-INJECTED\r\n250 AUTH PLAIN LOGIN\r\n";
    const s = await startServer(injected);
    const t = await openTransport({ host: "127.0.0.1", port: s.port, tls: "starttls", engine, timeouts: { greeting: 3000, command: 3000 } });
    try {
      await transportReadUntil(t, "\r\n");
      await t.write(Buffer.from("STARTTLS\r\n"));
      const goAhead = await transportReadUntil(t, "\r\n");
      assert.equal(goAhead, "220 2.0.0 go ahead\r\n");
      // Let the injected bytes arrive and sit unread in front of the TLS handshake.
      await sleep(150);
      await t.upgradeTls({ servername: "localhost", ca: ca.cert });
      assert.equal(t.discardedBeforeTls, injected.length);
      await t.write(Buffer.from("EHLO scanner\r\n"));
      const everything = await transportReadUntil(t, "250 AUTH PLAIN\r\n");
      assert.ok(!everything.includes("INJECTED"), everything);
      assert.equal(everything, "250-test.local secure\r\n250 AUTH PLAIN\r\n");
    } finally {
      t.close();
      await s.close();
    }
  });

  test(`[${engine}] STARTTLS with an IP literal: no SNI is sent (RFC 6066 §3) and the IP SAN is verified`, { skip }, async () => {
    const s = await startServer(null);
    const t = await openTransport({ host: "127.0.0.1", port: s.port, tls: "starttls", engine });
    try {
      await transportReadUntil(t, "\r\n");
      await t.write(Buffer.from("STARTTLS\r\n"));
      await transportReadUntil(t, "\r\n");
      const info = await t.upgradeTls({ servername: "127.0.0.1", ca: ca.cert });
      if (engine === "node-tls") assert.match(info.peerSubjectAltNames ?? "", /IP Address:127\.0\.0\.1/);
      await t.write(Buffer.from("EHLO x\r\n"));
      await transportReadUntil(t, "250 AUTH PLAIN\r\n");
      assert.equal(s.seen.sni, false);
    } finally {
      t.close();
      await s.close();
    }
  });

  test(`[${engine}] STARTTLS with an IP literal the certificate does not name → TLS_HOSTNAME_MISMATCH`, { skip }, async () => {
    const s = await startServer(null, issueServerCert(ca, { names: ["localhost"] }));
    const t = await openTransport({ host: "127.0.0.1", port: s.port, tls: "starttls", engine });
    try {
      await transportReadUntil(t, "\r\n");
      await t.write(Buffer.from("STARTTLS\r\n"));
      await transportReadUntil(t, "\r\n");
      await assert.rejects(t.upgradeTls({ servername: "127.0.0.1", ca: ca.cert }), (e: Error & { code?: string }) => e.code === "TLS_HOSTNAME_MISMATCH");
      assert.equal(s.seen.secureReceived, "");
    } finally {
      t.close();
      await s.close();
    }
  });
}
