// mbedtls-wasm against node:tls (OpenSSL) servers on loopback: every cipher suite and group the
// engine is built for, TLS 1.3-capable servers, client certificates, SNI, data both ways.
import { describe, it, before } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type tls from "node:tls";
import { createCa, issueClientCert, issueServerCert, type CertificateAuthority, type CertPair } from "../../host/sim/selfsigned.js";
import { createEcCa, issueEcServerCert, type EcCa, type EcCertPair } from "./ec-certs.js";
import { connectEngine, readBytes, skipWithoutWasm, tlsServer } from "./helpers.js";

describe("mbedtls-wasm interop with node:tls", () => {
  const { it, before } = whenRunnable(skipWithoutWasm);
  let rsaCa: CertificateAuthority;
  let rsaLeaf: CertPair;
  let ecCa: EcCa;
  let ecLeaf: EcCertPair;
  before(() => {
    rsaCa = createCa("mbedtls interop RSA CA");
    rsaLeaf = issueServerCert(rsaCa, { names: ["localhost"] });
    ecCa = createEcCa();
    ecLeaf = issueEcServerCert(ecCa, ["localhost"]);
  });

  const suites: Array<[string, string, "rsa" | "ec"]> = [
    ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "rsa"],
    ["ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "rsa"],
    ["ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "rsa"],
    ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ec"],
    ["ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ec"],
    ["ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ec"],
  ];
  for (const [openssl, iana, kind] of suites) {
    it(`negotiates ${iana} and carries data both ways`, async () => {
      const creds = kind === "rsa" ? rsaLeaf : ecLeaf;
      const ca = kind === "rsa" ? rsaCa.cert : ecCa.cert;
      let serverCipher = "";
      const peer = await tlsServer({ ...creds, ciphers: openssl, maxVersion: "TLSv1.2" }, (s) => {
        serverCipher = s.getCipher().standardName;
        s.on("data", (d: Buffer) => s.write(Buffer.from(d.toString("utf8").toUpperCase())));
      });
      try {
        const ch = await connectEngine(peer.port, { servername: "localhost", ca });
        assert.equal(ch.info.protocol, "TLSv1.2");
        assert.equal(ch.info.cipher, iana);
        assert.equal(ch.info.engine, "mbedtls-wasm");
        assert.equal(ch.info.peerSubject, "localhost");
        assert.match(ch.info.peerSubjectAltNames ?? "", /DNS:localhost/);
        await ch.write(Buffer.from("ehlo scanner.example\r\n"));
        assert.equal((await readBytes(ch, 22)).toString(), "EHLO SCANNER.EXAMPLE\r\n");
        assert.equal(serverCipher, iana);
        ch.close();
      } finally {
        await peer.close();
      }
    });
  }

  for (const curve of ["X25519", "P-256", "P-384"]) {
    it(`completes ECDHE over ${curve} when the server allows only that group`, async () => {
      const peer = await tlsServer({ ...rsaLeaf, ecdhCurve: curve, maxVersion: "TLSv1.2" });
      try {
        const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert });
        assert.equal(ch.info.protocol, "TLSv1.2");
        ch.close();
      } finally {
        await peer.close();
      }
    });
  }

  it("fails cleanly when the server allows only a group the engine lacks (P-521)", async () => {
    const peer = await tlsServer({ ...rsaLeaf, ecdhCurve: "P-521", maxVersion: "TLSv1.2" });
    try {
      await assert.rejects(connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert }), { code: "TLS_HANDSHAKE_FAILED" });
    } finally {
      await peer.close();
    }
  });

  it("negotiates TLS 1.2 with a TLS 1.3-capable server", async () => {
    let serverProtocol: string | null = null;
    const peer = await tlsServer({ ...rsaLeaf, minVersion: "TLSv1.2", maxVersion: "TLSv1.3" }, (s) => {
      serverProtocol = s.getProtocol();
    });
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert });
      assert.equal(ch.info.protocol, "TLSv1.2");
      await ch.write(Buffer.from("x"));
      await waitFor(() => peer.received().length === 1);
      assert.equal(serverProtocol, "TLSv1.2");
      ch.close();
    } finally {
      await peer.close();
    }
  });

  it("sends SNI and presents a client certificate the server verifies", async () => {
    const clientCa = createCa("mbedtls interop client CA");
    const client = issueClientCert(clientCa, { commonName: "scanner-42.example" });
    let sni: string | undefined;
    let clientCn: unknown;
    let authorized: boolean | undefined;
    const peer = await tlsServer(
      { ...rsaLeaf, requestCert: true, rejectUnauthorized: true, ca: clientCa.cert, maxVersion: "TLSv1.2" },
      (s: tls.TLSSocket) => {
        sni = (s as tls.TLSSocket & { servername?: string }).servername;
        clientCn = s.getPeerCertificate().subject?.CN;
        authorized = s.authorized;
      },
    );
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert, cert: client.cert, key: client.key });
      await ch.write(Buffer.from("hello"));
      await waitFor(() => peer.received().length === 5);
      assert.equal(sni, "localhost");
      assert.equal(authorized, true);
      assert.equal(clientCn, "scanner-42.example");
      ch.close();
    } finally {
      await peer.close();
    }
  });

  it("presents an ECDSA client certificate with a PKCS#8 key", async () => {
    const clientCa = createEcCa("mbedtls interop ECDSA client CA");
    const client = issueEcServerCert(clientCa, ["scanner-ec.example"]);
    let clientCn: unknown;
    const peer = await tlsServer(
      { ...rsaLeaf, requestCert: true, rejectUnauthorized: true, ca: clientCa.cert, maxVersion: "TLSv1.2" },
      (s: tls.TLSSocket) => {
        clientCn = s.authorized ? s.getPeerCertificate().subject?.CN : "unauthorized";
      },
    );
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert, cert: client.cert, key: client.key });
      await ch.write(Buffer.from("x"));
      await waitFor(() => peer.received().length === 1);
      assert.equal(clientCn, "scanner-ec.example");
      ch.close();
    } finally {
      await peer.close();
    }
  });

  for (const ip of ["127.0.0.1", "::1"]) {
    it(`verifies a server given as the IP literal ${ip} against its iPAddress SAN, without SNI`, async () => {
      const ipLeaf = issueServerCert(rsaCa, { names: ["localhost", "127.0.0.1", "::1"] });
      let sni: unknown = "unset";
      const peer = await tlsServer({ ...ipLeaf, maxVersion: "TLSv1.2" }, (s) => {
        sni = (s as tls.TLSSocket & { servername?: string | false }).servername;
      });
      try {
        const ch = await connectEngine(peer.port, { servername: ip, ca: rsaCa.cert });
        await ch.write(Buffer.from("x"));
        await waitFor(() => peer.received().length === 1);
        assert.equal(sni, false, "RFC 6066 §3: no IP literal in SNI");
        ch.close();
      } finally {
        await peer.close();
      }
    });
  }

  it("runs several connections at once on the one wasm instance without mixing their bytes", async () => {
    const peer = await tlsServer({ ...ecLeaf, maxVersion: "TLSv1.2" }, (s) => s.on("data", (d: Buffer) => s.write(d)));
    try {
      const channels = await Promise.all(Array.from({ length: 6 }, () => connectEngine(peer.port, { servername: "localhost", ca: ecCa.cert })));
      const payloads = channels.map(() => randomBytes(200_000));
      const echoed = await Promise.all(
        channels.map(async (ch, i) => {
          const reading = readBytes(ch, payloads[i]!.length, 30_000);
          await ch.write(payloads[i]!);
          return reading;
        }),
      );
      echoed.forEach((e, i) => assert.ok(e.equals(payloads[i]!), `connection ${i} got someone else's bytes`));
      for (const ch of channels) ch.close();
    } finally {
      await peer.close();
    }
  });

  it("carries 4 MiB each way intact and reads the server's close_notify as end of stream", async () => {
    const payload = randomBytes(4 << 20);
    const peer = await tlsServer({ ...ecLeaf, maxVersion: "TLSv1.2" }, (s) => {
      let n = 0;
      const h = createHash("sha256");
      s.on("data", (d: Buffer) => {
        h.update(d);
        n += d.length;
        if (n === payload.length) s.end(h.digest()); // 32-byte digest, then close_notify
      });
    });
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: ecCa.cert });
      await ch.write(payload);
      const digest = await readBytes(ch, 32, 30_000);
      assert.deepEqual(digest, createHash("sha256").update(payload).digest());
      assert.equal(await ch.read(), null);
      ch.close();
    } finally {
      await peer.close();
    }
  });

  it("receives 1 MiB from the server in full-size (16 KiB) records", async () => {
    const payload = randomBytes(1 << 20);
    const peer = await tlsServer({ ...rsaLeaf, maxVersion: "TLSv1.2" }, (s) => s.write(payload));
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert });
      assert.deepEqual(await readBytes(ch, payload.length, 30_000), payload);
      ch.close();
    } finally {
      await peer.close();
    }
  });

  // max_fragment_length: OpenSSL honours it for every record, handshake included. mbedTLS 2.28
  // cannot reassemble a split handshake message, so the limit must exceed the certificate chain.
  for (const [mfl, kind] of [[4096, "rsa"], [512, "ec"]] as const) {
    it(`interoperates with max_fragment_length ${mfl} (RFC 6066 §4) and a chain that fits (${kind})`, async () => {
      const payload = randomBytes(100_000);
      const creds = kind === "rsa" ? rsaLeaf : ecLeaf;
      const peer = await tlsServer({ ...creds, maxVersion: "TLSv1.2" }, (s) => s.write(payload));
      try {
        const ca = kind === "rsa" ? rsaCa.cert : ecCa.cert;
        const ch = await connectEngine(peer.port, { servername: "localhost", ca }, { maxFragmentLength: mfl });
        assert.deepEqual(await readBytes(ch, payload.length, 30_000), payload);
        await ch.write(randomBytes(50_000));
        await waitFor(() => peer.received().length === 50_000);
        ch.close();
      } finally {
        await peer.close();
      }
    });
  }

  it("explains a certificate chain split by a too-small max_fragment_length", async () => {
    const peer = await tlsServer({ ...rsaLeaf, maxVersion: "TLSv1.2" });
    try {
      await assert.rejects(connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert }, { maxFragmentLength: 512 }), {
        code: "TLS_HANDSHAKE_FAILED",
        message: /split a TLS handshake message.*maxFragmentLength/,
      });
    } finally {
      await peer.close();
    }
  });

  it("delivers a greeting the server sends right after its Finished (implicit TLS, port 465 style)", async () => {
    const peer = await tlsServer({ ...rsaLeaf, maxVersion: "TLSv1.2" }, (s) => s.write("220 mx.example ESMTP\r\n"));
    try {
      const ch = await connectEngine(peer.port, { servername: "localhost", ca: rsaCa.cert });
      assert.equal((await readBytes(ch, 22)).toString(), "220 mx.example ESMTP\r\n");
      ch.close();
    } finally {
      await peer.close();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
