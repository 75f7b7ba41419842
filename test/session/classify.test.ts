// The one reply pipeline (host/session/classify.ts): a core failure becomes one Classified by the
// tables of host/config/, and its sentence promises a retry only when the scan is stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyAttempt, classifyCoreFailure, sentenceFor } from "../../host/session/classify.js";
import { isOneSentence } from "../../host/config/replies.js";
import { TransportError } from "../../host/transport/types.js";
import { say } from "../../host/text/outcomes.js";

const failure = (reason: string, code = 0, text = "", enhanced = "") => ({ reason, code, text, enhanced });

test("core Failed events: a reply wins, else the local reason, else the reply the reason stands for", () => {
  assert.equal(classifyCoreFailure(failure("Reply", 535, "Authentication unsuccessful", "5.7.139")).id, "M365_SMTP_AUTH_DISABLED");
  assert.equal(classifyCoreFailure(failure("TlsNotOffered")).id, "TLS_NOT_OFFERED");
  assert.deepEqual([classifyCoreFailure(failure("ServerClosing", 0, "bye")).id, classifyCoreFailure(failure("ServerClosing", 0, "bye")).class], ["SERVER_CLOSING", "transient"]);
  assert.equal(classifyCoreFailure(failure("AuthFailed")).id, "AUTH_FAILED");
  assert.equal(classifyCoreFailure(failure("AuthFailed"), { xoauth2: true }).userMessage, say("AUTH_FAILED:xoauth2"));
  const odd = classifyCoreFailure(failure("SomethingNew"));
  assert.deepEqual([odd.id, odd.class, odd.code], ["CORE_SOMETHINGNEW", "permanent", 0]);
  assert.ok(isOneSentence(odd.userMessage));
  assert.equal(classifyCoreFailure({ ...failure("SomethingNew"), cls: 1 }).class, "transient");
});

test("a protocol error stays one whatever code the out-of-order reply carried", () => {
  // A 550 that came before its RCPT was written refused nothing: transient, job kept.
  const early = classifyCoreFailure(failure("UnexpectedReply", 550, "the server answered out of order: reply 550 came before RCPT TO was sent"));
  assert.deepEqual([early.id, early.class, early.action, early.code], ["PROTOCOL_DESYNC", "transient", "retry", 0]);
  assert.equal(early.userMessage, "The server answered out of order and the device will retry.");
  const long = classifyCoreFailure(failure("ReplyTooLong", 250));
  assert.deepEqual([long.id, long.class], ["PROTOCOL_REPLY_TOO_LONG", "transient"]);
});

test("a transient cause promises a retry only when the scan is stored; a permanent one reads the same", () => {
  const refused = classifyAttempt({ recipients: [], failure: null, mimeError: null, transportError: new TransportError("CONNECT_REFUSED", "refused", true) }).c;
  assert.equal(sentenceFor(refused, false), "The mail server cannot be reached and the device will retry later.");
  assert.equal(sentenceFor(refused, true), "The mail server cannot be reached; send the scan again later.");
  const graylisted = classifyCoreFailure(failure("Reply", 451, "4.7.500 Server busy (AS770)"));
  assert.equal(sentenceFor(graylisted, true), "The server is busy (throttled); send the scan again later.");
  const other = classifyCoreFailure(failure("Reply", 451, "4.9.9 odd"));
  assert.equal(other.id, "SERVER_ERROR_TEMP");
  const coded = classifyCoreFailure(failure("Reply", 499, "odd"));
  assert.equal(sentenceFor(coded, true), "The server had a temporary problem (499); send the scan again later.");
  const auth = classifyCoreFailure(failure("Reply", 535, "5.7.8 invalid"));
  assert.equal(sentenceFor(auth, true), sentenceFor(auth, false));
});

test("the refused recipient names the failure when every recipient was refused", () => {
  const v = classifyAttempt({
    recipients: [{ address: "a@contoso.com", code: 550, enhanced: "5.1.1", text: "no such user" }],
    failure: { ...failure("AllRecipientsRejected", 550, "no such user", "5.1.1"), cls: 2, stage: "Envelope", command: "RCPT TO" },
    mimeError: null, transportError: null,
  });
  assert.equal(v.c.id, "RECIPIENT_UNKNOWN");
  assert.equal(v.detail, 'a@contoso.com: The server said "550 5.1.1 no such user".');
});
