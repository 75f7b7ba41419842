// Every outcome — a server reply, a local policy refusal of the core, a transport failure — in
// one shape: a class the outbox acts on, one sentence for the panel and the CLI (from the
// outcome-text catalogue, host/text/outcomes.ts) and a hint for the administrator. These are the
// tables; host/session/classify.ts is the one pipeline that applies them to what a session saw.
// Microsoft reply meanings: docs/m365.md; codes: RFC 5321 §4.2, RFC 3463 (enhanced status codes).
import type { TransportErrorCode } from "../transport/types.js";
import type { PresetName } from "./board.js";
import { hasText, say, sayNow } from "../text/outcomes.js";
import { cleanServerText, isCleanText } from "../text/sanitize.js";
import { classifyM365 } from "./m365-replies.js";

import type { NextAction, ReplyClass, ReplyContext } from "./reply-kinds.js";
export type { NextAction, ReplyClass, ReplyContext } from "./reply-kinds.js";

export interface Classified {
  class: ReplyClass;
  /** SMTP reply code; 0 when no reply was involved (local or transport failure). */
  code: number;
  /** RFC 3463 enhanced code ("5.7.60"), "" when none. */
  enhanced: string;
  /** Stable identifier of the row that matched (for logs, tests and translations). */
  id: string;
  action: NextAction;
  /** What the panel and the CLI say: one sentence from the outcome-text catalogue
   *  (host/text/outcomes.ts), keyed by `id` (with a ":variant" where the context changes it). */
  userMessage: string;
  /** The catalogue key and values `userMessage` comes from, so the same cause can be told for an
   *  outcome where nothing is stored (sayNow, host/session/classify.ts). */
  text: Told["text"];
  /** What the administrator should change or check. */
  adminHint: string;
  /** Leave every job of this account alone this long (quota exceeded, throttled). */
  accountBackoffMs?: number;
}


export interface Reply { code: number; enhanced?: string; text?: string }

/** True when `msg` is one clean sentence: one line, no " — " join, no control character, a
 *  capital first and a full stop last (the panel wraps it itself). */
export function isOneSentence(msg: string): boolean {
  return /^[A-Z0-9].*\.$/.test(msg) && !msg.includes(" — ") && isCleanText(msg);
}

export interface Told { userMessage: string; text: { key: string; values?: Record<string, string | number> } }

/** A catalogue sentence and where it came from. */
export function told(key: string, values?: Record<string, string | number>): Told {
  return { userMessage: say(key, values), text: { key, ...(values ? { values } : {}) } };
}

function make(c: Omit<Classified, "code" | "enhanced">, code: number, enhanced: string): Classified {
  return {
    class: c.class, code, enhanced, id: c.id, action: c.action, userMessage: c.userMessage, text: c.text, adminHint: c.adminHint,
    ...(c.accountBackoffMs ? { accountBackoffMs: c.accountBackoffMs } : {}),
  };
}

/** "5.7.139" from an explicit field or from the start of the reply text (RFC 3463 §2). */
export function enhancedOf(r: Reply): string {
  if (r.enhanced) return r.enhanced;
  const m = /^\s*([245]\.\d{1,3}\.\d{1,3})\b/.exec(r.text ?? "");
  return m ? m[1]! : "";
}

/** What a row of REPLY_ROWS looks at: the reply code, its enhanced code (and that code's subject
 *  and detail numbers), the reply text and the context it came in. */
interface ReplyFacts { code: number; enh: string; sub: string; detail: number; text: string; ctx: ReplyContext }

interface ReplyRow {
  id: string;
  class: ReplyClass;
  action: NextAction;
  /** The catalogue key when it is a variant of `id` ("RELAY_DENIED:direct-send"), and its values. */
  key?: string;
  values?(r: ReplyFacts): Record<string, string | number>;
  adminHint: string | ((r: ReplyFacts) => string);
  match(r: ReplyFacts): boolean;
}

const M365 = (p?: PresetName): boolean => p !== undefined && p.startsWith("m365-");
/** Relay denied: Direct Send cannot reach outside the organisation (5.7.54 / 5.7.64 / 5.7.1 "relay"). */
const relayDenied = (r: ReplyFacts): boolean => r.code >= 500 && r.sub === "7" && (r.enh === "5.7.54" || r.enh === "5.7.64" || /relay/i.test(r.text));
/** 5.7.54 is what the tenant MX endpoint answers an unauthenticated sender (Direct Send) for a
 *  recipient outside the accepted domains, so it gets the Direct Send words when no preset is known. */
const directSend = (r: ReplyFacts): boolean => r.ctx.preset === "m365-direct-send" || (r.ctx.preset === undefined && r.enh === "5.7.54");

/**
 * The generic classes of a refusing reply, first match wins: Microsoft's older replies, then
 * RFC 5321's codes from the most specific to the catch-all. The last row matches every reply.
 */
const REPLY_ROWS: readonly ReplyRow[] = [
  {
    // Microsoft: 5.7.60 "Client does not have permissions to send as this sender"; Exchange also
    // reports a missing Send As right as 554 5.2.0 … SendAsDeniedException.
    id: "M365_SEND_AS_DENIED", class: "permanent", action: "fix-config",
    adminHint: "The From address differs from the signed-in mailbox. Set From to the mailbox the device signs in with, or grant that mailbox Send As rights on the From address (Exchange admin center → Recipients → Mailbox → Delegation).",
    match: (r) => r.enh === "5.7.60" || /SendAsDenied/i.test(r.text),
  },
  {
    // Microsoft: 535 5.7.139 — SMTP AUTH disabled for the tenant/mailbox, or basic auth blocked.
    id: "M365_SMTP_AUTH_DISABLED", class: "permanent", action: "fix-config",
    adminHint: "Enable authenticated SMTP for the device mailbox (Microsoft 365 admin center → user → Mail → Manage email apps → Authenticated SMTP, or Set-CASMailbox -SmtpClientAuthenticationDisabled $false), check that Security Defaults do not block basic auth — or switch to XOAUTH2, Direct Send or a relay connector.",
    match: (r) => r.enh === "5.7.139",
  },
  {
    id: "AUTH_FAILED", class: "permanent", action: "fix-config",
    adminHint: (r) => M365(r.ctx.preset)
      ? "Microsoft 365 rejected the credentials (535 5.7.3). Check the user name is the full mailbox address and the password/app password is current; basic auth is being retired — prefer XOAUTH2."
      : "The server rejected the credentials. Check user name and password (or token) in the device configuration.",
    match: (r) => r.code === 535 || r.enh === "5.7.3" || r.enh === "5.7.8",
  },
  {
    // Microsoft: 530 5.7.57 "Client was not authenticated to send anonymous mail during MAIL FROM".
    id: "M365_NOT_AUTHENTICATED", class: "permanent", action: "fix-config",
    adminHint: "smtp.office365.com accepts only authenticated submission. Configure the mailbox credentials (XOAUTH2 preferred), or use the m365-direct-send / m365-relay preset with the tenant MX endpoint on port 25.",
    match: (r) => r.enh === "5.7.57",
  },
  {
    id: "TLS_REQUIRED_BY_SERVER", class: "permanent", action: "fix-config",
    adminHint: "The server demands STARTTLS before this command. Set TLS to 'required'.",
    match: (r) => r.code === 530 && r.enh === "5.7.0" && /STARTTLS|TLS/i.test(r.text),
  },
  {
    id: "AUTH_REQUIRED", class: "permanent", action: "fix-config",
    adminHint: "Configure credentials for SMTP AUTH, or use a server/connector that accepts the device without sign-in.",
    match: (r) => r.code === 530,
  },
  {
    // Microsoft: 451 4.7.500-699 (ASxxx) — graylisting/throttling of the sending IP; temporary.
    id: "M365_GRAYLISTED", class: "transient", action: "retry",
    adminHint: "Microsoft 365 is graylisting or throttling the device's public IP (451 4.7.5xx-6xx). The outbox retries with backoff; if it persists, check for unusual volume or set up a connector with the static IP.",
    match: (r) => r.code === 451 && r.sub === "7" && r.detail >= 500 && r.detail <= 699,
  },
  {
    // Submission limit: 30 messages per minute per mailbox (4.5.127 / "message rate limit").
    id: "RATE_LIMITED", class: "transient", action: "retry",
    adminHint: "The mailbox's submission rate limit was reached (Microsoft 365: 30 messages/minute). The outbox waits and retries; spread large jobs or use several mailboxes.",
    match: (r) => r.code >= 400 && r.code < 500 && (/submission rate|rate limit|too many messages|submission quota/i.test(r.text) || r.enh === "4.5.127"),
  },
  {
    id: "SERVER_CLOSING", class: "transient", action: "retry",
    adminHint: "421: the server is shutting the channel (overload, maintenance, or a policy timeout). A job in the outbox is retried automatically.",
    match: (r) => r.code === 421,
  },
  {
    // RFC 5321 §4.2.3: 552 storage exceeded; RFC 3463: 5.3.4 message too big, 5.2.3 length over limit.
    id: "MESSAGE_TOO_BIG", class: "permanent", action: "split",
    adminHint: "The server's size limit is below this message. The device splits the scan into several messages under the limit; lower the board's message.splitAbove below the organisation's limit to avoid the round trip.",
    match: (r) => r.enh === "5.3.4" || r.enh === "5.2.3" || (r.code === 552 && r.enh !== "5.2.2" && (r.enh === "" || /size|too (big|large)|exceed/i.test(r.text))),
  },
  {
    id: "MAILBOX_FULL", class: "permanent", action: "none",
    adminHint: "The recipient mailbox is over its quota (5.2.2).",
    match: (r) => r.code === 552 || r.enh === "5.2.2",
  },
  {
    id: "RELAY_DENIED", key: "RELAY_DENIED:direct-send", class: "permanent", action: "fix-config",
    adminHint: "Direct Send delivers only to mailboxes in your accepted domains. To reach external recipients use m365-submission (SMTP AUTH, Option 1) or m365-relay with a connector (Option 3).",
    match: (r) => relayDenied(r) && directSend(r),
  },
  {
    id: "RELAY_DENIED", class: "permanent", action: "fix-config",
    adminHint: "The server does not relay for this device. Sign in (SMTP AUTH), or have the administrator add a connector / relay permission for the device's IP or certificate.",
    match: relayDenied,
  },
  {
    id: "STORE_REJECTED", class: "permanent", action: "fix-config",
    adminHint: "554 5.2.0: the mailbox store refused the submission (often STOREDRV: a Send As/Send on Behalf problem, a disabled mailbox, or a message the tenant blocks). The reply text in the log names the exception.",
    match: (r) => r.enh === "5.2.0" || (r.code === 554 && r.sub === "2"),
  },
  {
    id: "RECIPIENT_UNKNOWN", class: "permanent", action: "none",
    adminHint: (r) => `The server does not know this recipient (${r.enh || r.code}). Check the address or the address book entry.`,
    match: (r) => r.code >= 500 && r.sub === "1" && (r.detail === 1 || r.detail === 10 || r.detail === 0),
  },
  {
    id: "MAILBOX_BUSY", class: "transient", action: "retry",
    adminHint: "450: mailbox unavailable for now (locked or greylisted). A job in the outbox is retried automatically.",
    match: (r) => r.code === 450,
  },
  {
    id: "SERVER_ERROR_TEMP", class: "transient", action: "retry",
    adminHint: "451: local error in processing at the server. A job in the outbox is retried automatically.",
    match: (r) => r.code === 451,
  },
  {
    id: "TOO_MANY_RECIPIENTS", class: "transient", action: "retry",
    adminHint: "452 4.5.3: the server limits recipients per message; the remaining recipients are retried in another transaction (RFC 5321 §4.5.3.1.10).",
    match: (r) => r.code === 452 && (r.enh === "4.5.3" || /too many recipients/i.test(r.text)),
  },
  {
    id: "SERVER_STORAGE_FULL", class: "transient", action: "retry",
    adminHint: "452: insufficient system storage at the server. A job in the outbox is retried automatically.",
    match: (r) => r.code === 452,
  },
  {
    id: "TRANSIENT", class: "transient", action: "retry",
    values: (r) => ({ code: r.code }),
    adminHint: (r) => `${r.code} ${r.enh}: a temporary failure (RFC 5321 §4.2.1). A job in the outbox is retried with backoff; the log holds the server's text.`,
    match: (r) => r.code >= 400 && r.code < 500,
  },
  {
    id: "PERMANENT", class: "permanent", action: "none",
    values: (r) => ({ reply: r.enh ? `${r.code} ${r.enh}` : String(r.code) }),
    adminHint: (r) => `${r.code} ${r.enh}: a permanent failure (RFC 5321 §4.2.1); not retried. The log holds the server's text: "${cleanServerText(r.text).slice(0, 200)}".`,
    match: () => true,
  },
];

/** Classify one SMTP reply. */
export function classifyReply(r: Reply, ctx: ReplyContext = {}): Classified {
  const code = r.code;
  const enh = enhancedOf(r);
  const text = r.text ?? "";
  if (code >= 200 && code < 400) return make({ class: "ok", id: "OK", action: "none", ...told("OK"), adminHint: "" }, code, enh);
  // Exchange Online's device replies of the end of 2026 (m365-replies.ts) come first.
  const m365 = classifyM365(code, enh, text, ctx);
  if (m365) return make({ ...m365, ...told(m365.id) }, code, enh);
  const [, sub = "", det = ""] = enh.split(".");
  const facts: ReplyFacts = { code, enh, sub, detail: Number(det), text, ctx };
  const row = REPLY_ROWS.find((x) => x.match(facts))!;
  const adminHint = typeof row.adminHint === "string" ? row.adminHint : row.adminHint(facts);
  return make({ class: row.class, id: row.id, action: row.action, ...told(row.key ?? row.id, row.values?.(facts)), adminHint }, code, enh);
}

/**
 * An AUTH refusal of an XOAUTH2 token (after the session's one refresh): the sign-in needs
 * renewing — a password is not involved, so AUTH_FAILED's "check user name and password" would
 * mislead. Other classifications (5.7.139 SMTP AUTH disabled …) pass unchanged.
 */
export function xoauth2Refusal(c: Classified): Classified {
  if (c.id !== "AUTH_FAILED") return c;
  return {
    ...c, ...told("AUTH_FAILED:xoauth2"),
    adminHint: "The server refused the XOAUTH2 access token, also a freshly refreshed one. Sign in again on the device (mfp-mail login); check that the mailbox may use authenticated SMTP and the app registration has the SMTP.Send permission.",
  };
}

/** The core's local failure reasons (names of Reason* in assembly/smtp/events.ts, without the prefix). */
export type LocalReason =
  | "TlsNotOffered" | "TlsInjection" | "LineTooLong" | "BadReply" | "NoAuthMechanism"
  | "PlaintextAuthRefused" | "SizeExceeded" | "BodyModeUnsupported" | "BadArgument" | "BadState"
  | "ReplyTooLong" | "UnexpectedReply";

const LOCAL: Record<LocalReason, Omit<Classified, "code" | "enhanced" | "userMessage" | "text">> = {
  TlsNotOffered: {
    class: "permanent", id: "TLS_NOT_OFFERED", action: "fix-config",
    adminHint: "TLS is required but the server did not offer STARTTLS in its EHLO reply. Check host and port (Microsoft 365: smtp.office365.com:587), or a middlebox stripping STARTTLS. Never lower the TLS setting for Microsoft 365.",
  },
  TlsInjection: {
    class: "permanent", id: "STARTTLS_INJECTION", action: "fix-config",
    adminHint: "Bytes arrived after '220 ready to start TLS' before the handshake (RFC 3207 §6 response injection, CVE-2011-0411 class). Something between the device and the server is interfering.",
  },
  LineTooLong: {
    class: "transient", id: "PROTOCOL_LINE_TOO_LONG", action: "retry",
    adminHint: "A reply line exceeded the board's core.lineMax (RFC 5321 §4.5.3.1.5 allows 512). Raise lineMax in the board profile if the server is legitimate.",
  },
  BadReply: {
    class: "transient", id: "PROTOCOL_ERROR", action: "retry",
    adminHint: "The server sent bytes that are not an SMTP reply (wrong port? implicit-TLS port 465 with STARTTLS, or an HTTP proxy). Check host, port and TLS mode.",
  },
  NoAuthMechanism: {
    class: "permanent", id: "NO_AUTH_MECHANISM", action: "fix-config",
    adminHint: "None of the AUTH mechanisms the server offers is allowed by the configuration (or AUTH was not offered at all — usually because TLS is not up yet).",
  },
  PlaintextAuthRefused: {
    class: "permanent", id: "PLAINTEXT_AUTH_REFUSED", action: "fix-config",
    adminHint: "The device refuses to send credentials without TLS. Turn TLS on (STARTTLS required or implicit TLS).",
  },
  SizeExceeded: {
    class: "permanent", id: "MESSAGE_TOO_BIG", action: "split",
    adminHint: "The message is larger than the SIZE the server announced in EHLO (RFC 1870). The scan is split into several messages under the limit.",
  },
  BodyModeUnsupported: {
    class: "transient", id: "BODY_MODE_UNSUPPORTED", action: "retry",
    adminHint: "The server does not offer BINARYMIME/CHUNKING; the message is re-encoded (base64 over DATA).",
  },
  BadArgument: {
    class: "permanent", id: "BAD_ARGUMENT", action: "fix-config",
    adminHint: "An address or name contained a line break, NUL or was too long for SMTP; fix the configuration or address book.",
  },
  ReplyTooLong: {
    class: "transient", id: "PROTOCOL_REPLY_TOO_LONG", action: "retry",
    adminHint: "One reply exceeded the board's smtp.replyMaxLines or smtp.replyMaxBytes (an endless multi-line reply). The connection was closed; a job in the outbox is kept and retried. Raise the caps in the board profile only if a legitimate server needs it.",
  },
  UnexpectedReply: {
    class: "transient", id: "PROTOCOL_DESYNC", action: "retry",
    adminHint: "The server's reply did not fit the command it answers, or came before the command was sent (RFC 5321 §4.2, RFC 2920 §3.1). Nothing after it could be trusted, so the connection was closed without counting anything as delivered; a job in the outbox is kept and retried. The SMTP log has the transcript.",
  },
  BadState: {
    class: "permanent", id: "INTERNAL_ERROR", action: "none", adminHint: "The host called the core out of order — a bug; attach the log to a report.",
  },
};

/** Whether `name` is one of the core's local reasons (a row of the table above). */
export function isLocalReason(name: string): name is LocalReason {
  return Object.hasOwn(LOCAL, name);
}

/** Classify a local failure of the core (our own policy or a protocol violation by the peer). */
export function classifyLocal(reason: LocalReason): Classified {
  const row = LOCAL[reason];
  return make({ ...row, ...told(row.id) }, 0, "");
}

// Partial: a code the transport adds later falls back to a generic line instead of breaking the build.
const TRANSPORT: Partial<Record<TransportErrorCode, string>> = {
  WRITE_TIMEOUT: "A write did not drain within the RFC 5321 §4.5.3.2 data-block timeout (3 min).",
  TLS_CERT_NOT_YET_VALID: "The server's certificate starts in the future: the device clock is almost certainly wrong. Set up NTP.",
  HOST_UNREACHABLE: "The network has no route to the server (cable, VLAN, gateway).",
  DNS_FAILURE: "The server name does not resolve. Check the host name (Microsoft 365: smtp.office365.com or <domain>.mail.protection.outlook.com) and the device's DNS settings.",
  CONNECT_REFUSED: "The server refused the TCP connection. Check host and port; many networks block outbound port 25.",
  CONNECT_TIMEOUT: "No TCP connection within the board's connect timeout. Check firewall rules for the port and the device's gateway.",
  READ_TIMEOUT: "The server did not answer within the RFC 5321 §4.5.3.2 timeout for the command.",
  CONNECTION_RESET: "The connection was reset by the server or a middlebox.",
  TLS_HANDSHAKE_FAILED: "The TLS handshake failed. Check the TLS mode/port (465 implicit vs 587 STARTTLS) and the client certificate if a relay connector needs one.",
  TLS_CERT_UNTRUSTED: "The server's certificate chain is not trusted. Install the CA certificate on the device; do not disable verification.",
  TLS_CERT_EXPIRED: "The server's certificate is expired (or the device clock is wrong — check NTP).",
  TLS_HOSTNAME_MISMATCH: "The certificate does not name the configured host. Use the DNS name on the certificate (Microsoft 365: never an IP address).",
  TLS_VERSION_TOO_OLD: "The server offers only TLS below 1.2. Microsoft 365 and this device require TLS 1.2 or later.",
  TLS_ENGINE_UNAVAILABLE: "The board's tls.engine is not available in this build. Pick node-tls or install the mbedtls-wasm module.",
};

/** Classify a TransportError (host/transport/types.ts). */
export function classifyTransport(err: { code: TransportErrorCode; transient: boolean }): Classified {
  const adminHint = TRANSPORT[err.code] ?? `Transport error ${err.code}.`;
  return {
    class: err.transient ? "transient" : "permanent", code: 0, enhanced: "", id: err.code,
    action: err.transient ? "retry" : "fix-config", ...told(hasText(err.code) ? err.code : "NETWORK"), adminHint,
  };
}

export interface RecipientOutcome { address: string; result: Classified }

/**
 * Per-recipient results of one message → the message's outcome. 2 of 3 accepted is a partial
 * success: the message was sent, and the outcome says so and what happens to the others.
 */
export function summarizeRecipients(outcomes: readonly RecipientOutcome[], nothingStored = false): Classified & { accepted: number; retry: string[]; refused: string[] } {
  const ok = outcomes.filter((o) => o.result.class === "ok");
  const retry = outcomes.filter((o) => o.result.class === "transient").map((o) => o.address);
  const refused = outcomes.filter((o) => o.result.class === "permanent").map((o) => o.address);
  const n = outcomes.length;
  const base = { accepted: ok.length, retry, refused, code: 0, enhanced: "" };
  if (ok.length === n) return { ...base, class: "ok", id: "OK", action: "none", ...(n === 1 ? told("OK") : told("OK_ALL", { n })), adminHint: "" };
  const rest = [
    // Nothing stored: no promise that the deferred recipients will be retried.
    retry.length ? (nothingStored ? sayNow : say)(retry.length === 1 ? "PARTIAL:retry" : "PARTIAL:retry-many", { k: retry.length }) : "",
    refused.length ? say("PARTIAL:refused", { k: refused.length }) : "",
  ].filter(Boolean).join(", ");
  if (ok.length === 0) {
    const first = outcomes[0]!.result;
    return { ...base, class: retry.length ? "transient" : "permanent", id: first.id, action: retry.length ? "retry" : first.action, code: first.code, enhanced: first.enhanced, userMessage: first.userMessage, text: first.text, adminHint: first.adminHint };
  }
  const hints = outcomes.filter((o) => o.result.class !== "ok").map((o) => `${o.address}: ${o.result.code || ""} ${o.result.enhanced} ${o.result.adminHint}`.trim());
  return {
    ...base,
    // The message itself went out; what remains to do is carried by retry/refused.
    class: "ok", id: "PARTIAL", action: retry.length ? "retry" : "none",
    ...told("PARTIAL", { ok: ok.length, n, rest }),
    adminHint: hints.join("\n"),
  };
}
