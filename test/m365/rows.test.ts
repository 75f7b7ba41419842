// Every row of docs/m365.md's reply table end to end through the real CLI (`mfp-mail send --json`
// as a child process, a one-page scan through the durable outbox) against the
// Exchange-Online-like fixture answering that reply: the --json id and message, the exit code and
// what is left in the outbox. Rows whose action is "fix-config" become held jobs once the outbox
// holds them: their job state is asserted in held.test.ts. Runs once per TLS engine.
import { describe, it, before, after } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { classifyReply } from "../../host/config/replies.js";
import { say } from "../../host/text/outcomes.js";
import { QUOTA_BACKOFF_MS, THROTTLE_BACKOFF_MS } from "../../host/config/m365-replies.js";
import { RateLimiter } from "../../host/outbox/ratelimit.js";
import { systemClock } from "../../host/base/clock.js";
import { cliSend, ENGINES, openLab, type Lab, type LabServer } from "./lab.js";
import type { ExoOptions } from "../fixtures/exchange-online.js";

let lab: Lab;
before(async () => { lab = await openLab(); });
after(async () => { await lab?.close(); });

const TOKEN = "eyJ0eXAi.rows-token";
const MAILBOXES: ExoOptions["mailboxes"] = {
  "scanner@contoso.com": { password: "pw-1", token: TOKEN },
  "legacy@contoso.com": { password: "pw-2", basicAuthOff: true },
  "blocked@contoso.com": { password: "pw-3", smtpAuthDisabled: true },
  "busy@contoso.com": { token: TOKEN, recipientQuota: 0 },
};
const XOAUTH2 = ["--preset", "m365-submission", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"];
const TOKEN_ENV = { MFP_MAIL_TOKEN: TOKEN };
// The --json message is the catalogue's sentence for the row, then the server's words.
const sentence = (id: string) => say(id);

interface RowCase {
  name: string;
  fixture: ExoOptions;
  args: string[];
  env?: Record<string, string>;
  id: string;
  enhanced: string;
  /** Start of the --json message: the row's panel sentence. */
  message: string;
  /** Exit code and queued jobs (undefined: a fix-config row, asserted in held.test.ts). */
  exit?: number;
  queued?: number;
}

const CASES: RowCase[] = [
  { name: "550 5.7.30 basic auth off", fixture: { mode: "submission", mailboxes: MAILBOXES },
    args: ["--preset", "m365-submission", "--auth", "login", "--user", "legacy@contoso.com", "--password-env", "PW", "--from", "legacy@contoso.com", "--to", "ap@contoso.com"],
    env: { PW: "pw-2" }, id: "M365_BASIC_AUTH_OFF", enhanced: "5.7.30", message: sentence("M365_BASIC_AUTH_OFF") },
  { name: "550 5.7.68 Reject Direct Send", fixture: { mode: "direct-send", rejectDirectSend: true },
    args: ["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"],
    id: "M365_DIRECT_SEND_REJECTED", enhanced: "5.7.68", message: sentence("M365_DIRECT_SEND_REJECTED") },
  { name: "421 4.7.66 old TLS", fixture: { mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "EHLO", secure: true, reply: "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls." }] },
    args: XOAUTH2, env: TOKEN_ENV, id: "M365_TLS_TOO_OLD", enhanced: "4.7.66", message: sentence("M365_TLS_TOO_OLD") },
  { name: "550 5.7.708 IP not accepted", fixture: { mode: "direct-send", answers: [{ at: "MAIL", reply: "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. [fixture]" }] },
    args: ["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"],
    id: "M365_IP_BLOCKED", enhanced: "5.7.708", message: sentence("M365_IP_BLOCKED") },
  { name: "550 5.1.8 bad outbound sender", fixture: { mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "MAIL", reply: "550 5.1.8 Access denied, bad outbound sender. [fixture]" }] },
    args: XOAUTH2, env: TOKEN_ENV, id: "M365_SENDER_BLOCKED", enhanced: "5.1.8", message: sentence("M365_SENDER_BLOCKED") },
  { name: "550 5.7.64 relay connector mismatch", fixture: { mode: "relay" },
    args: ["--preset", "m365-relay", "--from", "scanner@contoso.com", "--to", "partner@fabrikam.com"],
    id: "M365_RELAY_CONNECTOR_MISMATCH", enhanced: "5.7.64", message: sentence("M365_RELAY_CONNECTOR_MISMATCH") },
  { name: "535 5.7.3 XOAUTH2 token refused", fixture: { mode: "submission", mailboxes: MAILBOXES },
    args: XOAUTH2, env: { MFP_MAIL_TOKEN: "stale-token" }, id: "AUTH_FAILED", enhanced: "5.7.3", message: sentence("AUTH_FAILED:xoauth2") },
  { name: "501 5.5.127 token about to expire, every time", fixture: { mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "AUTH", reply: "501 5.5.127 Authentication unsuccessful, the access token is about to expire [fixture]" }] },
    args: XOAUTH2, env: TOKEN_ENV, id: "M365_TOKEN_EXPIRING", enhanced: "5.5.127", message: sentence("M365_TOKEN_EXPIRING"), exit: 4, queued: 1 },
  { name: "554 5.2.0 SubmissionQuotaExceeded", fixture: { mode: "submission", mailboxes: MAILBOXES },
    args: ["--preset", "m365-submission", "--user", "busy@contoso.com", "--from", "busy@contoso.com", "--to", "ap@contoso.com"], env: TOKEN_ENV,
    id: "M365_QUOTA_EXCEEDED", enhanced: "5.2.0", message: sentence("M365_QUOTA_EXCEEDED"), exit: 4, queued: 1 },
  { name: "550 5.2.252 throttled after continuous errors", fixture: { mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "MAIL", reply: "550 5.2.252 Sender throttled due to continuous send as denied errors." }] },
    args: XOAUTH2, env: TOKEN_ENV, id: "M365_THROTTLED", enhanced: "5.2.252", message: sentence("M365_THROTTLED"), exit: 4, queued: 1 },
  { name: "550 5.7.60 Send As denied", fixture: { mode: "submission", mailboxes: MAILBOXES },
    args: ["--preset", "m365-submission", "--from", "ceo@contoso.com", "--user", "scanner@contoso.com", "--to", "ap@contoso.com"], env: TOKEN_ENV,
    id: "M365_SEND_AS_DENIED", enhanced: "5.7.60", message: sentence("M365_SEND_AS_DENIED") },
  { name: "554 5.2.0 SendAsDenied", fixture: { mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "message", reply: "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message [fixture]" }] },
    args: XOAUTH2, env: TOKEN_ENV, id: "M365_SEND_AS_DENIED", enhanced: "5.2.0", message: sentence("M365_SEND_AS_DENIED") },
  { name: "535 5.7.139 SMTP AUTH disabled", fixture: { mode: "submission", mailboxes: MAILBOXES },
    args: ["--preset", "m365-submission", "--auth", "login", "--user", "blocked@contoso.com", "--password-env", "PW", "--from", "blocked@contoso.com", "--to", "ap@contoso.com"],
    env: { PW: "pw-3" }, id: "M365_SMTP_AUTH_DISABLED", enhanced: "5.7.139", message: sentence("M365_SMTP_AUTH_DISABLED") },
  { name: "451 4.7.500 graylisted", fixture: { mode: "direct-send", graylist: true },
    args: ["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"],
    id: "M365_GRAYLISTED", enhanced: "4.7.500", message: sentence("M365_GRAYLISTED"), exit: 4, queued: 1 },
];

for (const { engine, skip } of ENGINES) describe(`every reply row through the CLI over ${engine}`, () => {
  const { it, before, after } = whenRunnable(skip);
  for (const c of CASES) {
    it(c.name, async () => {
      const s = await lab.fixture(c.fixture);
      const { run, json, jobs } = await cliSend(s, await lab.board(engine), lab.outbox(), c.args, c.env);
      assert.deepEqual([json.id, json.enhanced], [c.id, c.enhanced], `${run.stdout}\n${run.stderr}`);
      assert.ok(String(json.message).startsWith(c.message), `--json message: ${json.message}`);
      assert.notEqual(json.status, "sent");
      assert.equal(s.received.length, 0, "nothing arrived");
      const row = classifyReply({ code: Number(json.code), enhanced: c.enhanced, text: "" });
      if (row.action === "fix-config" || c.exit === undefined) return; // held.test.ts
      assert.equal(run.code, c.exit, `exit code (${run.stderr})`);
      assert.equal(jobs.length, c.queued, "the scan stays in the outbox");
      assert.deepEqual(jobs[0]!.recipients.map((r) => r.state), ["pending"]);
    });
  }

  it("501 5.5.127 once: the token is renewed and the scan goes out at once (two AUTHs, one connection more)", async () => {
    const s = await lab.fixture({ mode: "submission", mailboxes: MAILBOXES, answers: [{ at: "AUTH", times: 1, reply: "501 5.5.127 Authentication unsuccessful, the access token is about to expire [fixture]" }] });
    const { run, json, jobs } = await cliSend(s, await lab.board(engine), lab.outbox(), XOAUTH2, TOKEN_ENV);
    assert.deepEqual([run.code, json.status], [0, "sent"], run.stderr);
    assert.ok(s.rejections.some((x) => x.startsWith("501 5.5.127")), "the first AUTH got 5.5.127");
    assert.deepEqual(s.auths.map((a) => [a.mech, a.ok]), [["XOAUTH2", true]], "the retry signed in");
    assert.equal(s.connections, 2);
    assert.equal(jobs.length, 0);
    assert.deepEqual([s.received[0]!.via, s.received[0]!.body], ["BDAT", "BINARYMIME"]);
  });

  it("account backoff: after SubmissionQuotaExceeded no job of that account is tried for 24 h; another account still sends", async () => {
    const s = await lab.fixture({ mode: "submission", mailboxes: MAILBOXES });
    const board = await lab.board(engine);
    const outbox = lab.outbox();
    const busy = ["--preset", "m365-submission", "--user", "busy@contoso.com", "--from", "busy@contoso.com", "--to", "ap@contoso.com"];
    const t0 = Date.now();
    const first = await cliSend(s, board, outbox, busy, TOKEN_ENV);
    assert.equal(first.json.id, "M365_QUOTA_EXCEEDED");
    const snap = await new RateLimiter(outbox, systemClock, async () => async () => {}).snapshot("busy@contoso.com");
    assert.ok(snap.backoffUntil! >= t0 + QUOTA_BACKOFF_MS && snap.backoffUntil! <= Date.now() + QUOTA_BACKOFF_MS, "backoff of 24 h recorded");
    assert.ok(first.jobs[0]!.nextAttemptAt >= snap.backoffUntil!, "the job waits for the backoff");
    const connections = s.connections;
    const second = await cliSend(s, board, outbox, busy, TOKEN_ENV);
    assert.equal(second.run.code, 4);
    assert.match(String(second.json.message), /^The scan waits in the Outbox: busy@contoso\.com backs off until /);
    assert.equal(s.connections, connections, "no connection for an account that backs off");
    assert.equal(second.jobs.length, 2);
    const other = await cliSend(s, board, outbox, XOAUTH2, TOKEN_ENV);
    assert.deepEqual([other.run.code, other.json.status], [0, "sent"]);
    assert.equal(THROTTLE_BACKOFF_MS, 3_600_000);
  });
});
