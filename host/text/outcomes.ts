// The outcome-text catalogue: one clean sentence per outcome, keyed by the outcome's stable id
// (Classified.id in host/config/replies.ts, TransportError codes, the session's own ids). Panel,
// CLI and log take their words from here and nowhere else, so a translation is one more table of
// the same keys. A key with a ":variant" suffix is the same outcome told for a context
// (RELAY_DENIED:direct-send). Sentences: one line, no " — " joins (the panel wraps text itself),
// ending with a full stop; {name} marks a value filled in by `say()`.

export type Catalogue = Readonly<Record<string, string>>;

export const EN: Catalogue = {
  // ── delivered ─────────────────────────────────────────────────────────────────────────────
  OK: "Sent.",
  OK_ALL: "Sent to all {n} recipients.",
  PARTIAL: "Sent to {ok} of {n} recipients; {rest}.",
  "PARTIAL:retry": "{k} recipient will be retried",
  "PARTIAL:retry-many": "{k} recipients will be retried",
  "PARTIAL:refused": "{k} refused",
  PARTS: "{text} It went out as {n} messages.",
  PARTS_DELIVERED: "{sent} of {total} messages had already been delivered.",

  // ── the server's replies ─────────────────────────────────────────────────────────────────
  M365_SEND_AS_DENIED: "This mailbox is not allowed to send as the sender address.",
  M365_SMTP_AUTH_DISABLED: "Sign-in was refused because SMTP AUTH is turned off for this mailbox.",
  AUTH_FAILED: "Sign-in failed; check the user name and password.",
  "AUTH_FAILED:xoauth2": "The sign-in has expired; sign in again on the device.",
  M365_NOT_AUTHENTICATED: "The server requires sign-in before sending.",
  AUTH_REQUIRED: "The server requires sign-in before sending.",
  TLS_REQUIRED_BY_SERVER: "The server requires encryption; turn TLS on.",
  M365_GRAYLISTED: "The server is busy (throttled) and the device will retry later.",
  RATE_LIMITED: "The device is sending too fast for this mailbox and will retry later.",
  SERVER_CLOSING: "The server closed the connection and the device will retry later.",
  MESSAGE_TOO_BIG: "The scan is too large for the server, so it is sent in smaller parts.",
  MAILBOX_FULL: "The recipient's mailbox is full.",
  RELAY_DENIED: "The server refused to relay to this recipient.",
  "RELAY_DENIED:direct-send": "Direct Send only reaches recipients inside the organisation.",
  STORE_REJECTED: "The server rejected the message (554 5.2.0); the log has the details.",
  RECIPIENT_UNKNOWN: "The recipient address was not found.",
  MAILBOX_BUSY: "The recipient's mailbox is busy and the device will retry later.",
  SERVER_ERROR_TEMP: "The server had a problem and the device will retry later.",
  TOO_MANY_RECIPIENTS: "There were too many recipients at once; the rest go in the next batch.",
  SERVER_STORAGE_FULL: "The server is out of space and the device will retry later.",
  TRANSIENT: "The server had a temporary problem ({code}) and the device will retry.",
  PERMANENT: "The server refused the message ({reply}); the log has the details.",

  // ── the core's own refusals and protocol errors ──────────────────────────────────────────
  TLS_NOT_OFFERED: "The server offers no encryption, so nothing was sent (TLS is required).",
  STARTTLS_INJECTION: "The connection was tampered with, so nothing was sent.",
  PROTOCOL_LINE_TOO_LONG: "The server's reply was not understood and the device will retry later.",
  PROTOCOL_ERROR: "The server's reply was not understood and the device will retry later.",
  PROTOCOL_DESYNC: "The server answered out of order and the device will retry.",
  PROTOCOL_REPLY_TOO_LONG: "The server's reply went on far too long and the device will retry later.",
  NO_AUTH_MECHANISM: "The device and the server have no sign-in method in common.",
  PLAINTEXT_AUTH_REFUSED: "The password would have gone out unencrypted, so nothing was sent.",
  BODY_MODE_UNSUPPORTED: "The server needs a simpler encoding and the device will retry with it.",
  BAD_ARGUMENT: "An address or setting is not valid; check the configuration.",
  INTERNAL_ERROR: "An internal error stopped the send; please report it.",
  CORE_FAILURE: "Sending failed; the log has the details.",

  // ── the connection ───────────────────────────────────────────────────────────────────────
  WRITE_TIMEOUT: "The mail server stopped reading and the device will retry later.",
  TLS_CERT_NOT_YET_VALID: "The server certificate is not valid yet; check the device clock.",
  HOST_UNREACHABLE: "There is no route to the mail server; check the network cable.",
  DNS_FAILURE: "The mail server name was not found; check the server name or the network.",
  CONNECT_REFUSED: "The mail server cannot be reached and the device will retry later.",
  CONNECT_TIMEOUT: "The mail server is not answering and the device will retry later.",
  READ_TIMEOUT: "The mail server stopped answering and the device will retry later.",
  CONNECTION_RESET: "The connection was lost and the device will retry later.",
  TLS_HANDSHAKE_FAILED: "The secure connection failed; check the TLS settings.",
  TLS_CERT_UNTRUSTED: "The server certificate is not trusted, so nothing was sent.",
  TLS_CERT_EXPIRED: "The server certificate has expired, so nothing was sent.",
  TLS_HOSTNAME_MISMATCH: "The server certificate is for another name, so nothing was sent.",
  TLS_VERSION_TOO_OLD: "The server only offers old TLS versions, so nothing was sent.",
  TLS_ENGINE_UNAVAILABLE: "The encryption engine is missing; check the device software.",
  NETWORK: "A network problem stopped the send and the device will retry later.",
  SESSION_ENDED: "The connection ended before the server accepted the scan and the device will retry later.",

  // ── sign-in (XOAUTH2 tokens) and settings ────────────────────────────────────────────────
  NO_TOKEN: "The device is not signed in; sign in on the device.",
  OAUTH_ACCESS_DENIED: "Sign-in was declined; try again on the device.",
  OAUTH_CODE_EXPIRED: "The sign-in code expired; start sign-in again.",
  OAUTH_SIGN_IN_EXPIRED: "The sign-in has expired; sign in again on the device.",
  OAUTH_NOT_SIGNED_IN: "The device is not signed in; sign in on the device first.",
  OAUTH_CLIENT_INVALID: "The app registration was rejected; check the tenant and client id.",
  OAUTH_NETWORK: "The sign-in service cannot be reached and the device will retry later.",
  OAUTH_FAILED: "Sign-in failed; the log has the details.",
  CONFIG: "The settings need checking, so nothing was sent.",
  IN_OUTBOX: "The scan waits in the Outbox.",
  HELD_IN_OUTBOX: "The scan is held in the Outbox until someone fixes the cause and retries it.",
  OUTBOX_UNWRITABLE: "The device could not store the scan, so nothing was sent.",

  // ── the last progress line: what became of the scan ──────────────────────────────────────
  "OUTCOME:sent": "Sent",
  "OUTCOME:partial": "Partly sent",
  "OUTCOME:held": "Held",
  "OUTCOME:retry": "Will retry",
  "OUTCOME:not-sent": "Not sent",
};

let active: Catalogue = EN;

/** Use another language's catalogue (same keys); missing keys fall back to English. */
export function useCatalogue(c: Catalogue): void {
  active = c;
}

/** Whether the catalogue has a sentence for this key. */
export function hasText(key: string): boolean {
  return key in active || key in EN;
}

/**
 * The sentence for `key` with its {values} filled in. An unknown key is a bug in the caller: it
 * throws, so a test finds it (every id the classification produces is checked in
 * test/config/outcome-text.test.ts).
 */
export function say(key: string, values: Record<string, string | number> = {}): string {
  const t = active[key] ?? EN[key];
  if (t === undefined) throw new Error(`no outcome text for "${key}"`);
  return t.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** What the last progress line says about a status (SessionResult.status or a job state). */
export function outcomeLine(status: string): string {
  switch (status) {
    case "sent": return say("OUTCOME:sent");
    case "partial": return say("OUTCOME:partial");
    case "held": return say("OUTCOME:held");
    case "queued": return say("OUTCOME:retry");
    default: return say("OUTCOME:not-sent"); // failed, not-sent-transient, anything unknown
  }
}
