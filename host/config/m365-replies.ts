// The replies Exchange Online gives devices as of the end of 2026, one row each: how the outbox
// treats it (class, action, account backoff), the administrator's fix, and
// which `mfp-mail doctor` check warns before a scan meets it. classifyReply() (replies.ts) asks
// this table first, so these rows win over the generic RFC 5321 classes. Facts and reply texts:
// docs/m365.md "Replies" (Microsoft's device-mail, connector, SMTP AUTH and continuous-error
// throttling documentation). The panel sentence of each row is the catalogue's, under the row's
// id (host/text/outcomes.ts).
import type { NextAction, ReplyClass, ReplyContext } from "./reply-kinds.js";

const HOUR = 3_600_000;
/** Exchange Online counts 10,000 recipients per mailbox over a rolling 24 hours: after a
 *  SubmissionQuotaExceeded the account is left alone until that window has passed. */
export const QUOTA_BACKOFF_MS = 24 * HOUR;
/** Microsoft throttles a mailbox "for a period of time" after continuous errors (5.2.251–255)
 *  and publishes no figure; one hour keeps the device from hammering and lets a fix land. */
export const THROTTLE_BACKOFF_MS = HOUR;

export interface M365Row {
  id: string;
  /** The replies this row stands for, as docs/m365.md lists them. */
  reply: string;
  class: ReplyClass;
  action: NextAction;
  accountBackoffMs?: number;
  adminHint: string;
  /** The doctor check id that catches the cause before a scan (docs/m365.md explains each). */
  doctor: string;
}

interface Matcher { code: number; enh: string; text: string; ctx: ReplyContext }

const ROWS: (M365Row & { match(m: Matcher): boolean })[] = [
  {
    // Microsoft: basic auth for SMTP AUTH client submission is off by default for existing
    // tenants from the end of December 2026 (removed in the second half of 2027).
    id: "M365_BASIC_AUTH_OFF", reply: "550 5.7.30 Basic authentication is not supported for Client Submission",
    class: "permanent", action: "fix-config", doctor: "M365_BASIC_AUTH",
    adminHint: "Microsoft 365 no longer accepts a password (LOGIN/PLAIN) for SMTP AUTH on this tenant. Sign the device in with OAuth (mfp-mail login, or the panel's Sign in), or use app-only sign-in (--tenant --client-id --client-secret-env), High Volume Email, Direct Send or a relay connector.",
    match: (m) => m.enh === "5.7.30",
  },
  {
    // Set-OrganizationConfig -RejectDirectSend $true.
    id: "M365_DIRECT_SEND_REJECTED", reply: "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources",
    class: "permanent", action: "fix-config", doctor: "M365_REJECT_DIRECT_SEND",
    adminHint: "The tenant rejects Direct Send (RejectDirectSend). Create a partner connector that recognises the device by its certificate or static IP and use m365-relay, or sign in with m365-submission (SMTP AUTH).",
    match: (m) => m.enh === "5.7.68",
  },
  {
    // A 421, yet retrying with the same TLS cannot help: the device never offers TLS < 1.2, so a
    // middlebox downgraded the connection. A person must look at the network.
    id: "M365_TLS_TOO_OLD", reply: "421 4.7.66 TLS 1.0 and 1.1 are not supported",
    class: "permanent", action: "fix-config", doctor: "TLS",
    adminHint: "Microsoft 365 accepts TLS 1.2 or later only. The device offers nothing older, so a proxy or firewall between it and Microsoft intercepts TLS: exempt the device or the Microsoft 365 endpoints from TLS inspection. Never use the legacy-TLS endpoint.",
    match: (m) => m.enh === "4.7.66",
  },
  {
    id: "M365_IP_BLOCKED", reply: "550 5.7.708 Access denied, traffic not accepted from this IP",
    class: "permanent", action: "fix-config", doctor: "OUTBOX_LAST_REFUSAL",
    adminHint: "Exchange Online refuses the device's public IP because of its reputation. Send through m365-submission (SMTP AUTH) or a relay connector with a certificate instead, and have the IP's owner request delisting.",
    match: (m) => m.enh === "5.7.708",
  },
  {
    id: "M365_SENDER_BLOCKED", reply: "550 5.1.8 Access denied, bad outbound sender",
    class: "permanent", action: "fix-config", doctor: "OUTBOX_LAST_REFUSAL",
    adminHint: "Microsoft 365 blocked the mailbox for sending spam. Check it for compromise, reset its credentials, then release it under Microsoft Defender → Restricted entities.",
    match: (m) => m.enh === "5.1.8",
  },
  {
    id: "M365_RELAY_CONNECTOR_MISMATCH", reply: "550 5.7.64 TenantAttribution; Relay Access Denied",
    class: "permanent", action: "fix-config", doctor: "M365_RELAY_IDENTITY",
    adminHint: "The relay connector matches neither the device's client certificate (CN/SAN must name an accepted domain) nor its static public IP. Renew the certificate or update the connector's IP list in the Exchange admin center → Mail flow → Connectors.",
    match: (m) => m.enh === "5.7.64",
  },
  {
    // The XOAUTH2 token is about to expire: the session refreshes it and retries at once; the
    // provider renews tokens well before expiry so this stays rare.
    id: "M365_TOKEN_EXPIRING", reply: "501 5.5.127 (XOAUTH2 access token about to expire)",
    class: "transient", action: "retry", doctor: "M365_TOKEN_EXPIRY",
    adminHint: "Exchange Online refused an XOAUTH2 token close to its expiry. The device refreshes tokens 15 minutes before they expire and retries at once; if this repeats, check the device clock (NTP).",
    match: (m) => m.enh === "5.5.127",
  },
  {
    id: "M365_QUOTA_EXCEEDED", reply: "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
    class: "transient", action: "retry", accountBackoffMs: QUOTA_BACKOFF_MS, doctor: "ACCOUNT_BACKOFF",
    adminHint: "The mailbox reached Microsoft 365's 10,000 recipients per day. The device sends nothing from this account until the 24-hour window has passed; spread scans over several mailboxes, or use High Volume Email for internal recipients.",
    match: (m) => /SubmissionQuotaExceeded/i.test(m.text),
  },
  {
    id: "M365_THROTTLED", reply: "550 5.2.251–5.2.255 Sender throttled due to continuous … errors",
    class: "transient", action: "retry", accountBackoffMs: THROTTLE_BACKOFF_MS, doctor: "ACCOUNT_BACKOFF",
    adminHint: "Exchange Online throttles SMTP AUTH for a mailbox after continuous errors; the device leaves the account alone for an hour. Fix the cause the code names: 5.2.251 mailbox full, 5.2.252 Send As denied, 5.2.253 invalid licence, 5.2.254 too many recipients, 5.2.255 invalid recipients.",
    match: (m) => m.code >= 500 && /^5\.2\.25[1-5]$/.test(m.enh),
  },
];

/** Every row, for docs/m365.md and its tests. */
export const M365_ROWS: readonly M365Row[] = ROWS;

/** The row for a reply, or null when the generic classification applies. */
export function classifyM365(code: number, enh: string, text: string, ctx: ReplyContext): M365Row | null {
  if (code < 400) return null;
  return ROWS.find((r) => r.match({ code, enh, text, ctx })) ?? null;
}
