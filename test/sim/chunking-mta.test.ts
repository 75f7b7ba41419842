// The simulator's receiving MTA against real clients: nodemailer (DATA over STARTTLS with AUTH)
// and a raw socket speaking BDAT, so the server the device is demonstrated against is itself
// checked against someone else's client.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import nodemailer from "nodemailer";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";

test("nodemailer delivers over STARTTLS + AUTH PLAIN; dot-stuffed lines arrive unstuffed", async () => {
  const { ca, server } = loopbackServerCredentials();
  const mta = await startChunkingMta({ key: server.key, cert: server.cert, authenticate: (_m, u, p) => u === "scanner" && p === "pw-123" });
  try {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1", port: mta.port, secure: false, requireTLS: true,
      tls: { ca: ca.cert, servername: "localhost" }, auth: { user: "scanner", pass: "pw-123" },
    });
    const text = ".leading dot\r\n..two dots\r\nend\r\n";
    await transport.sendMail({ from: "mfp@example.com", to: "a@example.com", subject: "t", text });
    assert.equal(mta.messages.length, 1);
    const m = mta.messages[0];
    assert.equal(m.tls, true);
    assert.equal(m.user, "scanner");
    assert.equal(m.via, "DATA");
    assert.match(m.data!.toString(), /\r\n\.leading dot\r\n\.\.two dots\r\nend/);
  } finally {
    await mta.close();
  }
});

test("BDAT chunks with BODY=BINARYMIME arrive byte-identical, pipelined", async () => {
  const mta = await startChunkingMta({});
  try {
    const body = Buffer.concat([Buffer.from("Subject: bin\r\n\r\n"), randomBytes(100_000)]);
    const a = body.subarray(0, 60_000);
    const b = body.subarray(60_000);
    const replies = await new Promise<string>((resolve, reject) => {
      const s = net.connect(mta.port, "127.0.0.1");
      let text = "";
      s.on("data", (d) => {
        text += d.toString("latin1");
        if (text.includes("221 ")) resolve(text);
      });
      s.on("error", reject);
      s.once("data", () => {
        s.write("EHLO t\r\nMAIL FROM:<x@example.com> BODY=BINARYMIME\r\nRCPT TO:<y@example.com>\r\n");
        s.write(`BDAT ${a.length}\r\n`);
        s.write(a);
        s.write(`BDAT ${b.length} LAST\r\n`);
        s.write(b);
        s.write("QUIT\r\n");
      });
    });
    assert.match(replies, /250-CHUNKING/);
    assert.match(replies, /250 2\.0\.0 Message accepted \(100016 octets\)/);
    assert.equal(mta.messages.length, 1);
    assert.equal(mta.messages[0].via, "BDAT");
    assert.equal(mta.messages[0].body, "BINARYMIME");
    assert.equal(mta.messages[0].sha256, createHash("sha256").update(body).digest("hex"));
  } finally {
    await mta.close();
  }
});
