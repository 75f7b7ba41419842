// The session classifies what went wrong in context: the preset the settings came from (a 5.7.54
// under m365-relay is not a Direct Send problem), and the OAuth token source (an unreachable
// identity platform is retried later; a token the server refuses even after one refresh asks
// for a new sign-in, not for a password). Real smtp-server peers on loopback, STARTTLS with a
// certificate made at test time, through prepareSend()/sendMessage().
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { createCa, issueServerCert } from "../../host/sim/selfsigned.js";
import { prepareSend, type SendFlags } from "../../host/commands/send-options.js";
import { sendMessage } from "../../host/session/driver.js";
import type { SessionResult, TokenProvider } from "../../host/session/types.js";
import { OAuthError } from "../../host/oauth/errors.js";
import { resolveBoard } from "../../host/config/board.js";
import { sessionDeliver, type JobConnection } from "../../host/outbox/session-deliver.js";

const ca = createCa("classify-context CA");
const cert = issueServerCert(ca, { names: ["localhost"] });
let dir = "";
let caFile = "";
const servers: SMTPServer[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "mfp-classify-"));
  caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.cert);
});
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await rm(dir, { recursive: true, force: true });
});

async function server(o: Partial<SMTPServerOptions>): Promise<number> {
  const s = new SMTPServer({ key: cert.key, cert: cert.cert, minVersion: "TLSv1.2", logger: false, ...o } as SMTPServerOptions);
  s.on("error", () => {});
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  servers.push(s);
  return (s.server.address() as AddressInfo).port;
}

async function send(port: number, flags: SendFlags, extra: { tokenProvider?: TokenProvider } = {}): Promise<SessionResult> {
  const { options } = await prepareSend(
    { server: "localhost", port: String(port), ca: caFile, board: "arm-64mb", timeout: "5000", subject: "Scan", body: "Scanned document.", ...flags },
    { isTty: false, env: { MFP_MAIL_TOKEN: "unused-static-token" } },
  );
  if (extra.tokenProvider) options.auth = { ...options.auth!, tokenProvider: extra.tokenProvider };
  return sendMessage(options);
}

describe("the preset is the classification context", () => {
  let port = 0;
  before(async () => {
    port = await server({
      disabledCommands: ["AUTH"],
      onRcptTo(addr, _s, cb) {
        if (addr.address.endsWith("@fabrikam.com")) {
          return cb(Object.assign(new Error("5.7.54 SMTP; Unable to relay recipient in non-accepted domain"), { responseCode: 550 }));
        }
        cb();
      },
      onData(stream, _s, cb) { stream.resume(); stream.on("end", () => cb()); },
    });
  });

  it("5.7.54 under m365-relay: 'refused to relay', not the Direct Send message", async () => {
    const r = await send(port, { preset: "m365-relay", from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.deepEqual([r.status, r.id, r.enhanced], ["failed", "RELAY_DENIED", "5.7.54"], r.message);
    assert.ok(r.message.startsWith("The server refused to relay to this recipient."), r.message);
    assert.doesNotMatch(r.adminHint ?? "", /Direct Send delivers only/);
  });

  it("5.7.54 under m365-direct-send: the Direct Send message", async () => {
    const r = await send(port, { preset: "m365-direct-send", tls: "starttls", from: "scanner@contoso.com", to: ["partner@fabrikam.com"] });
    assert.deepEqual([r.status, r.id, r.enhanced], ["failed", "RELAY_DENIED", "5.7.54"], r.message);
    assert.ok(r.message.startsWith("Direct Send only reaches recipients inside the organisation."), r.message);
  });

  it("a retry from the outbox (daemon) keeps the preset: the job's connection carries it", async () => {
    const connection: JobConnection = {
      host: "localhost", port, tls: "starttls", requireTls: true, tlsOptions: { ca: ca.cert }, auth: "none",
      timeouts: { connect: 5000, tlsHandshake: 5000, greeting: 5000, command: 5000, mail: 5000, rcpt: 5000, dataInit: 5000, dataBlock: 5000, dataTerm: 5000 },
      preset: "m365-relay",
    };
    const deliver = sessionDeliver({ board: resolveBoard("arm-64mb") });
    const r = await deliver({
      jobId: "j1", attempt: 2, from: "scanner@contoso.com", recipients: ["partner@fabrikam.com"],
      message: { to: ["partner@fabrikam.com"], subject: "Scan", text: "Scanned document." },
      connection: connection as never, scans: [], observer: {}, signal: new AbortController().signal,
    });
    assert.deepEqual([r.status, r.enhanced], ["failed", "5.7.54"], r.message);
    assert.ok(r.message.startsWith("The server refused to relay to this recipient."), r.message);
  });

  it("partial success under m365-relay: the refused recipient is classified in the preset's context", async () => {
    const r = await send(port, { preset: "m365-relay", from: "scanner@contoso.com", to: ["a@contoso.com", "partner@fabrikam.com"] });
    assert.deepEqual([r.status, r.id], ["partial", "PARTIAL"], r.message);
    assert.match(r.adminHint ?? "", /partner@fabrikam\.com: 550 5\.7\.54 The server does not relay/);
  });
});

describe("XOAUTH2 token failures", () => {
  let port = 0;
  const auths: { token: string; ok: boolean }[] = [];
  before(async () => {
    port = await server({
      authMethods: ["XOAUTH2"],
      onAuth(auth, _s, cb) {
        const ok = auth.accessToken === "good-token";
        auths.push({ token: auth.accessToken ?? "", ok });
        if (ok) return cb(null, { user: auth.username });
        // RFC 7628 §3.2.2: the error challenge; smtp-server answers the empty line with 535.
        return cb(null, { data: { status: "401", schemes: "bearer", scope: "https://outlook.office.com/SMTP.Send" } } as never);
      },
      onData(stream, _s, cb) { stream.resume(); stream.on("end", () => cb()); },
    });
  });
  const flags: SendFlags = { preset: "generic", auth: "xoauth2", user: "scanner@contoso.com", from: "scanner@contoso.com", to: ["ap@contoso.com"], tls: "starttls", requireTls: true };

  it("identity platform unreachable (OAuthError.transient): queued for retry with its panel message, no AUTH sent", async () => {
    const before = auths.length;
    const tp: TokenProvider = { getAccessToken: async () => { throw new OAuthError("OAUTH_NETWORK", "login.microsoftonline.com could not be reached (ECONNREFUSED)"); }, invalidate: () => {} };
    const r = await send(port, flags, { tokenProvider: tp });
    assert.deepEqual([r.status, r.transient, r.id], ["not-sent-transient", true, "OAUTH_NETWORK"], r.message);
    assert.ok(r.message.startsWith("The sign-in service cannot be reached; send the scan again later."), r.message);
    assert.equal(auths.length, before);
  });

  it("a revoked sign-in (not transient): failed with 'The sign-in has expired; sign in again on the device.'", async () => {
    const tp: TokenProvider = { getAccessToken: async () => { throw new OAuthError("OAUTH_SIGN_IN_EXPIRED", "the refresh token was rejected (invalid_grant)", "invalid_grant"); }, invalidate: () => {} };
    const r = await send(port, flags, { tokenProvider: tp });
    assert.deepEqual([r.status, r.transient, r.id], ["failed", false, "OAUTH_SIGN_IN_EXPIRED"], r.message);
    assert.equal(r.userMessage, "The sign-in has expired; sign in again on the device.");
  });

  it("the token is refused, refreshed once, refused again: 'Sign-in expired', not 'check user name and password'", async () => {
    const before = auths.length;
    let invalidated = 0;
    const tp: TokenProvider = { getAccessToken: async () => `stale-token-${invalidated}`, invalidate: () => { invalidated++; } };
    const r = await send(port, flags, { tokenProvider: tp });
    assert.deepEqual([r.status, r.transient, r.id, r.code], ["failed", false, "AUTH_FAILED", 535], r.message);
    assert.equal(r.userMessage, "The sign-in has expired; sign in again on the device.");
    assert.doesNotMatch(r.message, /user name and password/);
    assert.equal(invalidated, 1, "one refresh");
    assert.deepEqual(auths.slice(before).map((a) => a.token), ["stale-token-0", "stale-token-1"], "exactly one retry, with the refreshed token");
  });

  it("the refreshed token is accepted: sent", async () => {
    let invalidated = 0;
    const tp: TokenProvider = { getAccessToken: async () => (invalidated ? "good-token" : "stale-token"), invalidate: () => { invalidated++; } };
    const r = await send(port, flags, { tokenProvider: tp });
    assert.equal(r.status, "sent", r.message);
  });
});
