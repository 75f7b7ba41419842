// The classification table: Microsoft's documented replies, the RFC 5321 classes, the core's
// local reasons and transport errors — each with one clean sentence for the panel and the CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyLocal, classifyReply, classifyTransport, isOneSentence, summarizeRecipients, type LocalReason } from "../../host/config/replies.js";
import { TransportError, type TransportErrorCode } from "../../host/transport/types.js";

type Row = [code: number, text: string, preset: string | undefined, cls: string, id: string, action: string, enhanced: string];
const TABLE: Row[] = [
  [250, "2.6.0 Queued mail for delivery", undefined, "ok", "OK", "none", "2.6.0"],
  [550, "5.7.60 SMTP; Client does not have permissions to send as this sender", "m365-submission", "permanent", "M365_SEND_AS_DENIED", "fix-config", "5.7.60"],
  [554, "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied", "m365-submission", "permanent", "M365_SEND_AS_DENIED", "fix-config", "5.2.0"],
  [535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", "m365-submission", "permanent", "M365_SMTP_AUTH_DISABLED", "fix-config", "5.7.139"],
  [535, "5.7.139 Authentication unsuccessful, basic authentication is disabled.", "m365-submission", "permanent", "M365_SMTP_AUTH_DISABLED", "fix-config", "5.7.139"],
  [535, "5.7.3 Authentication unsuccessful", "m365-submission", "permanent", "AUTH_FAILED", "fix-config", "5.7.3"],
  [451, "4.7.500 Server busy. Please try again later from [203.0.113.7]. (AS770)", "m365-direct-send", "transient", "M365_GRAYLISTED", "retry", "4.7.500"],
  [451, "4.7.650 The mail server [203.0.113.7] has been temporarily rate limited due to IP reputation.", "m365-relay", "transient", "M365_GRAYLISTED", "retry", "4.7.650"],
  [451, "4.7.700 something else", undefined, "transient", "SERVER_ERROR_TEMP", "retry", "4.7.700"],
  [421, "4.3.2 Service not available, closing transmission channel", undefined, "transient", "SERVER_CLOSING", "retry", "4.3.2"],
  [450, "4.2.1 Mailbox temporarily unavailable", undefined, "transient", "MAILBOX_BUSY", "retry", "4.2.1"],
  [451, "4.3.0 Local error in processing", undefined, "transient", "SERVER_ERROR_TEMP", "retry", "4.3.0"],
  [452, "4.5.3 Too many recipients", undefined, "transient", "TOO_MANY_RECIPIENTS", "retry", "4.5.3"],
  [452, "4.3.1 Insufficient system storage", undefined, "transient", "SERVER_STORAGE_FULL", "retry", "4.3.1"],
  [450, "4.4.2 Message submission rate for this client has exceeded the configured limit", "m365-submission", "transient", "RATE_LIMITED", "retry", "4.4.2"],
  [550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", "m365-direct-send", "permanent", "RELAY_DENIED", "fix-config", "5.7.54"],
  // 5.7.64 (relay connector mismatch) has its own Microsoft 365 row: test/m365/replies.test.ts.
  [552, "5.3.4 Message size exceeds fixed maximum message size", "m365-submission", "permanent", "MESSAGE_TOO_BIG", "split", "5.3.4"],
  [552, "Message size exceeds fixed limit", undefined, "permanent", "MESSAGE_TOO_BIG", "split", ""],
  [554, "5.3.4 Message too big for system", undefined, "permanent", "MESSAGE_TOO_BIG", "split", "5.3.4"],
  [552, "5.2.2 Mailbox full", undefined, "permanent", "MAILBOX_FULL", "none", "5.2.2"],
  [554, "5.2.0 STOREDRV.Submission.Exception:OutboundSpamException", "m365-submission", "permanent", "STORE_REJECTED", "fix-config", "5.2.0"],
  [530, "5.7.57 Client not authenticated to send mail.", "m365-submission", "permanent", "M365_NOT_AUTHENTICATED", "fix-config", "5.7.57"],
  [530, "5.7.0 Must issue a STARTTLS command first", undefined, "permanent", "TLS_REQUIRED_BY_SERVER", "fix-config", "5.7.0"],
  [550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", undefined, "permanent", "RECIPIENT_UNKNOWN", "none", "5.1.10"],
  [499, "weird", undefined, "transient", "TRANSIENT", "retry", ""],
  [554, "5.6.0 nope", undefined, "permanent", "PERMANENT", "none", "5.6.0"],
];

test("classification table", () => {
  for (const [code, text, preset, cls, id, action, enhanced] of TABLE) {
    const c = classifyReply({ code, text }, { preset: preset as never });
    assert.deepEqual([c.class, c.id, c.action, c.code, c.enhanced], [cls, id, action, code, enhanced], `${code} ${text}`);
    assert.ok(isOneSentence(c.userMessage), `not one clean sentence: ${JSON.stringify(c.userMessage)}`);
    if (c.class !== "ok") assert.ok(c.adminHint.length > 20, `${id} needs an admin hint`);
  }
});

test("Direct Send relay denial points to Options 1 and 3; other presets get the generic words", () => {
  const ds = classifyReply({ code: 550, text: "5.7.54 SMTP; Unable to relay recipient in non-accepted domain" }, { preset: "m365-direct-send" });
  assert.equal(ds.userMessage, "Direct Send only reaches recipients inside the organisation.");
  assert.match(ds.adminHint, /m365-submission.*m365-relay/);
  const gen = classifyReply({ code: 554, text: "5.7.1 Relay access denied" }, { preset: "generic" });
  assert.equal(gen.id, "RELAY_DENIED");
  assert.equal(gen.userMessage, "The server refused to relay to this recipient.");
  // Without a preset, 5.7.54 (the MX endpoint's answer to an unauthenticated sender) is Direct Send.
  assert.equal(classifyReply({ code: 550, text: "5.7.54 SMTP; Unable to relay recipient in non-accepted domain" }).userMessage, "Direct Send only reaches recipients inside the organisation.");
  assert.equal(classifyReply({ code: 550, text: "5.7.54 SMTP; Unable to relay recipient in non-accepted domain" }, { preset: "m365-relay" }).userMessage, "The server refused to relay to this recipient.");
});

test("an explicit enhanced code wins over the text", () => {
  assert.equal(classifyReply({ code: 550, enhanced: "5.7.60", text: "denied" }).id, "M365_SEND_AS_DENIED");
});

test("the core's local reasons", () => {
  const expect: Record<LocalReason, [string, string]> = {
    TlsNotOffered: ["permanent", "TLS_NOT_OFFERED"], TlsInjection: ["permanent", "STARTTLS_INJECTION"],
    LineTooLong: ["transient", "PROTOCOL_LINE_TOO_LONG"], BadReply: ["transient", "PROTOCOL_ERROR"],
    NoAuthMechanism: ["permanent", "NO_AUTH_MECHANISM"], PlaintextAuthRefused: ["permanent", "PLAINTEXT_AUTH_REFUSED"],
    SizeExceeded: ["permanent", "MESSAGE_TOO_BIG"], BodyModeUnsupported: ["transient", "BODY_MODE_UNSUPPORTED"],
    BadArgument: ["permanent", "BAD_ARGUMENT"], BadState: ["permanent", "INTERNAL_ERROR"],
    ReplyTooLong: ["transient", "PROTOCOL_REPLY_TOO_LONG"], UnexpectedReply: ["transient", "PROTOCOL_DESYNC"],
  };
  for (const [reason, [cls, id]] of Object.entries(expect)) {
    const c = classifyLocal(reason as LocalReason);
    assert.deepEqual([c.class, c.id, c.code], [cls, id, 0], reason);
    assert.ok(isOneSentence(c.userMessage), reason);
  }
  assert.equal(classifyLocal("SizeExceeded").action, "split");
});

test("transport errors keep their transient flag", () => {
  const codes: TransportErrorCode[] = ["DNS_FAILURE", "CONNECT_REFUSED", "CONNECT_TIMEOUT", "READ_TIMEOUT", "CONNECTION_RESET", "TLS_HANDSHAKE_FAILED", "TLS_CERT_UNTRUSTED", "TLS_CERT_EXPIRED", "TLS_HOSTNAME_MISMATCH", "TLS_VERSION_TOO_OLD", "TLS_ENGINE_UNAVAILABLE", "WRITE_TIMEOUT", "TLS_CERT_NOT_YET_VALID", "HOST_UNREACHABLE"];
  for (const code of codes) {
    for (const transient of [true, false]) {
      const c = classifyTransport(new TransportError(code, "x", transient));
      assert.equal(c.class, transient ? "transient" : "permanent");
      assert.equal(c.id, code);
      assert.ok(isOneSentence(c.userMessage), code);
      assert.doesNotMatch(c.adminHint, /^Transport error/, `${code} has its own hint`);
    }
  }
});

test("partial recipient success is reported as such", () => {
  const ok = classifyReply({ code: 250, text: "2.1.5 Recipient OK" });
  const busy = classifyReply({ code: 451, text: "4.7.500 Server busy (AS770)" });
  const gone = classifyReply({ code: 550, text: "5.1.10 Recipient not found" });
  const s = summarizeRecipients([{ address: "a@contoso.com", result: ok }, { address: "b@contoso.com", result: ok }, { address: "c@contoso.com", result: busy }]);
  assert.equal(s.userMessage, "Sent to 2 of 3 recipients; 1 recipient will be retried.");
  assert.deepEqual([s.class, s.id, s.accepted, s.retry, s.refused], ["ok", "PARTIAL", 2, ["c@contoso.com"], []]);
  assert.equal(s.action, "retry");
  const mixed = summarizeRecipients([{ address: "a@x.org", result: ok }, { address: "c@x.org", result: busy }, { address: "d@x.org", result: gone }, { address: "e@x.org", result: busy }]);
  assert.equal(mixed.userMessage, "Sent to 1 of 4 recipients; 2 recipients will be retried, 1 refused.");
  assert.ok(isOneSentence(mixed.userMessage));
  assert.equal(summarizeRecipients([{ address: "a@x.org", result: ok }]).userMessage, "Sent.");
  const none = summarizeRecipients([{ address: "d@x.org", result: gone }]);
  assert.deepEqual([none.class, none.id], ["permanent", "RECIPIENT_UNKNOWN"]);
});
