// Deadlines per reply and caps per reply (RFC 5321 §4.5.3.2): a reply's timeout is armed when its
// command is written and is not moved by bytes that trickle in; a reply has a cap on lines and
// bytes (the board's). Past either the session ends at once: transient, the connection closed.
// A slow but honest server — every reply whole within its timeout — is still served.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendMessage } from "../../host/session/driver.js";
import { defaultBoard, type Board } from "../../host/config/board.js";
import { simulatedScan } from "../../host/scan/index.js";
import type { SessionOptions } from "../../host/session/types.js";
import { dripServer, endlessEhloServer, slowHonestServer } from "./hostile-servers.js";

const T = 1000; // every board timeout in these tests (the schema's minimum)

function shortBoard(over: Partial<Board["smtp"]> = {}, t = T): Board {
  const b = defaultBoard();
  return {
    ...b,
    timeouts: { connect: t, greeting: t, command: t, mail: t, rcpt: t, dataInit: t, dataBlock: t, dataTerm: t },
    smtp: { ...b.smtp, ...over },
  };
}

function options(port: number, board: Board): SessionOptions {
  return {
    server: { host: "127.0.0.1", port, tls: "none" },
    auth: { mechanism: "none" },
    message: { from: "scanner@contoso.test", to: ["a@contoso.test"], subject: "Scan", text: "Scanned.\r\n", attachments: [simulatedScan({ pages: 1, bytes: 40_000, seed: 3 })] },
    board,
  };
}

test("a greeting dripped one byte every 100 ms times out after the greeting's timeout, not never", async () => {
  const srv = await dripServer("greeting", 100);
  try {
    const t0 = Date.now();
    const r = await sendMessage(options(srv.port, shortBoard()));
    const ms = Date.now() - t0;
    assert.deepEqual([r.id, r.transient, r.messageAccepted], ["READ_TIMEOUT", true, false], r.message);
    assert.ok(srv.written() >= 5, "the server did drip bytes");
    assert.ok(ms >= T - 50 && ms < 3 * T, `ended after ${ms} ms`);
    assert.equal(r.stage, "Greeting");
    assert.match(r.message, /^The mail server stopped answering; send the scan again later\. The server 127\.0\.0\.1:\d+ did not send the server's greeting in full within 1 s\./);
  } finally {
    await srv.close();
  }
});

test("an EHLO reply dripped after its first line: the deadline was armed when EHLO was written", async () => {
  const srv = await dripServer("ehlo", 50);
  try {
    const t0 = Date.now();
    const r = await sendMessage(options(srv.port, shortBoard()));
    const ms = Date.now() - t0;
    assert.equal(r.id, "READ_TIMEOUT", r.message);
    assert.deepEqual([r.stage, r.command], ["Ehlo", "EHLO"]);
    assert.ok(ms < 3 * T, `ended after ${ms} ms`);
  } finally {
    await srv.close();
  }
});

test("endless 250- lines to EHLO: cut at the board's 1000 lines, transient, within moments", async () => {
  const srv = await endlessEhloServer(20);
  try {
    const t0 = Date.now();
    // Timeouts of 10 s: the cap, not a deadline, must end it (on a loaded machine a 1 s deadline
    // can pass first while 20 KB are read, which would prove nothing about the cap).
    const r = await sendMessage(options(srv.port, shortBoard({ replyMaxLines: 1000 }, 10 * T)));
    const ms = Date.now() - t0;
    assert.deepEqual([r.id, r.transient, r.messageAccepted], ["PROTOCOL_REPLY_TOO_LONG", true, false], r.message);
    assert.deepEqual([r.stage, r.command], ["Ehlo", "EHLO"]);
    assert.ok(ms < 10 * T, `ended after ${ms} ms, before any deadline`);
    // 1000 lines of 20 bytes is 20 KB; what was read is bounded by that and the socket's reads.
    assert.ok(r.wireBytes < 1 << 20, `read ${r.wireBytes} bytes`);
    assert.match(r.message, /^The server's reply went on far too long; send the scan again later\./);
  } finally {
    await srv.close();
  }
});

test("endless long 250- lines: cut at the board's bytes per reply", async () => {
  const srv = await endlessEhloServer(1000);
  try {
    const r = await sendMessage(options(srv.port, shortBoard({ replyMaxLines: 100_000, replyMaxBytes: 65536 })));
    assert.equal(r.id, "PROTOCOL_REPLY_TOO_LONG", r.message);
    assert.ok(r.wireBytes < 1 << 20, `read ${r.wireBytes} bytes`);
  } finally {
    await srv.close();
  }
});

test("a slow but honest server (each reply whole in 0.4 s, the session longer than any timeout) is served", async () => {
  const srv = await slowHonestServer(400);
  try {
    const t0 = Date.now();
    const r = await sendMessage(options(srv.port, shortBoard()));
    const ms = Date.now() - t0;
    assert.equal(r.status, "sent", r.message);
    assert.equal(srv.messages, 1);
    assert.ok(ms > T, `the whole session (${ms} ms) outlasts one timeout: deadlines are per reply`);
  } finally {
    await srv.close();
  }
});
