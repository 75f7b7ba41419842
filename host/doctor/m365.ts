// `mfp-mail doctor`'s checks for Microsoft 365 as it is at the end of 2026 (docs/m365.md):
// basic-auth switch-off readiness with its date, Reject Direct Send, High Volume Email, the
// XOAUTH2 token's remaining life (501 5.5.127), and what the device's own outbox knows about the
// account — a running account backoff (quota, throttling) and the last refusal of a queued job.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AddCheck as Add } from "./check.js";
import type { AuthMech, SendProfile } from "../config/presets.js";
import { classifyReply } from "../config/replies.js";
import { RateLimiter } from "../outbox/ratelimit.js";
import { systemClock } from "../base/clock.js";
import { lookupMx } from "../transport/mx.js";
import { TransportError } from "../transport/types.js";

/** Microsoft: basic auth for SMTP AUTH client submission off by default for existing tenants. */
export const BASIC_AUTH_OFF_DATE = new Date("2027-01-01T00:00:00Z");

export interface M365CheckInput {
  password?: string;
  token?: string;
  /** The token comes from an app registration (client credentials), renewed on every send. */
  appOnly?: boolean;
  now?: Date;
}

const WAYS_FORWARD = "Two ways forward: sign the mailbox in with Microsoft once (mfp-mail login --preset m365-submission --tenant <tenant> --client-id <app id> --user <mailbox>, or Sign in on the panel) and send with --auth xoauth2; or let an app registration with SMTP.SendAsApp send (--auth xoauth2 --tenant <tenant> --client-id <app id> --client-secret-env <VAR>). Until then the device gets 550 5.7.30.";

export function m365StaticChecks(p: SendProfile, i: M365CheckInput, add: Add): void {
  const now = i.now ?? new Date();
  const basicOnly = !p.authMechs.includes("XOAUTH2");
  const usesBasic = p.authMechs.some((m: AuthMech) => m === "LOGIN" || m === "PLAIN") && i.token === undefined && (i.password !== undefined || basicOnly);
  if (p.preset === "m365-submission" && usesBasic) {
    const title = now < BASIC_AUTH_OFF_DATE
      ? "Password sign-in (LOGIN/PLAIN): Microsoft switches basic authentication for SMTP AUTH off by default at the end of December 2026 (removed in the second half of 2027)"
      : "Password sign-in (LOGIN/PLAIN): since the end of December 2026 Microsoft 365 has basic authentication for SMTP AUTH off by default (removed in the second half of 2027)";
    add("M365_BASIC_AUTH", "warn", title, WAYS_FORWARD);
  }
  if (p.preset === "m365-hve" && usesBasic) {
    add("M365_HVE_BASIC_AUTH", "info", "High Volume Email accepts password sign-in (LOGIN) until September 2028",
      "Plan app-only XOAUTH2 before then: an app registration with Mail.Send (application) added with Add-HVEAppAccess, sent with --auth xoauth2 --tenant --client-id --client-secret-env.");
  }
  if (p.preset === "m365-direct-send") {
    add("M365_REJECT_DIRECT_SEND", "info", "Direct Send works only while the tenant accepts it (Get-OrganizationConfig | fl RejectDirectSend)",
      "With RejectDirectSend $true every scan gets 550 5.7.68: use m365-relay with a partner connector (certificate or static IP), or m365-submission.");
  }
  if (i.token !== undefined && !i.appOnly) tokenExpiry(i.token, now, add);
}

/** The exp claim of a JWT access token, unverified (only to warn about its remaining life). */
function jwtExpiry(token: string): number | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const exp = (JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

// Exchange Online refuses a token close to its expiry (501 5.5.127): renew ≥ 10 minutes ahead.
const TOKEN_MARGIN_MS = 10 * 60_000;

function tokenExpiry(token: string, now: Date, add: Add): void {
  const exp = jwtExpiry(token);
  if (exp === null) return;
  const left = Math.round((exp - now.getTime()) / 60_000);
  if (exp - now.getTime() < TOKEN_MARGIN_MS) {
    add("M365_TOKEN_EXPIRY", "warn", `The XOAUTH2 token ${left <= 0 ? "has expired" : `expires in ${left} min`}`,
      "Exchange Online refuses tokens that are about to expire (501 5.5.127). Use the device's own sign-in (mfp-mail login), which renews tokens 15 minutes ahead, instead of a fixed token.");
  } else {
    add("M365_TOKEN_EXPIRY", "ok", `XOAUTH2 token valid for ${left} more min`);
  }
}

// Microsoft 365 tenant endpoints: <domain>.mail.protection.outlook.com, or *.mx.microsoft (DNSSEC/DANE).
const MICROSOFT_MX = /(\.mail\.protection\.outlook\.com|\.mx\.microsoft)$/;

/** The MX hosts Direct Send / relay will connect to, in order; false when the lookup failed. */
export async function mxChecks(domain: string, dnsServers: string[] | undefined, add: Add): Promise<boolean> {
  let hosts;
  try {
    hosts = await lookupMx(domain, dnsServers ? { dnsServers } : {});
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    add("MX", "error", `MX lookup for ${domain} failed: ${e.message}`, e.transient ? "Check the device's DNS server and network." : "Check the domain, or give the tenant endpoint from the admin center (Settings → Domains → DNS records) with --server.");
    return false;
  }
  add("MX", "ok", `MX of ${domain}: ${hosts.map((h) => `${h.priority} ${h.exchange}`).join(", ")} (tried in this order)`);
  if (!hosts.some((h) => MICROSOFT_MX.test(h.exchange))) {
    add("MX_NOT_MICROSOFT", "warn", `No MX host of ${domain} is a Microsoft 365 endpoint (*.mail.protection.outlook.com or *.mx.microsoft)`,
      "Mail for this domain goes through another gateway first; Direct Send and relay connectors need the tenant endpoint. Give it with --server (admin center → Settings → Domains → DNS records).");
  }
  return true;
}

/** What the outbox at `dir` knows about `account`: a backoff Microsoft imposed, a refused job. */
export async function outboxChecks(dir: string, account: string, add: Add, now = Date.now()): Promise<void> {
  if (!existsSync(dir)) return;
  const clock = { ...systemClock, now: () => now };
  const snap = await new RateLimiter(dir, clock, async () => null).snapshot(account);
  if (snap.backoffUntil !== null) {
    add("ACCOUNT_BACKOFF", "warn", `No scan from ${account} goes out before ${new Date(snap.backoffUntil).toISOString()}: Microsoft 365 told the account to wait`,
      `${snap.backoffWhy ? `After: ${snap.backoffWhy} ` : ""}The scans stay in the Outbox; fix the cause named by the reply, then they go out by themselves after that time.`);
  } else if (snap.recipientsToday > 0) {
    add("ACCOUNT_BACKOFF", "ok", `${account}: ${snap.recipientsToday} recipient(s) in the last 24 h, no backoff`);
  }
  const jobsDir = join(dir, "jobs");
  if (!existsSync(jobsDir)) return;
  const { OutboxStore } = await import("../outbox/store.js");
  const store = await OutboxStore.open(dir, { clock });
  const last = (await store.list()).filter((j) => j.account === account).flatMap((j) => j.attempts).filter((a) => a.code >= 400).sort((a, b) => a.endedAt - b.endedAt).at(-1);
  if (!last) return;
  const c = classifyReply({ code: last.code, enhanced: last.enhanced, text: last.message });
  add("OUTBOX_LAST_REFUSAL", "warn",
    `Last attempt for ${account} (${new Date(last.endedAt).toISOString()}): ${last.code} ${last.enhanced} (${c.id})`, c.adminHint);
}
