// The compiled core (build/core.wasm) through whole sessions against a real smtp-server on
// loopback, plain TCP (TLS belongs to the transport tests). What arrives is read back with
// mailparser; round trips are counted with and without PIPELINING.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { simpleParser } from "mailparser";
import type { AddressInfo } from "node:net";
import { drive } from "./drive.js";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";

interface Received { from: string; to: string[]; raw: Buffer }
interface Lab { server: SMTPServer; port: number; received: Received[]; auths: { method: string; username?: string; password?: string; accessToken?: string; secure: boolean }[] }

async function lab(options: Partial<SMTPServerOptions> = {}): Promise<Lab> {
  const received: Received[] = [];
  const auths: Lab["auths"] = [];
  const server = new SMTPServer({
    secure: false,
    hideSTARTTLS: true,
    authOptional: true,
    disabledCommands: [],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith("nobody@")) {
        const err = Object.assign(new Error("5.1.1 No such user here"), { responseCode: 550 });
        return cb(err);
      }
      cb();
    },
    onAuth(auth, session, cb) {
      auths.push({ method: auth.method, username: auth.username, password: auth.password, accessToken: auth.accessToken, secure: session.secure });
      const ok = (auth.method === "XOAUTH2" && auth.accessToken === "tok-123") || auth.password === "s3cret";
      if (ok) return cb(null, { user: auth.username });
      if (auth.method === "XOAUTH2") return cb(null, { data: { status: "401", schemes: "bearer" } });
      return cb(Object.assign(new Error("5.7.139 Authentication unsuccessful"), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(parts),
        });
        cb(null, "2.0.0 queued");
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, auths };
}

const closeLab = (l: Lab) => new Promise<void>((resolve) => l.server.close(() => resolve()));

const BODY = Buffer.from(
  "From: scanner@example.com\nTo: a@example.com\nSubject: Scan 0001\n\n" +
  ".this line starts with a dot\r\n..and this with two\nbare LF line\rbare CR line\n.\nend",
  "latin1",
);
const BODY_ON_WIRE = BODY.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n") + "\r\n";

let plain: Lab;
let noPipe: Lab;
before(async () => {
  plain = await lab();
  noPipe = await lab({ hidePIPELINING: true });
});
after(async () => {
  await closeLab(plain);
  await closeLab(noPipe);
});

test("a message with PIPELINING: one rejected recipient of three, 4 round trips", async () => {
  const r = await drive({ port: plain.port, from: "scanner@example.com", to: ["a@example.com", "nobody@example.com", "c@example.com"], body: BODY });
  const k = r.core.k;
  assert.equal(r.state, "Closed");
  const results = r.events.filter((e) => e.kind === k.EventRecipientResult).map((e) => [e.index, e.code]);
  assert.deepEqual(results, [[0, 250], [1, 550], [2, 250]]);
  assert.ok(r.events.some((e) => e.kind === k.EventMessageAccepted && e.code === 250 && e.enhanced === "2.0.0"));
  // EHLO | MAIL+RCPT×3+DATA | body+dot | QUIT
  assert.equal(r.roundTrips, 4);
  assert.match(r.wire, /MAIL FROM:<scanner@example\.com>[^\r]*\r\nRCPT TO:<a@example\.com>\r\nRCPT TO:<nobody@example\.com>\r\nRCPT TO:<c@example\.com>\r\nDATA\r\n/);
  const got = plain.received.at(-1)!;
  assert.deepEqual(got.to, ["a@example.com", "c@example.com"]);
  // smtp-server un-stuffs dots; what it hands over must be our body with CRLF line ends
  assert.equal(got.raw.toString("latin1"), BODY_ON_WIRE);
  assert.doesNotMatch(r.wire.replace(/\r\n/g, ""), /[\r\n]/, "a bare CR or LF reached the wire");
  const mail = await simpleParser(got.raw);
  assert.equal(mail.subject, "Scan 0001");
  assert.match(mail.text ?? "", /^\.this line starts with a dot/m);
  assert.equal(r.memoryAfter, r.memoryBefore, "linear memory grew during the session");
});

test("server bytes handed over one at a time give the same session, byte for byte", async () => {
  const to = ["a@example.com", "nobody@example.com", "c@example.com"];
  const whole = await drive({ port: plain.port, from: "scanner@example.com", to, body: BODY });
  const bytewise = await drive({ port: plain.port, from: "scanner@example.com", to, body: BODY, feedStep: 1 });
  assert.equal(bytewise.state, "Closed");
  assert.equal(bytewise.wire, whole.wire);
  assert.deepEqual(bytewise.events.map((e) => [e.name, e.code, e.enhanced, e.text, e.index]), whole.events.map((e) => [e.name, e.code, e.enhanced, e.text, e.index]));
  assert.equal(plain.received.at(-1)!.raw.toString("latin1"), BODY_ON_WIRE);
});

test("QUIT pipelined behind the message saves one more round trip (3)", async () => {
  const r = await drive({ port: plain.port, from: "scanner@example.com", to: ["a@example.com", "c@example.com"], body: BODY, quitWithBody: true });
  assert.equal(r.state, "Closed");
  assert.ok(r.events.some((e) => e.name === "MessageAccepted"));
  // EHLO | MAIL+RCPT×2+DATA | body+dot+QUIT
  assert.equal(r.roundTrips, 3);
  assert.match(r.wire, /\r\n\.\r\nQUIT\r\n$/);
  assert.equal(plain.received.at(-1)!.raw.toString("latin1"), BODY_ON_WIRE);
});

test("the same message without PIPELINING takes 8 round trips", async () => {
  const r = await drive({ port: noPipe.port, from: "scanner@example.com", to: ["a@example.com", "nobody@example.com", "c@example.com"], body: BODY });
  assert.equal(r.state, "Closed");
  // EHLO | MAIL | RCPT | RCPT | RCPT | DATA | body+dot | QUIT
  assert.equal(r.roundTrips, 8);
  assert.equal(noPipe.received.at(-1)!.raw.toString("latin1"), BODY_ON_WIRE);
});

test("AUTH PLAIN, LOGIN and XOAUTH2 reach the server's onAuth with the right secrets", async () => {
  const l = await lab({ allowInsecureAuth: true, authMethods: ["PLAIN", "LOGIN", "XOAUTH2"] });
  try {
    for (const [mechName, expect] of [["MechPlain", "PLAIN"], ["MechLogin", "LOGIN"], ["MechXoauth2", "XOAUTH2"]] as const) {
      const r = await drive({
        port: l.port, from: "u@example.com", to: ["a@example.com"], body: Buffer.from("Subject: a\r\n\r\nx\r\n"),
        accessToken: "tok-123",
        configure(core) {
          core.setInt(core.k.FieldAuthMechs, core.k[mechName]);
          core.setInt(core.k.FieldAllowPlaintextAuth, 1); // loopback lab only
          core.setString(core.k.FieldUsername, "u@example.com");
          core.setString(core.k.FieldPassword, "s3cret");
        },
      });
      const last = l.auths.at(-1)!;
      assert.equal(last.method, expect);
      assert.equal(last.username, "u@example.com");
      if (expect === "XOAUTH2") assert.equal(last.accessToken, "tok-123");
      else assert.equal(last.password, "s3cret");
      assert.equal(r.state, "Closed", `${expect}: ${JSON.stringify(r.events.filter((e) => e.name === "Failed"))}`);
      assert.ok(!r.events.some((e) => e.text.includes("s3cret")), "a secret reached an event");
    }
  } finally {
    await closeLab(l);
  }
});

test("a wrong password ends in Failed(AuthFailed) with the server's words", async () => {
  const l = await lab({ allowInsecureAuth: true, authMethods: ["PLAIN"] });
  try {
    const r = await drive({
      port: l.port, from: "u@example.com", to: ["a@example.com"], body: Buffer.from("x\r\n"),
      configure(core) {
        core.setInt(core.k.FieldAuthMechs, core.k.MechPlain);
        core.setInt(core.k.FieldAllowPlaintextAuth, 1);
        core.setString(core.k.FieldUsername, "u@example.com");
        core.setString(core.k.FieldPassword, "wrong");
      },
    });
    const f = r.events.find((e) => e.name === "Failed")!;
    assert.ok(f);
    assert.equal(f.code, 535);
    assert.equal(f.stage, "Auth");
    assert.equal(f.enhanced, "5.7.139");
    const core = r.core;
    assert.equal(core.nameOf("Reason", f.reason), "AuthFailed");
    assert.equal(core.nameOf("Class", f.cls), "Permanent");
    assert.equal(r.state, "Closed"); // polite QUIT after the failure
    assert.equal(l.received.length, 0);
  } finally {
    await closeLab(l);
  }
});

test("no credentials go out in plaintext unless allowed", async () => {
  const l = await lab({ allowInsecureAuth: true, authMethods: ["PLAIN"] });
  try {
    const r = await drive({
      port: l.port, from: "u@example.com", to: ["a@example.com"], body: Buffer.from("x\r\n"),
      configure(core) {
        core.setInt(core.k.FieldAuthMechs, core.k.MechPlain);
        core.setString(core.k.FieldUsername, "u@example.com");
        core.setString(core.k.FieldPassword, "s3cret");
      },
    });
    assert.doesNotMatch(r.wire, /AUTH/);
    assert.equal(l.auths.length, 0);
    const f = r.events.find((e) => e.name === "Failed")!;
    assert.match(f.text, /without TLS/);
  } finally {
    await closeLab(l);
  }
});

test("a message larger than the announced SIZE is refused before MAIL FROM", async () => {
  const l = await lab({ size: 100 });
  try {
    const big = Buffer.alloc(500, 0x61);
    await assert.rejects(drive({ port: l.port, from: "u@example.com", to: ["a@example.com"], body: big }), /sendEnvelope refused: SizeExceeded/);
    assert.equal(l.received.length, 0);
  } finally {
    await closeLab(l);
  }
});

test("an expired XOAUTH2 token: the JSON error challenge is reported, then Failed(AuthFailed)", async () => {
  const l = await lab({ allowInsecureAuth: true, authMethods: ["XOAUTH2"] });
  try {
    const r = await drive({
      port: l.port, from: "u@example.com", to: ["a@example.com"], body: Buffer.from("x\r\n"), accessToken: "expired",
      configure(core) {
        core.setInt(core.k.FieldAuthMechs, core.k.MechXoauth2 | core.k.MechPlain);
        core.setInt(core.k.FieldAllowPlaintextAuth, 1);
        core.setString(core.k.FieldUsername, "u@example.com");
      },
    });
    const authError = r.events.find((e) => e.name === "AuthError");
    assert.ok(authError, "no AuthError event");
    assert.deepEqual(JSON.parse(authError.text), { status: "401", schemes: "bearer" });
    const f = r.events.find((e) => e.name === "Failed")!;
    assert.equal(r.core.nameOf("Reason", f.reason), "AuthFailed");
    assert.equal(l.auths.at(-1)!.accessToken, "expired");
    assert.equal(l.received.length, 0);
  } finally {
    await closeLab(l);
  }
});

test("STARTTLS required: TLS first, EHLO again, then AUTH PLAIN without the plaintext permission", async () => {
  const { ca, server: cert } = loopbackServerCredentials();
  const l = await lab({ hideSTARTTLS: false, key: cert.key, cert: cert.cert, authMethods: ["PLAIN", "LOGIN"] });
  try {
    const r = await drive({
      port: l.port, from: "u@example.com", to: ["a@example.com"], body: BODY, tls: { ca: ca.cert, servername: "localhost" },
      configure(core) {
        core.setInt(core.k.FieldTlsPolicy, core.k.TlsPolicyRequired);
        core.setInt(core.k.FieldAuthMechs, core.k.MechPlain | core.k.MechLogin);
        core.setString(core.k.FieldUsername, "u@example.com");
        core.setString(core.k.FieldPassword, "s3cret");
      },
    });
    assert.equal(r.state, "Closed", JSON.stringify(r.events.filter((e) => e.name === "Failed")));
    const sent = r.events.filter((e) => e.name === "CommandSent").map((e) => e.text);
    assert.deepEqual(sent.slice(0, 4), ["EHLO mfp.test", "STARTTLS", "EHLO mfp.test", "AUTH PLAIN ****"]);
    // nothing after STARTTLS travelled in plaintext: the plaintext part of the wire ends there
    const plaintextEnd = r.wire.indexOf("STARTTLS\r\n") + "STARTTLS\r\n".length;
    assert.ok(r.wire.indexOf("AUTH") > plaintextEnd);
    const last = l.auths.at(-1)!;
    assert.equal(last.password, "s3cret");
    assert.equal(last.secure, true, "the server saw AUTH outside TLS");
    assert.equal(l.received.length, 1);
    assert.equal(l.received.at(-1)!.raw.toString("latin1"), BODY_ON_WIRE);
  } finally {
    await closeLab(l);
  }
});
