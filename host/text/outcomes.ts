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

  // ── Exchange Online's device replies of the end of 2026 (host/config/m365-replies.ts rows) ──
  M365_BASIC_AUTH_OFF: "Password sign-in is switched off for this mailbox; sign in with Microsoft on the panel.",
  M365_DIRECT_SEND_REJECTED: "Your organisation has switched Direct Send off, so the administrator must set up another way to send.",
  M365_TLS_TOO_OLD: "The connection used an old TLS version that Microsoft 365 refuses, so the network must be checked.",
  M365_IP_BLOCKED: "Microsoft 365 does not accept mail from this network's address, so the administrator must step in.",
  M365_SENDER_BLOCKED: "This mailbox is blocked from sending mail, so the administrator must unblock it.",
  M365_RELAY_CONNECTOR_MISMATCH: "The mail connector no longer recognises this device, so the administrator must check it.",
  M365_TOKEN_EXPIRING: "The sign-in was about to expire, so the device renews it and tries again.",
  M365_QUOTA_EXCEEDED: "This mailbox reached its daily sending limit, so the scan waits in the Outbox for a day.",
  M365_THROTTLED: "Microsoft 365 paused this mailbox after repeated errors, so the device waits an hour before trying again.",

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

  // ── what the outbox did with a job ────────────────────────────────────────────────────────
  OUTBOX_RETENTION_EXPIRED: "Held on the device after {window} of retries; the last attempt said: {last}",
  OUTBOX_HELD_FIX_CONFIG: "Held on the device until the settings or the account are fixed: {last}",
  OUTBOX_HELD_UNSENDABLE: "Held on the device because it cannot be sent as it is: {last}",
  OUTBOX_REMOVED_FOR_SPACE: "The oldest held job, {names}, was removed unsent to make room for a new scan ({why}).",
  OUTBOX_DEFERRED: "The scan waits in the Outbox: {why}; it goes out at {at}.",
  OUTBOX_QUEUED: "The scan waits in the Outbox as job {job}.",
  OUTBOX_JOB_GONE: "Not sent: {why}.",
  JOB_NOT_SIGNED_IN: "The device cannot sign in for this job: {why}.",
  OUTBOX_UNAVAILABLE: "The device could not store the scan ({code}) and cannot read it a second time, so nothing was sent.",

  // ── the same causes when nothing is stored (status not-sent-transient: `send --no-queue`, an
  //    outbox that could not take the scan): no promise that the device will retry ───────────
  "PARTIAL:retry:now": "{k} recipient was deferred",
  "PARTIAL:retry-many:now": "{k} recipients were deferred",
  "M365_GRAYLISTED:now": "The server is busy (throttled); send the scan again later.",
  "RATE_LIMITED:now": "The device is sending too fast for this mailbox; send the scan again in a minute.",
  "SERVER_CLOSING:now": "The server closed the connection; send the scan again later.",
  "MAILBOX_BUSY:now": "The recipient's mailbox is busy; send the scan again later.",
  "SERVER_ERROR_TEMP:now": "The server had a problem; send the scan again later.",
  "TOO_MANY_RECIPIENTS:now": "There were too many recipients at once; send to the others again.",
  "SERVER_STORAGE_FULL:now": "The server is out of space; send the scan again later.",
  "TRANSIENT:now": "The server had a temporary problem ({code}); send the scan again later.",
  "M365_TOKEN_EXPIRING:now": "The sign-in was about to expire and renewing it did not help; send the scan again later.",
  "M365_QUOTA_EXCEEDED:now": "This mailbox reached its daily sending limit; send the scan again tomorrow.",
  "M365_THROTTLED:now": "Microsoft 365 paused this mailbox after repeated errors; send the scan again in an hour.",
  "PROTOCOL_LINE_TOO_LONG:now": "The server's reply was not understood; send the scan again later.",
  "PROTOCOL_ERROR:now": "The server's reply was not understood; send the scan again later.",
  "PROTOCOL_DESYNC:now": "The server answered out of order; send the scan again later.",
  "PROTOCOL_REPLY_TOO_LONG:now": "The server's reply went on far too long; send the scan again later.",
  "BODY_MODE_UNSUPPORTED:now": "The server needs a simpler encoding; send the scan again.",
  "WRITE_TIMEOUT:now": "The mail server stopped reading; send the scan again later.",
  "CONNECT_REFUSED:now": "The mail server cannot be reached; send the scan again later.",
  "CONNECT_TIMEOUT:now": "The mail server is not answering; send the scan again later.",
  "READ_TIMEOUT:now": "The mail server stopped answering; send the scan again later.",
  "CONNECTION_RESET:now": "The connection was lost; send the scan again later.",
  "NETWORK:now": "A network problem stopped the send; send the scan again later.",
  "SESSION_ENDED:now": "The connection ended before the server accepted the scan; send it again later.",
  "OAUTH_NETWORK:now": "The sign-in service cannot be reached; send the scan again later.",

  // ── the detail: our own words about the connection, TLS and DNS ───────────────────────────
  //    (TransportError messages, shown after the outcome sentence). Composed by say() where they
  //    are thrown, so the English text is the message itself; a DETAIL sentence without a full
  //    stop (the mbedTLS engine's) is recognised as detailSentence() tells it too: capitalised,
  //    with the full stop. {where} is "host:port"; {host}, {server}, {servername}, {domain},
  //    {exchange}, {errno} and {flags} are one word each; {reason} and {mbedtls} are a library's
  //    own words, kept as they are.
  "DETAIL:DNS_NOT_FOUND": "The server name \"{host}\" could not be found (DNS). Check the spelling of the server name and the device's DNS settings.",
  "DETAIL:DNS_NO_ANSWER": "The DNS server did not answer for \"{host}\". Check the device's DNS settings and network, then try again.",
  "DETAIL:CONNECT_REFUSED": "The server {where} refused the connection. Check the port number and that the mail server is running.",
  "DETAIL:HOST_UNREACHABLE": "There is no network route to {where}. Check the network cable, gateway and firewall.",
  "DETAIL:CONNECT_TIMEOUT": "The server {where} did not answer in time. Check the address, the port and any firewall.",
  "DETAIL:CONNECT_TIMEOUT:limit": "The server {where} did not accept the connection within {seconds} s. Check the address, the port and any firewall.",
  "DETAIL:CONNECTION_RESET": "The server {where} closed the connection unexpectedly.",
  "DETAIL:CONNECT_FAILED": "The connection to {where} failed ({reason}).",
  "DETAIL:SERVER_CLOSED": "The server {where} closed the connection.",
  "DETAIL:CONNECTION_CLOSED": "The connection to {where} is closed.",
  "DETAIL:READ_TIMEOUT": "The server {where} did not send {phase} in full within {wait}. The connection was closed.",
  "DETAIL:WRITE_TIMEOUT": "The server {where} stopped accepting data (waited {wait} for {phase}). The connection was closed.",
  "DETAIL:TLS_HANDSHAKE_TIMEOUT": "The secure (TLS) connection to {where} was not established within {wait}.",
  "DETAIL:PHASE:greeting": "the server's greeting",
  "DETAIL:PHASE:command": "the server's reply",
  "DETAIL:PHASE:mail": "the reply to MAIL FROM",
  "DETAIL:PHASE:rcpt": "the reply to RCPT TO",
  "DETAIL:PHASE:dataInit": "the reply to DATA",
  "DETAIL:PHASE:dataBlock": "the message data to be accepted",
  "DETAIL:PHASE:dataTerm": "the server to accept the message after the final \".\"",
  "DETAIL:CLOSED_BEFORE_ACCEPTED": "The server closed the connection before the message was accepted.",
  "DETAIL:CLOSED_WHILE_SENDING": "The server closed the connection while the scan was being sent.",
  "DETAIL:CLOSED": "The server closed the connection.",
  "DETAIL:CANCELLED": "Cancelled.",
  "DETAIL:DNS_HOST_ABSENT": "The mail server {host} does not exist in DNS ({errno}).",
  "DETAIL:DNS_HOST_NO_ANSWER": "The DNS server did not answer for the mail server {host} ({reason}). Check the device's DNS settings, then try again.",
  "DETAIL:DNS_MX_NO_ANSWER": "The DNS server did not answer for the MX record of {domain} ({reason}). Check the device's DNS settings, then try again.",
  "DETAIL:DNS_NO_MX": "{domain} has no MX record, so there is no mail server to send to. Check the domain (--domain or the From address), or give the server with --server.",
  "DETAIL:DNS_NULL_MX": "{domain} declares that it accepts no mail (null MX, RFC 7505).",
  "DETAIL:MX_HOST": "{exchange} (MX {priority} of {domain}): {reason}",
  "DETAIL:MX_NONE_REACHED": "No MX host of {domain} could be reached.",
  "DETAIL:TLS_ENGINE_MISSING": "The TLS engine \"mbedtls-wasm\" is not available in this build ({reason}). Build it, or choose the \"node-tls\" engine in the board profile.",
  "DETAIL:TLS_ENGINE_UNKNOWN": "Unknown TLS engine \"{engine}\"; use \"node-tls\" or \"mbedtls-wasm\".",
  "DETAIL:TLS_CERT_EXPIRED": "The mail server {server} presented a certificate that has expired. The server's administrator must renew it (or the device's date and time are wrong).",
  "DETAIL:TLS_CERT_NOT_YET_VALID": "The mail server {server} presented a certificate that is not valid yet. Check the device's date and time.",
  "DETAIL:TLS_HOSTNAME_MISMATCH": "The certificate of the mail server does not match the name \"{server}\". Use the exact server name the certificate was issued for (not an IP address or an alias).",
  "DETAIL:TLS_CERT_SELF_SIGNED": "The certificate of the mail server {server} is not from a trusted authority (it is self-signed). Install the server's CA certificate on the device.",
  "DETAIL:TLS_CERT_UNTRUSTED": "The certificate of the mail server {server} is not from a trusted authority ({reason}). Install the server's CA certificate on the device.",
  "DETAIL:TLS_VERSION_TOO_OLD": "The mail server {server} only offers an outdated TLS version (older than TLS 1.2), which is not secure. The server must be updated to TLS 1.2 or newer.",
  "DETAIL:TLS_CLIENT_CERT_REFUSED": "The mail server {server} requires a valid client certificate for this device and did not accept the one presented (or none was configured).",
  "DETAIL:TLS_NO_SHARED_SETTINGS": "The mail server {server} refused the secure (TLS) connection: it shares no security settings with this device, or it requires a client certificate that was not presented.",
  "DETAIL:TLS_CLOSED_IN_HANDSHAKE": "The mail server {server} closed the connection during the secure (TLS) handshake.",
  "DETAIL:TLS_FAILED": "The secure (TLS) connection to {server} failed ({reason}). The server may not speak TLS on this port, or it refused this device.",
  "DETAIL:TLS_SERVER_CLOSED": "The mail server {server} closed the secure connection.",
  "DETAIL:MBEDTLS_CERT_UNTRUSTED": "the server certificate for {servername} is not signed by a trusted CA: add the issuing CA to the board's CA bundle",
  "DETAIL:MBEDTLS_CERT_EXPIRED": "the server certificate for {servername} has expired (or the device clock is wrong)",
  "DETAIL:MBEDTLS_CERT_FUTURE": "the server certificate for {servername} is not valid yet: check the device clock",
  "DETAIL:MBEDTLS_HOSTNAME_MISMATCH": "the server certificate does not name {servername}: use the host name the certificate was issued for",
  "DETAIL:MBEDTLS_CERT_REJECTED": "the server certificate for {servername} was rejected (flags 0x{flags})",
  "DETAIL:MBEDTLS_NO_CA": "no CA certificates are configured, so the server cannot be verified",
  "DETAIL:MBEDTLS_VERSION_TOO_OLD": "{servername} offered a TLS version older than 1.2, which is refused {mbedtls}",
  "DETAIL:MBEDTLS_NO_TLS12": "{servername} does not support TLS 1.2 (server sent {alert})",
  "DETAIL:MBEDTLS_HANDSHAKE_REFUSED": "{servername} refused the TLS handshake (server sent {alert})",
  "DETAIL:MBEDTLS_CLOSED_IN_HANDSHAKE": "{servername} closed the connection during the TLS handshake",
  "DETAIL:MBEDTLS_FRAGMENTED": "{servername} split a TLS handshake message over several records, which the mbedtls-wasm engine cannot reassemble: raise or turn off maxFragmentLength {mbedtls}",
  "DETAIL:MBEDTLS_HANDSHAKE_OUT_OF_MEMORY": "the mbedtls-wasm engine ran out of memory during the handshake {mbedtls}",
  "DETAIL:MBEDTLS_NOT_TLS12": "TLS handshake with {servername} failed: the server's reply is not valid TLS 1.2 {mbedtls}",
  "DETAIL:MBEDTLS_HANDSHAKE_TIMEOUT": "{servername} did not complete the TLS handshake within {millis} ms",
  "DETAIL:MBEDTLS_TLS13_REQUIRED": "the mbedtls-wasm engine speaks TLS 1.2 only, but this profile requires TLS 1.3: use the node-tls engine",
  "DETAIL:MBEDTLS_CONNECTION_LOST": "connection lost: {reason}",
  "DETAIL:MBEDTLS_SETUP_OUT_OF_MEMORY": "mbedtls-wasm: out of memory creating the connection",
  "DETAIL:MBEDTLS_OUT_OF_MEMORY": "mbedtls-wasm: out of memory",
  "DETAIL:MBEDTLS_CA_UNREADABLE": "the CA bundle could not be read: {reason}",
  "DETAIL:MBEDTLS_CLIENT_CERT_INCOMPLETE": "a client certificate needs both cert and key",
  "DETAIL:MBEDTLS_CLIENT_CERT_UNREADABLE": "the client certificate or key could not be read: {reason}",
  "DETAIL:MBEDTLS_SETUP_FAILED": "TLS setup failed: {reason}",
  "DETAIL:MBEDTLS_CLOSED": "the TLS connection is closed",
  "DETAIL:MBEDTLS_WRITE_FAILED": "TLS write failed: {reason}",
  "DETAIL:MBEDTLS_CONNECTION_FAILED": "TLS connection failed: {reason}",
  "DETAIL:MBEDTLS_ENGINE_FAILED": "the mbedtls-wasm engine failed internally ({reason})",
  "DETAIL:MBEDTLS_NOT_BUILT": "the mbedtls-wasm TLS engine is not built ({path} is missing): run \"npm run build:tls\", or choose the \"node-tls\" engine in the board profile",
  "DETAIL:MBEDTLS_NOT_LOADED": "the mbedtls-wasm TLS engine at {path} could not be loaded ({reason}): rebuild with \"npm run build:tls\", or choose the \"node-tls\" engine in the board profile",

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

/**
 * The sentence for `key` told for an outcome where nothing is stored (status
 * "not-sent-transient"): its ":now" variant, which makes no promise that the device will retry;
 * the plain sentence when the cause has no such variant (it promised nothing).
 */
export function sayNow(key: string, values: Record<string, string | number> = {}): string {
  return say(hasText(`${key}:now`) ? `${key}:now` : key, values);
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
