// End to end through Postfix, the MTA MFPs talk to on-premises: STARTTLS with a generated
// certificate, SASL PLAIN against a sasldb, then the delivered message is read from the maildir
// and parsed with mailparser. Postfix offers CHUNKING (BDAT) without BINARYMIME, so the session
// uses BDAT with a 7-bit/8-bit body; with the board switch off it uses DATA.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { sendMessage } from "../../host/session/driver.js";
import { simulatedScan } from "../../host/scan/index.js";
import { startPostfix, postfixUnavailable, type PostfixInstance } from "../fixtures/postfix.js";
import { board, recorder, sha256, parse } from "./lab.js";
import type { SessionOptions } from "../../host/session/types.js";

const why = postfixUnavailable();
let pf: PostfixInstance;

before(async () => {
  if (!why) pf = await startPostfix();
});
after(async () => {
  await pf?.stop();
});

function opts(over: Partial<SessionOptions> = {}): SessionOptions {
  return {
    server: { host: pf.host, port: pf.port, tls: "starttls", requireTls: true, tlsOptions: { ca: pf.caPem, servername: pf.hostname } },
    auth: { mechanism: "plain", user: `${pf.user}@${pf.domain}`, password: pf.password },
    message: { from: `scanner@${pf.domain}`, to: [`alice@${pf.domain}`], subject: "Postfix scan", text: "Scanned.\r\n", attachments: [] },
    // Generous waits: a freshly started Postfix forks its smtpd on the first connections.
    board: { ...board(), timeouts: { ...board().timeouts, greeting: 30_000, command: 30_000, dataTerm: 30_000 } },
    ...over,
  };
}

test("Postfix: a 5-page scan over STARTTLS + AUTH PLAIN + BDAT arrives in the maildir byte-identical", { skip: why ?? false }, async () => {
  const scan = simulatedScan({ pages: 5, bytes: 1_500_000, seed: 11 });
  const rec = recorder();
  const o = opts({ chunking: true });
  const r = await sendMessage({ ...o, message: { ...o.message, attachments: [scan] }, observer: { command: (c) => rec.commands.push(c) } });
  assert.equal(r.status, "sent", `${r.message}\n${pf.log().slice(-2000)}`);
  assert.equal(r.bodyMode, "chunked");
  assert.ok(rec.commands.some((c) => c.startsWith("BDAT")));
  assert.match(r.tls?.protocol ?? "", /^TLSv1\.[23]$/);
  const [raw] = await pf.waitDelivered(1);
  const mail = await parse(Buffer.from(raw!, "latin1"));
  assert.equal(mail.subject, "Postfix scan");
  assert.equal(mail.attachments[0]!.filename, scan.fileName);
  assert.equal(createHash("sha256").update(mail.attachments[0]!.content).digest("hex"), await sha256(scan));
});

test("Postfix: DATA path (BDAT turned off), three recipients", { skip: why ?? false }, async () => {
  const scan = simulatedScan({ pages: 2, bytes: 300_000, seed: 12 });
  const o = opts({ chunking: false });
  const to = [`a@${pf.domain}`, `b@${pf.domain}`, `c@${pf.domain}`];
  const r = await sendMessage({ ...o, message: { ...o.message, subject: "Postfix DATA", to, attachments: [scan] } });
  assert.equal(r.status, "sent", `${r.message}\n${pf.log().slice(-3000)}`);
  assert.notEqual(r.bodyMode, "chunked");
  assert.deepEqual(r.recipients.map((x) => x.accepted), [true, true, true]);
  const all = await pf.waitDelivered(4);
  const mails = await Promise.all(all.map((m) => parse(Buffer.from(m, "latin1"))));
  const data = mails.filter((m) => m.subject === "Postfix DATA");
  assert.equal(data.length, 3); // one maildir copy per recipient
  for (const m of data) assert.equal(createHash("sha256").update(m.attachments[0]!.content).digest("hex"), await sha256(scan));
});

test("Postfix: wrong password → 535, failed, nothing delivered", { skip: why ?? false }, async () => {
  const before = (await pf.readDelivered()).length;
  const o = opts({ auth: { mechanism: "plain", user: `${pf.user}@${pf.domain}`, password: "wrong" } });
  const r = await sendMessage({ ...o, message: { ...o.message, text: "x" } });
  assert.equal(r.status, "failed");
  assert.equal(r.code, 535);
  assert.equal((await pf.readDelivered()).length, before);
});

// A board that selects the mbedtls-wasm engine sends a scan to Postfix over STARTTLS.
const noMbedtls = existsSync(new URL("../../build/mbedtls.wasm", import.meta.url)) ? false : "build/mbedtls.wasm not built (npm run build:tls)";

test("Postfix: a board selecting mbedtls-wasm sends a scan over STARTTLS (TLS 1.2), byte-identical", { skip: why ?? noMbedtls }, async () => {
  const before = (await pf.readDelivered()).length;
  const scan = simulatedScan({ pages: 3, bytes: 600_000, seed: 13 });
  const o = opts();
  const mbedBoard = { ...o.board, tls: { ...o.board.tls, engine: "mbedtls-wasm" as const, minVersion: "TLSv1.2" as const } };
  const r = await sendMessage({ ...o, board: mbedBoard, message: { ...o.message, subject: "Postfix via mbedtls-wasm", attachments: [scan] } });
  assert.equal(r.status, "sent", `${r.message}\n${pf.log().slice(-2000)}`);
  assert.equal(r.tls?.engine, "mbedtls-wasm");
  assert.equal(r.tls?.protocol, "TLSv1.2");
  const all = await pf.waitDelivered(before + 1);
  const mails = await Promise.all(all.map((m) => parse(Buffer.from(m, "latin1"))));
  const mail = mails.find((m) => m.subject === "Postfix via mbedtls-wasm");
  assert.ok(mail, "the message is in the maildir");
  assert.match(String(mail.headers.get("received") ?? ""), /TLSv1\.2/);
  assert.equal(createHash("sha256").update(mail.attachments[0]!.content).digest("hex"), await sha256(scan));
});
