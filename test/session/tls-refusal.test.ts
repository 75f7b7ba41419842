// TLS refusals at the session level: each certificate problem ends the session after STARTTLS
// with a clear, permanent result — and no credential, no MAIL, nothing delivered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendMessage } from "../../host/session/driver.js";
import { createCa, issueServerCert, selfSignedServerCert } from "../../host/sim/selfsigned.js";
import { server, options, recorder } from "./lab.js";

const ca = createCa("refusal test CA");
const cases: [string, () => { key: string; cert: string; ca?: string }, string][] = [
  ["expired certificate", () => ({ ...issueServerCert(ca, { names: ["localhost"], expired: true }), ca: ca.cert }), "TLS_CERT_EXPIRED"],
  ["certificate for another host name", () => ({ ...issueServerCert(ca, { names: ["mail.elsewhere.test"] }), ca: ca.cert }), "TLS_HOSTNAME_MISMATCH"],
  ["self-signed certificate, no CA configured", () => selfSignedServerCert({ names: ["localhost"] }), "TLS_CERT_UNTRUSTED"],
];

for (const [name, creds, id] of cases) {
  test(`STARTTLS with ${name}: ${id}, no AUTH sent, nothing delivered`, async () => {
    const c = creds();
    const srv = await server({ credentials: c });
    try {
      const rec = recorder();
      const r = await sendMessage(options({ port: srv.port, ca: c.ca ?? "" }, rec, c.ca ? {} : { server: { host: "localhost", port: srv.port, tls: "starttls", requireTls: true } }));
      assert.equal(r.status, "failed", r.message);
      assert.equal(r.id, id);
      assert.equal(r.transient, false);
      assert.equal(r.messageAccepted, false);
      assert.ok(rec.commands.includes("STARTTLS"));
      assert.ok(!rec.commands.some((x) => /^(AUTH|MAIL)/.test(x)), rec.commands.join(" | "));
      assert.equal(srv.auths.length, 0);
      assert.equal(srv.messages.length, 0);
    } finally {
      await srv.close();
    }
  });
}
