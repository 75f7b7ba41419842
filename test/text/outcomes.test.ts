// The outcome-text catalogue: one clean sentence per outcome id, every id the classification can
// produce has one, and the last progress line names the outcome.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EN, say, sayNow, hasText, outcomeLine, useCatalogue } from "../../host/text/outcomes.js";
import { classifyLocal, classifyReply, classifyTransport, isOneSentence, xoauth2Refusal, type LocalReason } from "../../host/config/replies.js";
import { TransportError, type TransportErrorCode } from "../../host/transport/types.js";

test("every sentence of the catalogue is one clean sentence once its values are filled", () => {
  const values = {
    n: 3, ok: 2, k: 1, rest: "1 recipient will be retried", code: 451, reply: "554 5.6.0", text: "Sent.", sent: 1, total: 3,
    last: "The server said \"535 5.7.8 invalid\".", window: "1 day", names: "scan.pdf", why: "the outbox limit was reached",
    at: "2026-12-31T12:00:00.000Z", job: "0mxa-1",
    where: "mx.example:587", host: "mx.example", server: "mx.example", servername: "mx.example", domain: "example.com",
    exchange: "mx1.example.com", errno: "ENOTFOUND", flags: "8", priority: 10, seconds: 30, millis: 500, wait: "30 s",
    phase: "the server's greeting", reason: "wrong version number", alert: "handshake_failure", mbedtls: "(mbedTLS -0x7200: SSL - bad record)",
    engine: "gnutls", path: "/opt/mbedtls.wasm",
  };
  for (const [key, text] of Object.entries(EN)) {
    if (key.startsWith("OUTCOME:") || key.startsWith("PARTIAL:")) continue; // a line label, a fragment
    const s = say(key, values);
    // A DETAIL text is the detail after the sentence (a TransportError's message): one or two
    // sentences of our own, or a fragment of one.
    assert.ok(isOneSentence(s) || key === "PARTS" || key.startsWith("DETAIL:"), `${key}: ${JSON.stringify(s)}`);
    assert.doesNotMatch(s, /\{\w+\}/, `${key}: a value is left unfilled`);
    assert.ok(!text.includes("\n") && !text.includes(" — "), key);
  }
});

test("every id the classification produces has its sentence in the catalogue", () => {
  const ids = new Set<string>();
  for (let code = 200; code < 600; code++) {
    for (const text of ["", "5.7.60 x", "5.7.139 x", "5.7.3 x", "5.7.57 x", "5.7.0 Must issue a STARTTLS command first", "4.7.500 busy", "4.5.127 rate limit",
      "5.3.4 too big", "5.2.2 full", "5.7.54 relay", "5.2.0 STOREDRV", "5.1.1 unknown", "4.5.3 Too many recipients"]) {
      for (const preset of [undefined, "m365-direct-send", "m365-relay"] as const) {
        const c = classifyReply({ code, text }, { preset });
        ids.add(c.id);
        assert.ok(isOneSentence(c.userMessage), `${code} ${text}: ${JSON.stringify(c.userMessage)}`);
        assert.ok(isOneSentence(xoauth2Refusal(c).userMessage));
      }
    }
  }
  const reasons: LocalReason[] = ["TlsNotOffered", "TlsInjection", "LineTooLong", "BadReply", "NoAuthMechanism", "PlaintextAuthRefused",
    "SizeExceeded", "BodyModeUnsupported", "BadArgument", "BadState", "ReplyTooLong", "UnexpectedReply"];
  for (const r of reasons) ids.add(classifyLocal(r).id);
  const codes: TransportErrorCode[] = ["DNS_FAILURE", "CONNECT_REFUSED", "CONNECT_TIMEOUT", "READ_TIMEOUT", "CONNECTION_RESET", "TLS_HANDSHAKE_FAILED",
    "TLS_CERT_UNTRUSTED", "TLS_CERT_EXPIRED", "TLS_HOSTNAME_MISMATCH", "TLS_VERSION_TOO_OLD", "TLS_ENGINE_UNAVAILABLE", "WRITE_TIMEOUT",
    "TLS_CERT_NOT_YET_VALID", "HOST_UNREACHABLE"];
  for (const code of codes) {
    ids.add(code);
    assert.ok(isOneSentence(classifyTransport(new TransportError(code, "x", true)).userMessage), code);
  }
  for (const id of ids) assert.ok(hasText(id), `no catalogue sentence for ${id}`);
});

// What a sentence promises the device will do later: true only while a job is stored.
const PROMISE = /will (be )?retr|device retries|tries again|waits|next batch/i;

test("a cause that promises a retry has a ':now' variant that promises nothing (for not-sent-transient)", () => {
  const causes = Object.keys(EN).filter((k) => !k.includes(":") && !k.startsWith("OUTBOX_") && k !== "IN_OUTBOX" && k !== "HELD_IN_OUTBOX" && PROMISE.test(EN[k]!));
  assert.ok(causes.length >= 20, `the transient causes: ${causes.join(" ")}`);
  for (const k of causes) {
    assert.ok(hasText(`${k}:now`), `${k} promises a retry but has no ":now" variant`);
    assert.doesNotMatch(sayNow(k, { code: 451 }), PROMISE, `${k}:now`);
  }
  for (const k of ["PARTIAL:retry", "PARTIAL:retry-many"]) assert.doesNotMatch(sayNow(k, { k: 2 }), PROMISE, k);
  // A cause without a variant (a permanent one) is said the same either way.
  assert.equal(sayNow("AUTH_FAILED"), say("AUTH_FAILED"));
});

test("the protocol desync sentence", () => {
  assert.equal(say("PROTOCOL_DESYNC"), "The server answered out of order and the device will retry.");
});

test("an unknown key is a bug, not a blank panel", () => {
  assert.throws(() => say("NO_SUCH_OUTCOME"), /no outcome text for "NO_SUCH_OUTCOME"/);
});

test("the last progress line names the outcome, never 'Done'", () => {
  assert.deepEqual(["sent", "partial", "queued", "held", "failed", "not-sent-transient"].map(outcomeLine),
    ["Sent", "Partly sent", "Will retry", "Held", "Not sent", "Not sent"]);
});

test("a second catalogue with the same keys replaces the words; missing keys fall back to English", () => {
  try {
    useCatalogue({ OK: "Gesendet." });
    assert.equal(say("OK"), "Gesendet.");
    assert.equal(say("MAILBOX_FULL"), EN.MAILBOX_FULL);
  } finally {
    useCatalogue(EN);
  }
});
