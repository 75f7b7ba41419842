// The Microsoft 365 reply rows that need a person (action "fix-config") end as HELD jobs against
// the Exchange-Online-like fixture: the scan is kept, `mfp-mail queue --json` lists the job with
// "state": "held", the reason and the server's last reply, the daemon never tries it by itself,
// and once the administrator's fix is in place `queue retry-now` delivers the scan byte for byte
// (mailparser reads what arrived); `queue cancel` removes a held job. The rows that keep a job
// under an account backoff (quota, continuous-error throttling) stay queued, and no connection is
// made for that account while the backoff runs — counted at the server. Real CLI processes.
import { describe, before, after } from "node:test";
import { whenRunnable } from "../fixtures/skippable.js";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { say } from "../../host/text/outcomes.js";
import { cli, lastJson } from "../cli/run.js";
import { cliSend, ENGINES, openLab, type Lab, type LabServer } from "./lab.js";
import type { ExoMailbox, ExoOptions } from "../fixtures/exchange-online.js";

let lab: Lab;
before(async () => { lab = await openLab(); });
after(async () => { await lab?.close(); });

const TOKEN = "eyJ0eXAi.held-token";
const TOKEN_ENV = { MFP_MAIL_TOKEN: TOKEN };
const XOAUTH2 = ["--preset", "m365-submission", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"];
// A held job is retried by another process (`queue retry-now`), which signs in the way the job
// records: with the password from the variable the job names (a fixed lab token would not travel).
const LOGIN = ["--preset", "m365-submission", "--auth", "login", "--user", "scanner@contoso.com", "--password-env", "PW"];
const LOGIN_ENV = { PW: "pw-1" };
const DIRECT_SEND = ["--preset", "m365-direct-send", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"];

interface HeldCase {
  id: string;
  enhanced: string;
  /** A fresh fixture for this case, and the administrator's fix to apply to it. */
  fixture(): { options: ExoOptions; fix(s: LabServer): void };
  args: string[];
  env: Record<string, string>;
}

const mailboxes = (): Record<string, ExoMailbox> => ({
  "scanner@contoso.com": { password: "pw-1", token: TOKEN, sendAs: [] },
  "legacy@contoso.com": { password: "pw-2", basicAuthOff: true },
});
/** The fixture answers `reply` once at `at`; the fix is that it stops (the cause was removed). */
const once = (mode: ExoOptions["mode"], at: "EHLO" | "MAIL", reply: string) => () => ({
  options: { mode, mailboxes: mailboxes(), answers: [{ at, reply, times: 1, ...(at === "EHLO" ? { secure: true } : {}) }] },
  fix: () => {},
});

const FIX_CONFIG: HeldCase[] = [
  {
    // The administrator switches basic authentication back on for the tenant (possible until 2027).
    id: "M365_BASIC_AUTH_OFF", enhanced: "5.7.30",
    fixture: () => {
      const boxes = mailboxes();
      return { options: { mode: "submission", mailboxes: boxes }, fix: () => { boxes["legacy@contoso.com"]!.basicAuthOff = false; } };
    },
    args: ["--preset", "m365-submission", "--auth", "login", "--user", "legacy@contoso.com", "--password-env", "PW", "--from", "legacy@contoso.com", "--to", "ap@contoso.com"],
    env: { PW: "pw-2" },
  },
  {
    // Set-OrganizationConfig -RejectDirectSend $false (or a partner connector for the device).
    id: "M365_DIRECT_SEND_REJECTED", enhanced: "5.7.68",
    fixture: () => ({ options: { mode: "direct-send", rejectDirectSend: true }, fix: (s) => s.setRejectDirectSend(false) }),
    args: DIRECT_SEND, env: {},
  },
  {
    // A middlebox that downgraded TLS is exempted; the next connection is clean.
    id: "M365_TLS_TOO_OLD", enhanced: "4.7.66",
    fixture: once("submission", "EHLO", "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2."),
    args: [...LOGIN, "--from", "scanner@contoso.com", "--to", "ap@contoso.com"], env: LOGIN_ENV,
  },
  {
    id: "M365_IP_BLOCKED", enhanced: "5.7.708",
    fixture: once("direct-send", "MAIL", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. [fixture]"),
    args: DIRECT_SEND, env: {},
  },
  {
    // The mailbox is released under Restricted entities.
    id: "M365_SENDER_BLOCKED", enhanced: "5.1.8",
    fixture: once("submission", "MAIL", "550 5.1.8 Access denied, bad outbound sender. [fixture]"),
    args: [...LOGIN, "--from", "scanner@contoso.com", "--to", "ap@contoso.com"], env: LOGIN_ENV,
  },
  {
    // The connector gets the device's address (static IP) after it changed.
    id: "M365_RELAY_CONNECTOR_MISMATCH", enhanced: "5.7.64",
    fixture: () => {
      const relayIps: string[] = [];
      return { options: { mode: "relay", relayIps }, fix: () => { relayIps.push("127.0.0.1", "::1", "::ffff:127.0.0.1"); } };
    },
    args: ["--preset", "m365-relay", "--from", "scanner@contoso.com", "--to", "partner@fabrikam.com"], env: {},
  },
  {
    // The signed-in mailbox is granted Send As on the From address.
    id: "M365_SEND_AS_DENIED", enhanced: "5.7.60",
    fixture: () => {
      const boxes = mailboxes();
      return { options: { mode: "submission", mailboxes: boxes }, fix: () => { boxes["scanner@contoso.com"]!.sendAs!.push("ceo@contoso.com"); } };
    },
    args: [...LOGIN, "--from", "ceo@contoso.com", "--to", "ap@contoso.com"], env: LOGIN_ENV,
  },
];

interface QueueJob { id: string; state: string; reason: string | null; outcomeId: string | null; attempts: number; lastReply: { code: number; enhanced: string; message: string } | null; firstAttemptAt: string | null; lastAttemptAt: string | null }

async function queueJobs(outbox: string): Promise<QueueJob[]> {
  const q = await cli(["queue", "--json", "--outbox", outbox]);
  assert.equal(q.code, 0, q.stderr);
  return (lastJson(q) as { jobs: QueueJob[] }).jobs;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

for (const { engine, skip } of ENGINES) describe(`fix-config replies hold the job over ${engine}`, () => {
  const { it } = whenRunnable(skip);
  for (const c of FIX_CONFIG) {
    it(`${c.id}: held with its scan, listed by queue --json, left alone by the daemon; retry-now after the fix delivers it`, async () => {
      const { options, fix } = c.fixture();
      const s = await lab.fixture(options);
      const board = await lab.board(engine);
      const outbox = lab.outbox();
      const { run, json, jobs } = await cliSend(s, board, outbox, c.args, c.env);
      assert.deepEqual([json.id, json.enhanced, json.status], [c.id, c.enhanced, "failed"], `${run.stdout}\n${run.stderr}`);
      assert.equal(run.code, 3, "held for a person: exit 3, with the job in the JSON");
      assert.deepEqual(json.job, { id: jobs[0]?.id, state: "held" });
      assert.ok(String(json.message).startsWith(say(c.id)), `the catalogue's sentence first: ${json.message}`);
      assert.equal(jobs.length, 1);
      const scan = jobs[0]!.scans[0]!;
      assert.ok(scan.size > 0, "the scan is kept on the device");

      const [listed] = await queueJobs(outbox);
      assert.deepEqual([listed!.id, listed!.state, listed!.outcomeId, listed!.attempts], [jobs[0]!.id, "held", c.id, 1]);
      assert.match(listed!.reason!, /^Held on the device until the settings or the account are fixed: /);
      assert.ok(listed!.reason!.includes(say(c.id)), `the reason names the cause: ${listed!.reason}`);
      assert.equal(listed!.lastReply?.enhanced, c.enhanced);
      assert.ok(listed!.firstAttemptAt && listed!.lastAttemptAt);

      const before = s.connections;
      const d = await cli(["daemon", "--outbox", outbox, "--board", board, "--drain", "--poll", "200"], c.env, 15_000);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(s.connections, before, `the daemon leaves a held job alone (${d.stdout})`);

      fix(s);
      const retry = await cli(["queue", "retry-now", jobs[0]!.id, "--outbox", outbox, "--board", board], { MFP_MAIL_TOKEN: "", ...c.env });
      assert.equal(retry.code, 0, `${retry.stdout}\n${retry.stderr}`);
      assert.match(retry.stdout, /^sent /m);
      assert.equal(s.received.length, 1, "delivered once");
      const got = s.received[0]!.parsed.attachments[0]!;
      assert.deepEqual([got.filename, got.content.length, sha256(got.content)], [scan.fileName, scan.size, scan.sha256], "the scan arrived byte for byte");
      assert.deepEqual(await queueJobs(outbox), [], "nothing left in the outbox");
    });
  }

  it("queue cancel removes a held job and its scan; nothing is sent", async () => {
    const s = await lab.fixture({ mode: "direct-send", rejectDirectSend: true });
    const outbox = lab.outbox();
    const { run, jobs } = await cliSend(s, await lab.board(engine), outbox, DIRECT_SEND);
    assert.equal(run.code, 3);
    assert.equal(jobs[0]?.state, "held");
    const before = s.connections;
    const cancel = await cli(["queue", "cancel", jobs[0]!.id, "--outbox", outbox]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /cancelled, not delivered to ap@contoso\.com/);
    assert.deepEqual(await queueJobs(outbox), []);
    assert.deepEqual([s.connections, s.received.length], [before, 0]);
  });

  for (const [name, id, reply] of [
    ["554 5.2.0 SubmissionQuotaExceeded", "M365_QUOTA_EXCEEDED", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception [fixture]"],
    ["550 5.2.253 throttled after continuous errors", "M365_THROTTLED", "550 5.2.253 Sender throttled due to continuous invalid license errors. [fixture]"],
  ] as const) {
    it(`${name}: the job stays queued under the account backoff; the daemon makes no connection for that account`, async () => {
      const s = await lab.fixture({ mode: "submission", mailboxes: mailboxes(), answers: [{ at: "message", reply }] });
      const board = await lab.board(engine);
      const outbox = lab.outbox();
      const first = await cliSend(s, board, outbox, XOAUTH2, TOKEN_ENV);
      assert.deepEqual([first.run.code, first.json.status, first.json.id], [4, "queued", id], first.run.stderr);
      assert.ok(String(first.json.message).startsWith(say(id)), String(first.json.message));
      const [listed] = await queueJobs(outbox);
      assert.deepEqual([listed!.state, listed!.lastReply?.code], ["queued", Number(reply.slice(0, 3))]);
      assert.ok(Date.parse(String((listed as unknown as { nextAttemptAt: string }).nextAttemptAt)) > Date.now() + 30 * 60_000, "not before the backoff ends");

      // A second scan of the same account: stored, not tried — the account waits.
      const before = s.connections;
      const second = await cliSend(s, board, outbox, XOAUTH2, TOKEN_ENV);
      assert.deepEqual([second.run.code, second.json.status], [4, "queued"]);
      assert.match(String(second.json.message), /^The scan waits in the Outbox: scanner@contoso\.com backs off until /);
      const d = await cli(["daemon", "--outbox", outbox, "--board", board, "--drain", "--poll", "200"], TOKEN_ENV, 5_000);
      assert.equal(s.connections, before, `no connection while the account backs off (${d.stdout})`);
      assert.equal((await queueJobs(outbox)).filter((j) => j.state === "queued").length, 2);
    });
  }
});
