import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import {
  createCa,
  issueClientCert,
  issueServerCert,
  selfSignedServerCert,
} from "../../host/sim/selfsigned.js";

test("CA-issued server certificate verifies in a real node:tls handshake", async () => {
  const ca = createCa();
  const srv = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });
  const x = new X509Certificate(srv.cert);
  assert.ok(x.checkIssued(new X509Certificate(ca.cert)));
  assert.match(x.subjectAltName ?? "", /DNS:localhost/);
  assert.match(x.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  const server = tls.createServer({ cert: srv.cert, key: srv.key }, (s) => s.end("hi"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const got = await new Promise<string>((resolve, reject) => {
      const c = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: ca.cert }, () => {
        c.setEncoding("utf8");
        let s = "";
        c.on("data", (d) => (s += d));
        c.on("end", () => resolve(s));
      });
      c.on("error", reject);
    });
    assert.equal(got, "hi");
  } finally {
    server.close();
  }
});

test("validity options: expired, not yet valid; self-signed has itself as issuer; client cert usage", () => {
  const ca = createCa();
  const now = Date.now();
  const expired = new X509Certificate(issueServerCert(ca, { expired: true }).cert);
  assert.ok(Date.parse(expired.validTo) < now);
  const future = new X509Certificate(issueServerCert(ca, { notYetValid: true }).cert);
  assert.ok(Date.parse(future.validFrom) > now);
  const self = new X509Certificate(selfSignedServerCert({ names: ["mail.example.test"] }).cert);
  assert.equal(self.issuer, self.subject);
  assert.ok(self.checkHost("mail.example.test"));
  const client = new X509Certificate(issueClientCert(ca, { commonName: "scanner-01", altNames: ["scan@example.test"] }).cert);
  assert.match(client.subject, /CN=scanner-01/);
  assert.deepEqual(client.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
});
