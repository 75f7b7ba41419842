// The Microsoft 365 reply rows of the end of 2026 (host/config/m365-replies.ts): each real reply
// text maps to its row, class, action and account backoff; every panel text is one clean
// sentence; docs/m365.md lists every row. End-to-end behaviour per row: rows.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { classifyReply } from "../../host/config/replies.js";
import { EN, say, sayNow } from "../../host/text/outcomes.js";
import { M365_ROWS, QUOTA_BACKOFF_MS, THROTTLE_BACKOFF_MS } from "../../host/config/m365-replies.js";

type Row = [code: number, text: string, preset: string, id: string, cls: string, action: string, backoff: number | undefined];
const REPLIES: Row[] = [
  [550, "5.7.30 Basic authentication is not supported for Client Submission.", "m365-submission", "M365_BASIC_AUTH_OFF", "permanent", "fix-config", undefined],
  [550, "5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources", "m365-direct-send", "M365_DIRECT_SEND_REJECTED", "permanent", "fix-config", undefined],
  [421, "4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.", "m365-submission", "M365_TLS_TOO_OLD", "permanent", "fix-config", undefined],
  [550, "5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", "m365-direct-send", "M365_IP_BLOCKED", "permanent", "fix-config", undefined],
  [550, "5.1.8 Access denied, bad outbound sender", "m365-submission", "M365_SENDER_BLOCKED", "permanent", "fix-config", undefined],
  [550, "5.7.64 TenantAttribution; Relay Access Denied", "m365-relay", "M365_RELAY_CONNECTOR_MISMATCH", "permanent", "fix-config", undefined],
  [501, "5.5.127 Authentication unsuccessful, the access token is about to expire", "m365-submission", "M365_TOKEN_EXPIRING", "transient", "retry", undefined],
  [554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message", "m365-submission", "M365_QUOTA_EXCEEDED", "transient", "retry", QUOTA_BACKOFF_MS],
  ...[1, 2, 3, 4, 5].map((d): Row => [550, `5.2.25${d} Sender throttled due to continuous send as denied errors.`, "m365-submission", "M365_THROTTLED", "transient", "retry", THROTTLE_BACKOFF_MS]),
  // The rows that were there before keep their ids.
  [554, "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied", "m365-submission", "M365_SEND_AS_DENIED", "permanent", "fix-config", undefined],
  [535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", "m365-submission", "M365_SMTP_AUTH_DISABLED", "permanent", "fix-config", undefined],
  [550, "5.2.250 something else", "m365-submission", "PERMANENT", "permanent", "none", undefined],
];

test("each Exchange Online reply maps to its row, class, action and account backoff", () => {
  for (const [code, text, preset, id, cls, action, backoff] of REPLIES) {
    const c = classifyReply({ code, text }, { preset: preset as never });
    assert.deepEqual([c.id, c.class, c.action, c.code, c.accountBackoffMs], [id, cls, action, code, backoff], `${code} ${text}`);
  }
  assert.equal(QUOTA_BACKOFF_MS, 24 * 3_600_000, "the quota window is Microsoft's rolling 24 hours");
});

test("every row: one clean sentence for the panel (the catalogue's, under the row's id), an admin fix, a doctor check", () => {
  for (const r of M365_ROWS) {
    const panel = say(r.id);
    assert.doesNotMatch(panel, /\n| — /, `${r.id}: one sentence, no line joins`);
    assert.match(panel, /^[A-Z][^.]*[^.]\.$/, `${r.id}: a single sentence ending with a full stop`);
    assert.ok(panel.length <= 110, `${r.id}: short enough for the panel (${panel.length})`);
    const c = classifyReply({ code: Number(r.reply.slice(0, 3)), text: r.reply.slice(4) });
    assert.deepEqual([c.id, c.userMessage], [r.id, panel], `${r.id}: classifyReply says the catalogue's sentence`);
    // A row that keeps the job says the same cause without the promise when nothing is stored.
    if (r.class === "transient") assert.doesNotMatch(sayNow(r.id), /device (renews|waits)|waits in the Outbox/, `${r.id}:now`);
    assert.ok(r.adminHint.length > 40, `${r.id}: an admin fix`);
    assert.match(r.doctor, /^[A-Z0-9_]+$/, `${r.id}: names a doctor check`);
    if (r.accountBackoffMs) assert.deepEqual([r.class, r.action], ["transient", "retry"], `${r.id}: backoff rows keep the job`);
  }
});

test("docs/m365.md has one table row per reply row, with its panel text", () => {
  const doc = readFileSync(new URL("../../docs/m365.md", import.meta.url), "utf8");
  for (const r of M365_ROWS) {
    const line = doc.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${r.id}\``));
    assert.ok(line, `docs/m365.md lists ${r.id}`);
    assert.ok(line.includes(say(r.id)), `${r.id}: the doc shows the panel text`);
    assert.ok(line.includes(r.doctor), `${r.id}: the doc names the doctor check`);
  }
});

test("docs/m365.md's table of every other outcome quotes the catalogue: each panel cell is one of its sentences", () => {
  const doc = readFileSync(new URL("../../docs/m365.md", import.meta.url), "utf8");
  const from = doc.indexOf("### Every other outcome");
  const table = doc.slice(doc.indexOf("\n| reply |", from) + 1).split("\n\n")[0]!;
  const rows = table.split("\n").slice(2);
  assert.ok(rows.length >= 20, "the table is there");
  const values = { code: 499, reply: "554 5.6.0" };
  const sentences = new Set(Object.keys(EN).flatMap((k) => [say(k, values)]));
  for (const row of rows) {
    const cells = row.split("|").map((c) => c.trim());
    const [stored, now] = [cells[4]!, cells[5]!];
    assert.ok(sentences.has(stored), `not a catalogue sentence: ${stored}`);
    assert.ok(now === "same" || sentences.has(now), `not a catalogue sentence: ${now}`);
  }
});
