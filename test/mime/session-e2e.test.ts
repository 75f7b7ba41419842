// The writer behind the real SMTP session (the core's body framer): random text bodies
// with ".", "\r\n.\r\n", bare CR and bare LF plus a random attachment, sent over loopback to
// nodemailer's smtp-server (DATA, dot-stuffing) and to the CHUNKING MTA simulator (BDAT +
// BINARYMIME). What arrives has no bare CR/LF outside the binary part, mailparser reads the same
// text, and the attachment hash matches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { sendMessage } from "../../host/session/driver.js";
import { defaultBoard } from "../../host/config/board.js";
import { startChunkingMta, type ReceivedMessage } from "../../host/sim/chunking-mta.js";
import type { ScanSource } from "../../host/scan/types.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const atoms = ["\r", "\n", "\r\n", ".", "\r\n.\r\n", "\n.\n", ".\r\n", "..", " ", "a", "Zeile", "é", "x".repeat(80)];
const randomText = () => Array.from({ length: randomInt(0, 60) }, () => atoms[randomInt(0, atoms.length)]).join("");
const normal = (s: string) => s.replace(/\r\n|\r|\n/g, "\n").replace(/\n$/, "");

function scan(data: Buffer): ScanSource {
  return {
    fileName: "scan.pdf", mimeType: "application/pdf", size: data.length, replayable: true,
    async *chunks() { for (let i = 0; i < data.length; i += 5000) yield data.subarray(i, i + 5000); },
  };
}

async function send(port: number, text: string, data: Buffer, binaryMime: boolean) {
  return sendMessage({
    server: { host: "127.0.0.1", port, tls: "none", clientName: "mfp.test" },
    auth: { mechanism: "none" },
    message: { from: "mfp@example.com", to: ["ann@example.com"], subject: "Property", text, attachments: [scan(data)] },
    board: defaultBoard(),
    binaryMime,
  });
}

async function check(raw: Buffer, text: string, data: Buffer, binary: boolean) {
  const s = raw.toString("latin1");
  const cut = binary ? s.indexOf("Content-Transfer-Encoding: binary") : s.length;
  assert.doesNotMatch(s.slice(0, cut), /\r(?!\n)|(?<!\r)\n/, JSON.stringify(text));
  const m = await simpleParser(raw);
  assert.equal(normal(m.text ?? ""), normal(text), JSON.stringify(text));
  assert.equal(sha(m.attachments[0]!.content), sha(data));
}

test("DATA to smtp-server: dot-stuffed stream, text and attachment arrive intact", async () => {
  const got: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ["STARTTLS", "AUTH"], logger: false,
    onData(stream, _session, cb) {
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("end", () => { got.push(Buffer.concat(parts)); cb(); });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.server.address() as { port: number }).port;
  try {
    for (let k = 0; k < 15; k++) {
      const text = randomText();
      const data = randomBytes(randomInt(0, 30_000));
      const r = await send(port, text, data, false);
      assert.equal(r.status, "sent", r.message);
      await check(got[k]!, text, data, false);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("BDAT + BINARYMIME to the CHUNKING MTA: binary part, text and attachment arrive intact", async () => {
  const got: ReceivedMessage[] = [];
  const mta = await startChunkingMta({ keepData: true, onMessage: (m) => got.push(m) });
  try {
    for (let k = 0; k < 15; k++) {
      const text = randomText();
      const data = randomBytes(randomInt(0, 30_000));
      const r = await send(mta.port, text, data, true);
      assert.equal(r.status, "sent", r.message);
      const m = got[k]!;
      assert.equal(m.via, "BDAT");
      assert.equal(m.body, "BINARYMIME");
      await check(m.data!, text, data, true);
    }
  } finally {
    await mta.close();
  }
});
