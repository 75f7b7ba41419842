// mbedtls-wasm refuses what it must: bad certificates, old protocol versions, non-TLS peers.
// Each failure is a TransportError with a code and a message, never a trap or a hang, and no
// application data (credentials) reaches the server.
import { describe, it, before } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createCa, issueServerCert, type CertificateAuthority, type CertPair } from "../../host/sim/selfsigned.js";
import { TransportError } from "../../host/transport/types.js";
import { MbedtlsEngine } from "../../host/transport/tls-mbedtls.js";
import { connectEngine, rawServer, skipWithoutWasm, tlsServer, type Peer } from "./helpers.js";
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";

async function expectRefusal(peer: Peer, options: Parameters<typeof connectEngine>[1], code: string, message: RegExp, timeoutMs?: number) {
  try {
    const err = await connectEngine(peer.port, options, timeoutMs ? { handshakeTimeoutMs: timeoutMs } : {}).then(
      (ch) => {
        ch.close();
        return null;
      },
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return err;
  } finally {
    await peer.close();
  }
}

describe("mbedtls-wasm refusals", () => {
  const { it, before } = whenRunnable(skipWithoutWasm);
  let ca: CertificateAuthority;
  let good: CertPair;
  before(() => {
    ca = createCa("mbedtls refusals CA");
    good = issueServerCert(ca, { names: ["localhost"] });
  });

  it("refuses an expired certificate (TLS_CERT_EXPIRED) and sends no application data", async () => {
    const expired = issueServerCert(ca, { names: ["localhost"], expired: true });
    const peer = await tlsServer({ ...expired, maxVersion: "TLSv1.2" });
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_CERT_EXPIRED", /expired/);
    assert.equal(peer.received().length, 0);
    assert.equal(peer.sockets.length, 0, "the server must never see a completed handshake");
  });

  it("refuses a certificate for another host name (TLS_HOSTNAME_MISMATCH)", async () => {
    const other = issueServerCert(ca, { names: ["mail.other.example"] });
    const peer = await tlsServer({ ...other, maxVersion: "TLSv1.2" });
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_HOSTNAME_MISMATCH", /does not name localhost/);
    assert.equal(peer.sockets.length, 0);
  });

  it("refuses a server given as an IP address its certificate does not list", async () => {
    const peer = await tlsServer({ ...issueServerCert(ca, { names: ["localhost", "10.0.0.7"] }), maxVersion: "TLSv1.2" });
    await expectRefusal(peer, { servername: "127.0.0.1", ca: ca.cert }, "TLS_HOSTNAME_MISMATCH", /does not name 127\.0\.0\.1/);
    assert.equal(peer.sockets.length, 0);
  });

  it("refuses a certificate from an untrusted CA (TLS_CERT_UNTRUSTED)", async () => {
    const stranger = createCa("someone else's CA");
    const peer = await tlsServer({ ...issueServerCert(stranger, { names: ["localhost"] }), maxVersion: "TLSv1.2" });
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_CERT_UNTRUSTED", /not signed by a trusted CA/);
    assert.equal(peer.sockets.length, 0);
  });

  it("refuses a self-signed server when the system roots are used (no ca option)", async () => {
    const peer = await tlsServer({ ...good, maxVersion: "TLSv1.2" });
    await expectRefusal(peer, { servername: "localhost" }, "TLS_CERT_UNTRUSTED", /trusted CA/);
  });

  it("refuses a server capped at TLS 1.1 (TLS_VERSION_TOO_OLD)", async () => {
    const peer = await tlsServer({ ...good, minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" });
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_VERSION_TOO_OLD", /TLS 1\.2/);
    assert.equal(peer.sockets.length, 0);
  });

  it("reports a truncated handshake (server hangs up mid-ServerHello) as TLS_HANDSHAKE_FAILED", async () => {
    // A TLS 1.2 handshake record header announcing 80 bytes, then 10 of them, then FIN.
    const peer = await rawServer((s) => {
      s.once("data", () => s.end(Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x00, 0x50]), Buffer.alloc(10, 2)])));
    });
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_HANDSHAKE_FAILED", /closed the connection during the TLS handshake/);
  });

  it("reports a plaintext SMTP reply instead of TLS as TLS_HANDSHAKE_FAILED", async () => {
    const peer = await rawServer((s) => s.once("data", () => s.write("454 4.7.0 TLS not available due to local problem\r\n")));
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_HANDSHAKE_FAILED", /not valid TLS 1\.2/);
  });

  it("survives random garbage from the server without a trap", async () => {
    for (let i = 0; i < 5; i++) {
      const junk = randomBytes(4096);
      junk[0] = 0x16; // looks like a handshake record, so the parser goes deeper
      junk[1] = 0x03;
      junk[2] = 0x03;
      const peer = await rawServer((s) => s.once("data", () => s.end(junk)));
      await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_HANDSHAKE_FAILED", /./);
    }
    // The shared module instance still works afterwards.
    const peer = await tlsServer({ ...good, maxVersion: "TLSv1.2" });
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: ca.cert });
      assert.equal(ch.info.protocol, "TLSv1.2");
      ch.close();
    } finally {
      await peer.close();
    }
  });

  it("turns a corrupted record after the handshake into a clear read error", async () => {
    // TLS on a server-side socket we own, so raw bytes can be slipped in after the handshake.
    const peer = await rawServer((raw) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext({ ...good, maxVersion: "TLSv1.2" }) });
      secure.on("error", () => {});
      // Once the client's first record arrived, the handshake is over on both sides.
      secure.once("data", () => raw.write(Buffer.from([0x17, 0x03, 0x03, 0x00, 0x20, ...randomBytes(32)])));
    });
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: ca.cert });
      await ch.write(Buffer.from("EHLO scanner\r\n"));
      await assert.rejects(ch.read(), (e: unknown) => {
        assert.ok(e instanceof TransportError);
        assert.equal(e.code, "CONNECTION_RESET");
        assert.match(e.message, /TLS connection failed/);
        return true;
      });
      ch.close();
    } finally {
      await peer.close();
    }
  });

  it("reports a socket that closed before the engine got it", async () => {
    const peer = await rawServer((s) => s.end());
    try {
      const socket = net.connect(peer.port, "127.0.0.1");
      await once(socket, "close");
      await assert.rejects(new MbedtlsEngine({ handshakeTimeoutMs: 5000 }).connect(socket, { servername: "localhost", ca: ca.cert }), {
        code: "TLS_HANDSHAKE_FAILED",
        message: /closed the connection during the TLS handshake/,
      });
    } finally {
      await peer.close();
    }
  });

  it("gives up on a silent server after the handshake timeout", async () => {
    const peer = await rawServer(() => {});
    const started = Date.now();
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert }, "TLS_HANDSHAKE_FAILED", /within 300 ms/, 300);
    assert.ok(Date.now() - started < 5000);
  });

  it("declines a profile that requires TLS 1.3 before touching the socket", async () => {
    const peer = await rawServer(() => {});
    await expectRefusal(peer, { servername: "localhost", ca: ca.cert, minVersion: "TLSv1.3" }, "TLS_ENGINE_UNAVAILABLE", /TLS 1\.2 only/);
    assert.equal(peer.received().length, 0);
  });
});

describe("mbedtls-wasm engine not built", () => {
  it("rejects with TLS_ENGINE_UNAVAILABLE naming the build command", async () => {
    const server = net.createServer((s) => s.destroy()).listen(0, "127.0.0.1");
    await once(server, "listening");
    const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await once(socket, "connect");
    try {
      const engine = new MbedtlsEngine({ wasmPath: "/nonexistent/mbedtls.wasm" });
      await assert.rejects(engine.connect(socket, { servername: "localhost" }), (e: unknown) => {
        assert.ok(e instanceof TransportError);
        assert.equal(e.code, "TLS_ENGINE_UNAVAILABLE");
        assert.match(e.message, /npm run build:tls/);
        return true;
      });
    } finally {
      socket.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
