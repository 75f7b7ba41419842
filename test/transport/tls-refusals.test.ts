// Implicit TLS (port-465 style) against real node:tls servers with generated certificates:
// every refusal gives its own code, and no application byte ever reaches the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tls from "node:tls";
import {
  createCa,
  issueClientCert,
  issueServerCert,
  selfSignedServerCert,
  type CertPair,
} from "../../host/sim/selfsigned.js";
import { openTransport } from "../../host/transport/connect.js";
import { TransportError, type TlsOptions } from "../../host/transport/types.js";
import { closer, listen, track, transportReadUntil } from "./helpers.js";

const ca = createCa();
const good = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });

interface TlsPeer {
  port: number;
  appData: string[];
  clientCN: string[];
  handshakeErrors: string[];
  close(): Promise<void>;
}

async function tlsServer(pair: CertPair, extra: tls.TlsOptions = {}): Promise<TlsPeer> {
  const appData: string[] = [];
  const clientCN: string[] = [];
  const handshakeErrors: string[] = [];
  const server = tls.createServer({ cert: pair.cert, key: pair.key, ...extra }, (s) => {
    const peer = s.getPeerCertificate();
    if (peer && peer.subject) clientCN.push(String(peer.subject.CN));
    s.on("error", () => {});
    s.on("data", (d: Buffer) => appData.push(d.toString("latin1")));
    s.write("220 secure ready\r\n");
  });
  server.on("tlsClientError", (e) => handshakeErrors.push(String((e as NodeJS.ErrnoException).code ?? e.message)));
  const sockets = new Set<import("node:net").Socket>();
  server.on("secureConnection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const port = await listen(server);
  return { port, appData, clientCN, handshakeErrors, close: closer(server, sockets) };
}

async function expectRefusal(peer: TlsPeer, opts: Partial<TlsOptions>, code: TransportError["code"] | RegExp): Promise<TransportError> {
  const err = await openTransport({ host: "127.0.0.1", port: peer.port, tls: "implicit", tlsOptions: { servername: "localhost", ...opts }, timeouts: { tlsHandshake: 5000 } }).then(
    (t) => {
      t.close();
      throw new Error("expected the TLS connection to be refused");
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof TransportError, String(err));
  if (typeof code === "string") assert.equal(err.code, code, err.message);
  else assert.match(err.code, code, err.message);
  assert.ok(err.message.length > 20 && !/undefined/.test(err.message), err.message);
  assert.deepEqual(peer.appData, [], "no application byte may reach a refused server");
  return err;
}

test("implicit TLS succeeds with the configured CA", async () => {
  const p = await tlsServer(good);
  const t = await openTransport({ host: "localhost", port: p.port, tls: "implicit", tlsOptions: { ca: ca.cert } });
  try {
    assert.equal(t.tls?.peerSubject, "localhost");
    assert.equal(await transportReadUntil(t, "\r\n"), "220 secure ready\r\n");
  } finally {
    t.close();
    await p.close();
  }
});

test("expired certificate → TLS_CERT_EXPIRED", async () => {
  const p = await tlsServer(issueServerCert(ca, { names: ["localhost"], expired: true }));
  try {
    const e = await expectRefusal(p, { ca: ca.cert }, "TLS_CERT_EXPIRED");
    assert.match(e.message, /expired/);
  } finally {
    await p.close();
  }
});

test("not-yet-valid certificate → TLS_CERT_NOT_YET_VALID (device clock hint)", async () => {
  const p = await tlsServer(issueServerCert(ca, { names: ["localhost"], notYetValid: true }));
  try {
    const e = await expectRefusal(p, { ca: ca.cert }, "TLS_CERT_NOT_YET_VALID");
    assert.match(e.message, /date and time/);
  } finally {
    await p.close();
  }
});

test("certificate for another host name → TLS_HOSTNAME_MISMATCH", async () => {
  const p = await tlsServer(issueServerCert(ca, { names: ["mail.other.test"] }));
  try {
    const e = await expectRefusal(p, { ca: ca.cert }, "TLS_HOSTNAME_MISMATCH");
    assert.match(e.message, /localhost/);
  } finally {
    await p.close();
  }
});

test("self-signed certificate without a configured CA → TLS_CERT_UNTRUSTED; accepted only with insecureSkipVerify", async () => {
  const p = await tlsServer(selfSignedServerCert({ names: ["localhost"] }));
  try {
    const e = await expectRefusal(p, {}, "TLS_CERT_UNTRUSTED");
    assert.match(e.message, /self-signed/);
    // Another CA configured does not help either.
    await expectRefusal(p, { ca: ca.cert }, "TLS_CERT_UNTRUSTED");
    const t = await openTransport({ host: "127.0.0.1", port: p.port, tls: "implicit", tlsOptions: { servername: "localhost", insecureSkipVerify: true } });
    assert.equal(await transportReadUntil(t, "\r\n"), "220 secure ready\r\n");
    t.close();
  } finally {
    await p.close();
  }
});

test("server capped at TLS 1.1 → TLS_VERSION_TOO_OLD", async () => {
  // OpenSSL 3 refuses TLS < 1.2 at its default security level; SECLEVEL=0 makes the server
  // genuinely offer TLS 1.0/1.1 so the refusal is the client's floor, not the server's config.
  const p = await tlsServer(good, { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" });
  try {
    await expectRefusal(p, { ca: ca.cert }, "TLS_VERSION_TOO_OLD");
    // A caller (plain JS, a bad board file) asking for a lower floor does not get it.
    await expectRefusal(p, { ca: ca.cert, minVersion: "TLSv1.1" as never }, "TLS_VERSION_TOO_OLD");
    // The server saw a protocol-version failure, not something unrelated.
    assert.match(p.handshakeErrors.join(" "), /VERSION|PROTOCOL/i);
  } finally {
    await p.close();
  }
});

test("client certificate: presented and verified by a server that requires one", async () => {
  const client = issueClientCert(ca, { commonName: "scanner-3f-east" });
  const p = await tlsServer(good, { requestCert: true, rejectUnauthorized: true, ca: ca.cert });
  try {
    const t = await openTransport({ host: "127.0.0.1", port: p.port, tls: "implicit", tlsOptions: { servername: "localhost", ca: ca.cert, cert: client.cert, key: client.key } });
    assert.equal(await transportReadUntil(t, "\r\n"), "220 secure ready\r\n");
    await t.write(Buffer.from("EHLO scanner\r\n"));
    t.close();
    assert.deepEqual(p.clientCN, ["scanner-3f-east"]);
  } finally {
    await p.close();
  }
});

for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) test(`client certificate missing where the server requires one (${maxVersion}) → a TLS error, never plain data`, async () => {
  const p = await tlsServer(good, { requestCert: true, rejectUnauthorized: true, ca: ca.cert, maxVersion });
  try {
    // With TLS 1.3 the client finishes its side before the server checks the certificate, so
    // the refusal may arrive on the first read instead of during connect; either way it is a
    // TransportError with a TLS code and the session never sees a reply.
    let err: unknown;
    try {
      const t = await openTransport({ host: "127.0.0.1", port: p.port, tls: "implicit", tlsOptions: { servername: "localhost", ca: ca.cert } });
      try {
        await t.read();
        assert.fail("a read must not succeed");
      } catch (e) {
        err = e;
      } finally {
        t.close();
      }
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TransportError, String(err));
    assert.match(err.code, /^TLS_HANDSHAKE_FAILED$/);
    assert.match(err.message, /client certificate/);
    assert.deepEqual(p.clientCN, []);
  } finally {
    await p.close();
  }
});

test("implicit TLS to a plaintext SMTP port → TLS_HANDSHAKE_FAILED with a hint, no hang", async () => {
  const net = await import("node:net");
  const server = net.createServer((s) => {
    s.on("error", () => {});
    s.write("220 plain.local ESMTP\r\n");
  });
  const sockets = track(server);
  const port = await listen(server);
  try {
    const err = await openTransport({ host: "127.0.0.1", port, tls: "implicit", tlsOptions: { servername: "localhost", ca: ca.cert }, timeouts: { tlsHandshake: 5000 } }).then(
      (t) => (t.close(), null),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.code, "TLS_HANDSHAKE_FAILED");
    assert.match(err.message, /may not speak TLS on this port/);
  } finally {
    await closer(server, sockets)();
  }
});
