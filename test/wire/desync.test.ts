// Protocol desync is a server protocol error: transient, the scan kept, never "delivered" and
// never a refusal. A real smtp-server behind a loopback proxy (reply-proxy.ts) answers out of
// order: a 250 right behind the 354 before any body byte, two 250s to one MAIL (with and without
// PIPELINING). The session must end as PROTOCOL_DESYNC with the stage and command it failed at,
// the transcript must show what the server said, and nothing may arrive at the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { sendMessage } from "../../host/session/driver.js";
import { sendViaOutbox } from "../../host/outbox/send.js";
import { Outbox } from "../../host/outbox/index.js";
import { sessionDeliver } from "../../host/outbox/session-deliver.js";
import { simulatedScan } from "../../host/scan/index.js";
import { startSimServer, type SimServer } from "../../host/sim/server.js";
import type { SessionOptions, SessionResult } from "../../host/session/types.js";
import { board, parse, attachmentSha } from "../session/lab.js";
import { suiteDir } from "../outbox/helpers.js";
import { replyProxy, type Rewrite } from "./reply-proxy.js";

const FROM = "scanner@contoso.test";
const TO = "frontdesk@contoso.test";
let piped: SimServer;
let unpiped: SimServer;
before(async () => {
  piped = await startSimServer({ starttls: false });
  unpiped = await startSimServer({ starttls: false, pipelining: false });
});
after(async () => {
  await piped.close();
  await unpiped.close();
});

/** 354, and at once a 250 the client never asked for (no body byte was sent yet). */
const queuedBehind354: Rewrite = (cmd, reply) => (/^DATA$/i.test(cmd) && reply.startsWith("354") ? reply + "250 2.0.0 Ok: queued as FAKE\r\n" : reply);
/** Every reply to MAIL twice. */
const doubleMail: Rewrite = (cmd, reply) => (/^MAIL /i.test(cmd) ? reply + reply : reply);

let bodyBytes = 0;
function options(port: number, replies: string[], seed = 7): SessionOptions {
  bodyBytes = 0;
  return {
    server: { host: "127.0.0.1", port, tls: "none" },
    auth: { mechanism: "none" },
    message: { from: FROM, to: [TO], subject: "Scan", text: "Scanned.\r\n", attachments: [simulatedScan({ pages: 2, bytes: 120_000, seed })] },
    board: board(),
    observer: { reply: (c, e, t) => replies.push(`${c} ${e} ${t}`.replace(/\s+/g, " ").trim()), body: (n) => { bodyBytes = n; } },
  };
}

function assertDesync(r: SessionResult, stage: string, command: string): void {
  assert.equal(r.id, "PROTOCOL_DESYNC", r.message);
  assert.equal(r.transient, true, "a desync is retried later");
  assert.equal(r.messageAccepted, false);
  assert.notEqual(r.status, "sent");
  assert.notEqual(r.status, "failed", "not a permanent refusal: nothing was refused");
  assert.equal(r.code, 0, "no server code is reported as the outcome");
  assert.deepEqual([r.stage, r.command], [stage, command]);
  assert.ok(r.message.startsWith("The server answered out of order; send the scan again later."), r.message);
  assert.doesNotMatch(r.message, /Not sent: ok|\n| — /);
  assert.ok(r.recipients.every((x) => !x.accepted));
}

test("354 and at once 250 before any body byte: desync at Body, nothing delivered", async () => {
  const proxy = await replyProxy(piped.port, queuedBehind354);
  try {
    const before = piped.messages.length;
    const replies: string[] = [];
    const t0 = Date.now();
    const r = await sendMessage(options(proxy.port, replies));
    assertDesync(r, "Body", "");
    assert.match(r.message, /Reply 250 came when no command was waiting for one\./);
    assert.ok(replies.includes("250 2.0.0 Ok: queued as FAKE"), `the transcript keeps what the server said: ${replies.join(" | ")}`);
    assert.ok(Date.now() - t0 < 4000, "ends at once, no timeout needed");
    assert.equal(bodyBytes, 0, "not one byte of the scan went out after the out-of-order 250");
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(piped.messages.length, before, "the server got no message");
  } finally {
    await proxy.close();
  }
});

test("two 250s to MAIL with PIPELINING: DATA gets a 250, desync at Envelope", async () => {
  const proxy = await replyProxy(piped.port, doubleMail);
  try {
    const before = piped.messages.length;
    const replies: string[] = [];
    const r = await sendMessage(options(proxy.port, replies));
    assertDesync(r, "Envelope", "DATA");
    assert.match(r.message, /Reply 250 does not fit DATA\./);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(piped.messages.length, before);
  } finally {
    await proxy.close();
  }
});

test("two 250s to MAIL without PIPELINING: the second came before RCPT TO was sent", async () => {
  const proxy = await replyProxy(unpiped.port, doubleMail);
  try {
    const r = await sendMessage(options(proxy.port, []));
    assertDesync(r, "Envelope", "RCPT TO");
    assert.match(r.message, /Reply 250 came before RCPT TO was sent\./);
    assert.equal(unpiped.messages.length, 0);
  } finally {
    await proxy.close();
  }
});

test("through the outbox the job is kept, and the next attempt delivers the scan exactly once", async () => {
  const proxy = await replyProxy(piped.port, queuedBehind354);
  const dir = suiteDir("desync");
  try {
    const outbox = await Outbox.open({ dir });
    const session = options(proxy.port, [], 11);
    const first = await sendViaOutbox({ outbox, session });
    assert.equal(first.result.id, "PROTOCOL_DESYNC");
    assert.equal(first.result.status, "queued");
    assert.equal(first.outcome.kind, "retry", "the job stays queued (never a 'not delivered' report)");
    const [job] = await outbox.list();
    assert.ok(job, "the job and its scan are kept");
    assert.equal(job.attempts.at(-1)?.message.startsWith("The server answered out of order"), true);

    proxy.set(null); // the server behaves again
    const before = piped.messages.length;
    const second = await outbox.deliverNow(first.jobId, sessionDeliver({ board: session.board }));
    assert.equal(second.kind, "done");
    assert.equal((await outbox.list()).length, 0);
    const arrived = await piped.waitForMessages(before + 1, 5000);
    assert.equal(arrived.length, before + 1, "delivered once");
    const m = await parse(arrived.at(-1)!.raw);
    assert.equal(attachmentSha(m), job.scans[0]!.sha256, "the scan kept in the outbox arrived byte-identical");
  } finally {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
