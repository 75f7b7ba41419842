// The fixture itself honours Microsoft's TLS floor: a TLS 1.1 client is refused after STARTTLS,
// the same client allowed TLS 1.2 gets through (so it is the server that refuses).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { startExchangeOnline } from "../fixtures/exchange-online.js";

async function starttlsThen(port: number, ca: string, maxVersion: tls.SecureVersion): Promise<string> {
  const sock = net.connect(port, "127.0.0.1");
  sock.setTimeout(5000, () => sock.destroy(new Error("timeout")));
  let buf = "";
  const waitFor = (re: RegExp) => new Promise<void>((res, rej) => {
    const on = (d: Buffer) => {
      buf += d.toString("latin1");
      if (re.test(buf)) { sock.off("data", on); buf = ""; res(); }
    };
    sock.on("data", on);
    sock.once("error", rej);
  });
  await waitFor(/^220 .*\r\n/m);
  sock.write("EHLO probe.contoso.com\r\n");
  await waitFor(/^250 .*\r\n/m);
  sock.write("STARTTLS\r\n");
  await waitFor(/^220 .*\r\n/m);
  return new Promise<string>((res) => {
    const t = tls.connect({ socket: sock, servername: "localhost", ca, minVersion: "TLSv1", maxVersion, ciphers: "DEFAULT@SECLEVEL=0" });
    t.once("secureConnect", () => { const v = t.getProtocol() ?? "?"; t.destroy(); res(v); });
    t.once("error", (e) => { t.destroy(); res(`error: ${(e as NodeJS.ErrnoException).code ?? e.message}`); });
  });
}

test("fixture refuses TLS < 1.2 after STARTTLS and accepts TLS 1.2", async () => {
  const s = await startExchangeOnline({ mode: "submission" });
  try {
    // The server answers with a protocol_version alert (not a client-side "no protocols" error).
    assert.match(await starttlsThen(s.port, s.ca.cert, "TLSv1.1"), /^error: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION$/);
    assert.equal(await starttlsThen(s.port, s.ca.cert, "TLSv1.2"), "TLSv1.2");
  } finally {
    await s.close();
  }
});
