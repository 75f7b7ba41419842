// Told, not only stored (RFC 3461): when the server offers DSN the device asks for failure and
// delay reports (NOTIFY=FAILURE,DELAY), headers only (RET=HDRS) and an envelope id (ENVID, from the
// Message-ID). Against Postfix, which offers DSN, a recipient that fails after acceptance comes
// back to the sender as a bounce that names our ENVID and does not carry the message text; against
// smtp-server with and without DSN, exactly the right parameters (or none) are sent.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { SMTPServer, type SMTPServerEnvelope } from "smtp-server";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { sendMessage } from "../../host/session/driver.js";
import { simulatedScan } from "../../host/scan/index.js";
import type { SessionOptions } from "../../host/session/types.js";
import { startPostfix, postfixUnavailable, type PostfixInstance } from "../fixtures/postfix.js";
import { board } from "../session/lab.js";

describe("Postfix (offers DSN)", () => {
  const why = postfixUnavailable();
  let pf: PostfixInstance;
  // fabrikam.example goes to an SMTP next hop that refuses connections (loopback port 9, discard:
  // nothing listens); with a queue lifetime of 0 the first failed try bounces at once. Accepted
  // at RCPT, failed afterwards: exactly the case a DSN reports to the sender.
  before(async () => {
    if (!why) {
      pf = await startPostfix({ mainCf: [
        "transport_maps = inline:{fabrikam.example=smtp:[127.0.0.1]:9}",
        "maximal_queue_lifetime = 0", "bounce_queue_lifetime = 0",
        "smtp_connect_timeout = 2s",
      ].join("\n") });
    }
  });
  after(async () => { await pf?.stop(); });

  function opts(subject: string, marker: string, commands: string[], dsn?: boolean): SessionOptions {
    return {
      server: { host: pf.host, port: pf.port, tls: "starttls", requireTls: true, tlsOptions: { ca: pf.caPem, servername: pf.hostname } },
      auth: { mechanism: "plain", user: `${pf.user}@${pf.domain}`, password: pf.password },
      // alice is local (delivered); partner@fabrikam.example is accepted and fails afterwards:
      // the report goes back to the sender, a local mailbox here.
      message: { from: `scanner@${pf.domain}`, to: [`alice@${pf.domain}`, "partner@fabrikam.example"], subject, text: `${marker}\r\n`, attachments: [] },
      board: { ...board(), timeouts: { ...board().timeouts, greeting: 30_000, command: 30_000, dataTerm: 30_000 } },
      observer: { command: (c) => commands.push(c) },
      ...(dsn === undefined ? {} : { dsn }),
    };
  }

  /** The bounce about `subject` (its returned headers name it), waiting for Postfix to write it. */
  async function bounceFor(subject: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const all = await pf.readDelivered();
      const b = all.find((m) => /multipart\/report/i.test(m) && m.includes(`Subject: ${subject}`));
      if (b) return b;
      if (Date.now() > deadline) throw new Error(`no bounce for "${subject}":\n${pf.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test("the board default asks for DSN: the bounce names our ENVID and returns headers only", { skip: why ?? false }, async () => {
    const commands: string[] = [];
    const marker = "BODY-MARKER-dsn-on-7f3a";
    const r = await sendMessage(opts("DSN on", marker, commands));
    assert.equal(r.status, "sent", `${r.message} ${JSON.stringify(r.recipients)}\n${pf.log().slice(-2000)}`);
    const mail = commands.find((c) => c.startsWith("MAIL FROM:"))!;
    const envid = /ENVID=(\S+)/.exec(mail)?.[1];
    assert.match(mail, / RET=HDRS ENVID=\S+/);
    assert.ok(envid && envid.endsWith(`@${pf.domain}`), mail);
    for (const c of commands.filter((x) => x.startsWith("RCPT TO:"))) assert.match(c, / NOTIFY=FAILURE,DELAY$/);
    const bounce = await bounceFor("DSN on");
    assert.match(bounce, new RegExp(`Original-Envelope-Id: ${envid!.replace(/[.+]/g, "\\$&")}`, "i"));
    assert.match(bounce, /text\/rfc822-headers/i, "RET=HDRS: only the headers come back");
    assert.ok(!bounce.includes(marker), "the message text (a scan, on a device) is not sent back");
    const parsed = await simpleParser(Buffer.from(bounce, "latin1"));
    assert.match(String(parsed.to && "text" in parsed.to ? parsed.to.text : ""), new RegExp(`scanner@${pf.domain}`));
  });

  test("--no-dsn (dsn: false): no DSN parameters; Postfix's own default returns the text", { skip: why ?? false }, async () => {
    const commands: string[] = [];
    const marker = "BODY-MARKER-dsn-off-91c2";
    const r = await sendMessage(opts("DSN off", marker, commands, false));
    assert.equal(r.status, "sent", r.message);
    assert.ok(commands.every((c) => !/RET=|ENVID=|NOTIFY=/.test(c)), commands.join(" | "));
    const bounce = await bounceFor("DSN off");
    assert.doesNotMatch(bounce, /Original-Envelope-Id/i);
    assert.ok(bounce.includes(marker), "without RET=HDRS Postfix returns the whole message");
  });
});

describe("smtp-server with and without DSN", () => {
  const servers: SMTPServer[] = [];
  after(async () => { await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))); });

  async function server(dsn: boolean, seen: { env: SMTPServerEnvelope; raw: Buffer }[]): Promise<number> {
    const s = new SMTPServer({
      disabledCommands: ["STARTTLS", "AUTH"], hideDSN: !dsn, logger: false,
      onData(stream, session, cb) {
        const parts: Buffer[] = [];
        stream.on("data", (c: Buffer) => parts.push(c));
        stream.on("end", () => { seen.push({ env: structuredClone(session.envelope), raw: Buffer.concat(parts) }); cb(); });
      },
    });
    s.on("error", () => {});
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    servers.push(s);
    return (s.server.address() as AddressInfo).port;
  }

  function opts(port: number, commands: string[], dsn?: boolean): SessionOptions {
    return {
      server: { host: "127.0.0.1", port, tls: "none" },
      auth: { mechanism: "none" },
      message: { from: "scanner@contoso.test", to: ["a@contoso.test", "b@contoso.test"], subject: "Scan", text: "Scanned.\r\n",
        attachments: [simulatedScan({ pages: 1, bytes: 30_000, seed: 5 })] },
      board: board(),
      observer: { command: (c) => commands.push(c) },
      ...(dsn === undefined ? {} : { dsn }),
    };
  }

  test("offering DSN: RET=HDRS, ENVID = the Message-ID, NOTIFY=FAILURE,DELAY per recipient", async () => {
    const seen: { env: SMTPServerEnvelope; raw: Buffer }[] = [];
    const port = await server(true, seen);
    const r = await sendMessage(opts(port, []));
    assert.equal(r.status, "sent", r.message);
    const { env, raw } = seen[0]!;
    const m = await simpleParser(raw);
    assert.deepEqual(env.dsn, { ret: "HDRS", envid: m.messageId!.replace(/^<|>$/g, "") });
    assert.deepEqual(env.rcptTo.map((x) => (x as { dsn?: { notify?: string[] } }).dsn?.notify), [["FAILURE", "DELAY"], ["FAILURE", "DELAY"]]);
  });

  test("offering DSN, switched off: nothing asked", async () => {
    const seen: { env: SMTPServerEnvelope; raw: Buffer }[] = [];
    const port = await server(true, seen);
    const r = await sendMessage(opts(port, [], false));
    assert.equal(r.status, "sent", r.message);
    assert.deepEqual(seen[0]!.env.dsn, { ret: null, envid: null });
    assert.ok(seen[0]!.env.rcptTo.every((x) => !(x as { dsn?: unknown }).dsn));
  });

  test("not offering DSN: no DSN parameter goes out, the scan is sent as usual", async () => {
    const seen: { env: SMTPServerEnvelope; raw: Buffer }[] = [];
    const commands: string[] = [];
    const port = await server(false, seen);
    const r = await sendMessage(opts(port, commands));
    assert.equal(r.status, "sent", r.message);
    assert.equal(seen.length, 1);
    assert.ok(commands.every((c) => !/RET=|ENVID=|NOTIFY=/.test(c)), commands.join(" | "));
  });
});
