// Sessions the firmware lane needs on tape beyond the other suites: a 20 MiB scan on the
// firmware board (no-SIMD build, split in three base64 messages at a 10 MB server's SIZE) and on the desktop board (one
// BINARYMIME message), and hostile servers. Each is a real test of its own: what arrived is
// read back, and a hostile server ends the session cleanly, never "sent", never a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import type net from "node:net";
import { sendMessage } from "../../host/session/driver.js";
import { resolveBoard } from "../../host/config/board.js";
import { simulatedScan } from "../../host/scan/index.js";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import type { SessionOptions, SessionResult } from "../../host/session/types.js";
import { server, options, recorder, parse, attachmentSha, sha256, board, rawServer, onLines, USER, PASSWORD } from "../session/lab.js";

const MiB = 1024 * 1024;

test("20 MiB scan on the arm-64mb board (no-SIMD core) to a server with SIZE 10 MB: three base64 messages, the pages rejoin byte for byte", { timeout: 300_000 }, async () => {
  // the shipped boards split at the server's SIZE (RFC 1870), not below it
  const srv = await server({ size: 10_000_000 });
  try {
    const scan = simulatedScan({ pages: 12, bytes: 20 * MiB, seed: 20 });
    const arm = resolveBoard("arm-64mb");
    assert.equal(arm.core.simd, false);
    const r = await sendMessage(options(srv, recorder(), { scan, board: { ...board(), core: arm.core, message: arm.message, scan: arm.scan } }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.parts.total, 3);
    const parsed = await Promise.all((await srv.waitForMessages(3)).map((m) => parse(m.raw)));
    const joined = Buffer.concat(parsed.map((p) => p.attachments[0]!.content));
    const whole: Buffer[] = [];
    for await (const c of scan.chunks()) whole.push(Buffer.from(c));
    assert.ok(joined.equals(Buffer.concat(whole)), "the three parts rejoin to the scan");
  } finally {
    await srv.close();
  }
});

test("20 MiB scan on the desktop board to a CHUNKING + BINARYMIME server: one message in BDAT chunks, byte-identical", { timeout: 300_000 }, async () => {
  const creds = loopbackServerCredentials(["localhost", "127.0.0.1"]);
  const mta = await startChunkingMta({ key: creds.server.key, cert: creds.server.cert, authenticate: (_m, u, s) => u === USER && s === PASSWORD });
  try {
    const scan = simulatedScan({ pages: 10, bytes: 20 * MiB, seed: 21 });
    const r = await sendMessage(options({ port: mta.port, ca: creds.ca.cert }, recorder(), { scan }));
    assert.equal(r.status, "sent", r.message);
    assert.equal(r.bodyMode, "binarymime");
    assert.equal(attachmentSha(await parse(mta.messages[0]!.data!)), await sha256(scan));
  } finally {
    await mta.close();
  }
});

// ── Hostile servers ───────────────────────────────────────────────────────────────────────

const EHLO = "250-hostile.test\r\n250-PIPELINING\r\n250-SIZE 50000000\r\n250 8BITMIME\r\n";

/** Write bytes one at a time, a macrotask apart, so every split point reaches the client;
 *  writes queue behind each other (pipelined commands get their replies in order). */
function dripper(s: net.Socket): (text: string) => void {
  let queue = Promise.resolve();
  const one = (b: Buffer) => new Promise<void>((done) => {
    let i = 0;
    const next = () => {
      if (i >= b.length || s.destroyed) return done();
      s.write(b.subarray(i, ++i));
      setImmediate(next);
    };
    next();
  });
  return (text) => { queue = queue.then(() => one(Buffer.from(text, "latin1"))); };
}

/** A plain-TCP server that greets and answers each command line with `answer` (DATA's body
 *  lines reach `answer` too, as they arrive). */
async function hostile(answer: (line: string, s: net.Socket) => void, greeting = "220 hostile.test ESMTP\r\n") {
  return rawServer((s) => {
    s.write(greeting);
    onLines(s, answer);
  });
}

async function sendTo(port: number, over: Partial<SessionOptions> = {}): Promise<SessionResult> {
  const scan = simulatedScan({ pages: 2, bytes: 60_000, seed: 5 });
  const o = options({ port, ca: "" }, recorder(), { scan });
  return sendMessage({
    ...o, server: { host: "127.0.0.1", port, tls: "none" }, auth: { mechanism: "none" }, ...over,
  });
}

function refused(r: SessionResult): void {
  assert.notEqual(r.status, "sent", r.message);
  assert.equal(r.messageAccepted, false);
  assert.ok(r.message.length > 0, "the failure has words");
}

test("hostile: bytes injected after the STARTTLS 220 end the session before any credential", async () => {
  const seen: string[] = [];
  const srv = await hostile((line, s) => {
    seen.push(line);
    if (/^EHLO/i.test(line)) s.write("250-hostile.test\r\n250 STARTTLS\r\n");
    else if (line === "STARTTLS") s.write("220 2.0.0 go ahead\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n");
  });
  try {
    const r = await sendTo(srv.port, {
      server: { host: "127.0.0.1", port: srv.port, tls: "starttls", requireTls: true },
      auth: { mechanism: "plain", user: USER, password: PASSWORD },
    });
    refused(r);
    assert.ok(!seen.some((l) => /^(AUTH|MAIL)/.test(l)), seen.join(" | "));
  } finally {
    await srv.close();
  }
});

test("hostile: a 100 KiB reply line is refused as too long, not buffered", async () => {
  const srv = await hostile((line, s) => {
    if (/^EHLO/i.test(line)) s.write(`250-${"x".repeat(100 * 1024)}\r\n250 PIPELINING\r\n`);
  });
  try {
    refused(await sendTo(srv.port));
  } finally {
    await srv.close();
  }
});

test("hostile: a binary greeting, mixed codes in one reply and an unsolicited reply each fail cleanly", async () => {
  const cases: [string, (line: string, s: net.Socket) => void][] = [
    ["\x00\xff\x1b[2J\x07garbage\r\n", () => {}],
    ["220 ok\r\n", (line, s) => { if (/^EHLO/i.test(line)) s.write("250-hostile.test\r\n251 PIPELINING\r\n"); }],
    ["220 ok\r\n", (line, s) => { if (/^EHLO/i.test(line)) s.write(EHLO + "250 nobody asked\r\n"); }],
  ];
  for (const [greeting, answer] of cases) {
    const srv = await hostile(answer, greeting);
    try {
      refused(await sendTo(srv.port));
    } finally {
      await srv.close();
    }
  }
});

test("hostile: 421 in the middle of the body is a transient failure, never 'sent'", async () => {
  const srv = await hostile((line, s) => {
    if (/^EHLO/i.test(line)) s.write(EHLO);
    else if (/^(MAIL|RCPT)/.test(line)) s.write("250 ok\r\n");
    else if (line === "DATA") s.write("354 go\r\n");
    else if (line.startsWith("--") && !s.destroyed) { s.end("421 4.3.2 shutting down\r\n"); }
  });
  try {
    const r = await sendTo(srv.port);
    refused(r);
    assert.equal(r.transient, true);
  } finally {
    await srv.close();
  }
});

test("hostile but correct: every reply dripped one byte at a time, NUL and 8-bit bytes in the text: the scan arrives", async () => {
  let body: string[] = [];
  const messages: string[] = [];
  let inData = false;
  const drips = new WeakMap<net.Socket, (text: string) => void>();
  const srv = await hostile((line, s) => {
    if (!drips.has(s)) drips.set(s, dripper(s));
    const say = drips.get(s)!;
    if (inData) {
      if (line === ".") { inData = false; messages.push(body.join("\r\n")); body = []; say("250 2.0.0 queued\x00\xe9\r\n"); }
      else body.push(line.startsWith("..") ? line.slice(1) : line);
      return;
    }
    if (/^EHLO/i.test(line)) say("250-hostile.test \xff\x00\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    else if (line.startsWith("MAIL")) say("250 2.1.0 ok\r\n");
    else if (line.startsWith("RCPT")) say("250 2.1.5 ok\r\n");
    else if (line === "DATA") { inData = true; say("354 go\r\n"); }
    else if (line === "QUIT") { say("221 bye\r\n"); }
  }, "220-hostile.test\r\n220 ready\r\n");
  try {
    const scan = simulatedScan({ pages: 2, bytes: 60_000, seed: 7 });
    const r = await sendTo(srv.port, { message: { from: USER, to: ["frontdesk@contoso.test"], subject: "Drip", text: "x\r\n", attachments: [scan] } });
    assert.equal(r.status, "sent", r.message);
    assert.equal(messages.length, 1);
    assert.equal(attachmentSha(await parse(Buffer.from(messages[0]! + "\r\n", "latin1"))), await sha256(scan));
  } finally {
    await srv.close();
  }
});
