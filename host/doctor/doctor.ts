// `mfp-mail doctor`: static checks of a configuration against Microsoft's device-mail rules
// (docs/m365.md), then a live probe that stops before MAIL. Output is a
// checklist, one line per check, ✓ / ⚠ / ✗ with the fix underneath.
// Exit code: 2 when a static check fails (nothing can work as configured), 1 when the live probe
// fails, 0 otherwise.
import { cleanServerText } from "../text/sanitize.js";
import { hostname } from "node:os";
import { isIP } from "node:net";
import type { Board } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { domainOf, domainProblem, isIpHost, mailboxProblem, needsSmtpUtf8 } from "../config/address.js";
import { isInternal, resolvePreset, type PresetOverrides, type SendProfile } from "../config/presets.js";
import { probe, type ProbeFacts } from "./probe.js";
import type { AddCheck, Check, CheckStatus } from "./check.js";
import { m365StaticChecks, mxChecks, outboxChecks } from "./m365.js";

export type { Check, CheckStatus } from "./check.js";

export interface DoctorInput extends PresetOverrides {
  preset: string;
  board: Board;
  to?: string[];
  user?: string;
  password?: string;
  token?: string;
  /** The device's static public IP (for the SPF hint and relay connectors). */
  staticIp?: string;
  caFile?: string;
  servername?: string;
  /** Skip the live probe (static checks only). */
  noProbe?: boolean;
  /** The token comes from an app registration (client credentials). */
  appOnly?: boolean;
  /** The device's outbox (account backoff, last refusal); none: not looked at. */
  outboxDir?: string;
  /** DNS servers for the MX lookup (default: the system's). */
  dnsServers?: string[];
  /** Today (tests of the dated basic-auth text). */
  now?: Date;
  stepTimeout?: number;
}

const SYMBOL: Record<CheckStatus, string> = { ok: "✓", warn: "⚠", error: "✗", info: "•" };

/** The static checks. Throws nothing: bad input becomes ✗ lines. */
export function staticChecks(input: DoctorInput): { profile: SendProfile | null; checks: Check[] } {
  const checks: Check[] = [];
  const add: AddCheck = (id, status, title, fix) => checks.push({ id, status, title, ...(fix ? { fix } : {}) });
  let p: SendProfile;
  try {
    p = resolvePreset(input.preset, input);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    add(e.code, "error", `${e.field}: ${e.message.slice(e.field.length + 2)}`, "Correct the option and run doctor again.");
    return { profile: null, checks };
  }
  add("BOARD", "ok", `Board ${input.board.name}: core buffers ${input.board.core.inCap}/${input.board.core.outCap} B, split above ${(input.board.message.splitAbove / 1048576).toFixed(0)} MiB, TLS engine ${input.board.tls.engine}`);
  add("PRESET", "ok", `Preset ${p.preset}: ${p.mx ? `MX of ${p.mx}` : p.host}:${p.port}, TLS ${p.tls}${p.tls !== "off" ? ` (≥ ${p.tlsMinVersion.replace("TLSv", "")})` : ""}, AUTH ${p.authMechs.length ? p.authMechs.join("/") : "none"}`);
  // The checklist reads in this order: addresses, connection, who may be reached, sign-in, relay.
  addressChecks(p, input, add);
  connectionChecks(p, input, add);
  recipientScopeChecks(p, input, add);
  signInChecks(p, input, add);
  m365StaticChecks(p, input, add);
  relayChecks(p, input, add);
  return { profile: p, checks };
}

/** Addresses: RFC 5321 mailbox syntax (SMTPUTF8 only if the address needs it; the probe tells whether it is offered). */
function addressChecks(p: SendProfile, input: DoctorInput, add: AddCheck): void {
  const from = input.from;
  if (from === undefined) {
    if (p.preset !== "generic") add("FROM_MISSING", "warn", "No --from address given", "Give the sender address the device will use (--from scanner@contoso.com).");
  } else {
    const why = mailboxProblem(from, { smtpUtf8: needsSmtpUtf8(from) });
    if (why) add("ADDRESS_INVALID", "error", `--from: not an e-mail address: ${why}`, "Write the sender as name@domain.");
  }
  (input.to ?? []).forEach((r, i) => {
    const why = mailboxProblem(r, { smtpUtf8: needsSmtpUtf8(r) });
    if (why) add("ADDRESS_INVALID", "error", `--to[${i}]: not an e-mail address: ${why}`, "Write each recipient as name@domain.");
  });
}

/** How the device connects: host name, port and TLS (Microsoft's rules), and no password in the clear. */
function connectionChecks(p: SendProfile, input: DoctorInput, add: AddCheck): void {
  // Microsoft: use the DNS name, never an IP address (certificate names and endpoints change).
  if (p.preset.startsWith("m365-") && isIpHost(p.host)) {
    add("M365_IP_HOST", "warn", `Server given as an IP address (${p.host})`, p.preset === "m365-submission"
      ? "Use smtp.office365.com — Microsoft 365 does not support connecting by IP address."
      : "Use the tenant MX endpoint name (<domain>.mail.protection.outlook.com) — IP addresses aren't supported.");
  }
  // Microsoft: a device that defaults to 465 does not support SMTP AUTH client submission.
  if (p.preset === "m365-submission" && (p.port === 465 || p.tls === "implicit")) {
    add("M365_PORT_465", "error", "Port 465 (implicit TLS) with Microsoft 365 SMTP AUTH submission",
      "smtp.office365.com does not offer implicit TLS on 465; a device that can only use 465 cannot use SMTP AUTH submission. Use port 587 with STARTTLS (--port 587), or Direct Send / a relay connector on port 25.");
  } else if (p.preset === "m365-submission" && p.port !== 587) {
    add("M365_PORT", "warn", `Port ${p.port} for Microsoft 365 submission`, p.port === 25 ? "587 is recommended; 25 also works for SMTP AUTH but is often blocked by ISPs." : "smtp.office365.com listens on 587 (recommended) and 25 only.");
  }
  // TLS is mandatory for submission and certificate relay (TLS 1.2+).
  if ((p.preset === "m365-submission" || p.preset === "m365-hve" || p.preset === "m365-relay") && (p.tls === "off" || p.tls === "opportunistic")) {
    add("M365_TLS_OFF", "error", `TLS is "${p.tls}" with ${p.preset}`,
      `Microsoft 365 requires STARTTLS with TLS 1.2 or later for ${p.preset === "m365-submission" ? "SMTP AUTH submission" : "relay connectors"}. Leave --tls out (the preset requires STARTTLS) or give --tls starttls --require-tls.`);
  }
  if (p.preset === "generic" && p.tls === "off" && p.authMechs.length > 0 && input.password !== undefined) {
    add("PLAINTEXT_AUTH", "error", "Password would be sent without TLS", "Turn TLS on (--tls starttls --require-tls, or implicit on 465); the device refuses plaintext AUTH.");
  }
}

/** Direct Send and High Volume Email reach only mailboxes in the accepted domains. */
function recipientScopeChecks(p: SendProfile, input: DoctorInput, add: AddCheck): void {
  if (p.recipientScope !== "accepted-domains") return;
  const from = input.from;
  const external = (input.to ?? []).filter((r) => mailboxProblem(r, { smtpUtf8: true }) === null && !isInternal(r, p.acceptedDomains));
  const mode = p.preset === "m365-hve" ? "High Volume Email" : "Direct Send";
  if (external.length > 0) {
    add(p.preset === "m365-hve" ? "M365_HVE_EXTERNAL" : "M365_DIRECT_SEND_EXTERNAL", "warn", `${mode} cannot reach ${external.join(", ")} (outside ${p.acceptedDomains.join(", ") || "the accepted domains"})`,
      `${mode} delivers only inside the organisation${p.preset === "m365-hve" ? "" : " (550 5.7.54 relay denied)"}. Use m365-submission or m365-relay to reach external recipients.`);
  }
  if (from !== undefined && p.acceptedDomains.length > 0 && !isInternal(from, p.acceptedDomains)) {
    add("M365_FROM_NOT_ACCEPTED", "warn", `From ${from} is not in an accepted domain`, "Direct Send and relay need a sender in one of your accepted domains.");
  }
}

/** Sign-in: credentials a preset does not use, the mailbox it signs in as, and Send As. */
function signInChecks(p: SendProfile, input: DoctorInput, add: AddCheck): void {
  if ((p.preset === "m365-direct-send" || p.preset === "m365-relay") && (input.password !== undefined || input.token !== undefined)) {
    add("M365_AUTH_UNUSED", "info", `${p.preset} does not sign in; the credentials given are not used`);
  }
  if (p.preset !== "m365-submission" && p.preset !== "m365-hve") return;
  const { from, user } = input;
  if (user === undefined) {
    add("AUTH_USER_MISSING", "error", `No --user for ${p.preset === "m365-hve" ? "High Volume Email" : "SMTP AUTH submission"}`, "Give the mailbox the device signs in as (--user scanner@contoso.com).");
  } else if (from !== undefined && from.toLowerCase() !== user.toLowerCase()) {
    add("M365_SEND_AS", "warn", `From ${from} ≠ signed-in mailbox ${user}`,
      `Microsoft 365 answers 5.7.60 unless ${user} has Send As rights on ${from}. Grant Send As, or set --from ${user}.`);
  }
}

/** Relay and Direct Send: how the connector knows the device, and the SPF record its mail is checked against. */
function relayChecks(p: SendProfile, input: DoctorInput, add: AddCheck): void {
  if (p.preset === "m365-relay" && p.clientCert === undefined && input.staticIp === undefined) {
    add("M365_RELAY_IDENTITY", "warn", "Relay without a client certificate or a static IP",
      "A relay connector recognises the device by the CN/SAN of its client certificate (an accepted domain, e.g. *.contoso.com) or by its static public IP. Give --client-cert/--client-key or --static-ip.");
  }
  if ((p.preset !== "m365-direct-send" && p.preset !== "m365-relay") || input.staticIp === undefined) return;
  const ip = input.staticIp;
  const v = isIP(ip);
  if (v === 0) {
    add("OPTION_INVALID", "error", `--static-ip: "${ip}" is not an IP address`, "Give the device's public IPv4 or IPv6 address.");
    return;
  }
  const from = input.from;
  const dom = p.acceptedDomains[0] ?? (from ? domainOf(from) : "<your domain>");
  add("SPF", "info", `Publish SPF for ${dom}: "v=spf1 ip${v}:${ip} include:spf.protection.outlook.com ~all"`,
    "A TXT record on the domain; merge with any existing v=spf1 record (only one is allowed).");
}

/** EHLO domain: this machine's name if it is a valid domain, else "localhost". */
export function defaultClientName(): string {
  const h = hostname();
  return domainProblem(h, { requireDot: false }) === null ? h : "localhost";
}

/** Turn probe facts into checklist lines. */
export function probeChecks(facts: ProbeFacts, p: SendProfile, board: Board, tried: boolean, addresses: readonly string[] = []): Check[] {
  const out: Check[] = [];
  // Probe facts quote the server (greeting, replies): through the one sanitiser before any terminal or panel.
  const add = (id: string, status: CheckStatus, title: string, fix?: string) =>
    out.push({ id, status, title: cleanServerText(title), ...(fix ? { fix: cleanServerText(fix) } : {}) });
  // The session classified any failure (host/session/classify.ts): doctor only quotes it.
  const said = facts.outcome;
  const where = said?.stage ? { stage: said.stage, command: said.command ?? "" } : {};
  const fail = (id: string, title: string) => {
    add(id, "error", `${title}${said ? ` (the panel says "${said.userMessage}")` : ""}`, said?.adminHint);
    Object.assign(out.at(-1)!, where);
  };
  if (facts.greeting) add("CONNECT", "ok", `Connected to ${facts.server ?? p.host}:${p.port}: ${facts.greeting.code} ${facts.greeting.lines[0] ?? ""}`.trim());
  if (facts.tls) {
    const how = p.tls === "implicit" ? "implicit TLS" : "STARTTLS";
    add("TLS", "ok", `${how}: ${facts.tls.protocol}, ${facts.tls.cipher}, certificate ${facts.tls.peerSubject || "(no subject)"}${facts.tls.peerSubjectAltNames ? ` [${facts.tls.peerSubjectAltNames}]` : ""} — TLS engine ${facts.tls.engine}`);
  } else if (facts.ehlo && !facts.failure) {
    if (p.tls === "required") add("TLS_NOT_OFFERED", "error", "Server does not offer STARTTLS", "TLS is required for this preset: check host and port, or a firewall that strips STARTTLS.");
    else if (p.tls === "opportunistic") add("TLS_NONE", "warn", "Server did not offer STARTTLS: mail will travel unencrypted");
  }
  if (facts.ehlo) {
    const e = facts.ehlo;
    const size = e.has("SIZE") ? Number(e.get("SIZE")) : NaN;
    const flags = ["PIPELINING", "CHUNKING", "BINARYMIME", "8BITMIME", "SMTPUTF8"].map((k) => `${k} ${e.has(k) ? "yes" : "no"}`).join(", ");
    add("EXTENSIONS", "ok", `Extensions: SIZE ${Number.isFinite(size) && size > 0 ? `${size} (${(size / 1048576).toFixed(1)} MiB)` : "not announced"}, ${flags}`);
    if (Number.isFinite(size) && size > 0 && size < board.message.splitAbove) {
      add("SIZE_BELOW_SPLIT", "warn", `Server limit ${size} B is below the board's split size ${board.message.splitAbove} B`,
        "Messages will be split to the server's limit; lower message.splitAbove in the board profile to match.");
    }
    // RFC 6531 §3.4: a non-ASCII address can only travel when the server offers SMTPUTF8.
    const utf8 = addresses.filter((a) => needsSmtpUtf8(a));
    if (utf8.length > 0 && !e.has("SMTPUTF8")) {
      add("SMTPUTF8_MISSING", "error", `Server does not offer SMTPUTF8, needed for ${utf8.join(", ")}`, "Use the ASCII form of these addresses (ask the recipient for one), or a server that supports SMTPUTF8.");
    }
    if (board.smtp.binaryMime && !e.has("BINARYMIME")) add("BINARYMIME", "info", "No BINARYMIME: attachments go base64 over DATA (about 33 % more bytes)");
    const mechs = (e.get("AUTH") ?? "").toUpperCase().split(/\s+/).filter(Boolean);
    if (p.authMechs.length > 0) {
      const common = p.authMechs.filter((m) => mechs.includes(m));
      if (mechs.length === 0 && e.has("AUTH")) add("NO_AUTH_MECHANISM", "error", "Server offers AUTH, but none of PLAIN, LOGIN, XOAUTH2 (the device's mechanisms)", "Enable one of them on the server, or use a connector that needs no sign-in.");
      else if (mechs.length === 0) add("AUTH_NOT_OFFERED", "error", "Server offers no AUTH", "This preset signs in: check port (587) and that TLS is up.");
      else if (common.length === 0) add("NO_AUTH_MECHANISM", "error", `AUTH ${mechs.join(" ")} — none allowed by the configuration (${p.authMechs.join("/")})`, "Allow one of the offered mechanisms (--auth).");
      else add("AUTH_MECHS", "ok", `AUTH mechanisms: ${mechs.join(" ")} (will use ${common[0]})`);
      if (p.preset === "m365-submission" && !mechs.includes("XOAUTH2")) add("XOAUTH2_MISSING", "warn", "XOAUTH2 not offered", "Microsoft 365 offers XOAUTH2 on smtp.office365.com:587; check the host.");
    }
  }
  if (facts.auth) {
    const reply = `${facts.auth.reply.code} ${facts.auth.reply.lines.join(" ").slice(0, 120)}`;
    if (facts.auth.reply.code < 400) add("AUTH_OK", "ok", `Signed in with ${facts.auth.mech}`);
    else fail(said?.id ?? "AUTH_FAILED", `Sign-in with ${facts.auth.mech} failed: ${reply}`);
  } else if (tried && !facts.failure && p.authMechs.length > 0) {
    add("AUTH_SKIPPED", "warn", "Sign-in not tried (no usable mechanism or no TLS)");
  }
  if (facts.failure) {
    const f = facts.failure;
    if (f.error) fail(f.error.code, `${f.step}: ${f.error.message}`);
    else if (f.reply) fail(said?.id ?? "SERVER_REFUSED", `${f.step}: ${f.reply.code} ${f.reply.lines.join(" ").slice(0, 120)}`);
    else {
      add("PROTOCOL_ERROR", "error", `${f.step}: ${f.message}`, "The server did not speak SMTP as expected: check host, port and TLS mode (465 = implicit TLS, 587/25 = STARTTLS).");
    }
  } else if (facts.greeting) {
    add("STOPPED", "ok", "Stopped before MAIL FROM: nothing was sent");
  }
  return out;
}

export function formatChecklist(checks: readonly Check[]): string {
  return checks.map((c) => `${SYMBOL[c.status]} ${c.title}${c.fix ? `\n    → ${c.fix}` : ""}`).join("\n");
}

export interface DoctorResult { exitCode: number; checks: Check[]; facts?: ProbeFacts }

/** The command line's exit code for a live probe (docs/cli.md): 0 no ✗, 4 the server could not be
 *  reached or answered (a network or transient failure: try again later), 3 it answered and
 *  something was refused or is missing (a setting to fix). */
function probeExitCode(facts: ProbeFacts, live: readonly Check[]): number {
  if (!live.some((c) => c.status === "error")) return 0;
  return facts.failure?.error?.transient ? 4 : 3;
}

/** Static checks, then (unless a static ✗ or noProbe) the live probe. */
export async function runDoctor(input: DoctorInput): Promise<DoctorResult> {
  const { profile, checks } = staticChecks(input);
  if (profile === null || checks.some((c) => c.status === "error")) {
    checks.push({ id: "PROBE_SKIPPED", status: "info", title: "Live probe skipped: fix the ✗ lines first" });
    return { exitCode: 2, checks };
  }
  // What the device's outbox knows about the account (Microsoft's backoffs, refused jobs).
  const account = input.user ?? input.from;
  if (input.outboxDir && account) await outboxChecks(input.outboxDir, account, (id, status, title, fix) => checks.push({ id, status, title, ...(fix ? { fix } : {}) }));
  if (input.noProbe) return { exitCode: 0, checks };
  // Direct Send / relay: the MX hosts the device will try, as the probe below will.
  if (profile.mx && !(await mxChecks(profile.mx, input.dnsServers, (id, status, title, fix) => checks.push({ id, status, title, ...(fix ? { fix } : {}) })))) {
    return { exitCode: 4, checks };
  }
  const credentials = input.user !== undefined ? { user: input.user, password: input.password, token: input.token } : undefined;
  const facts = await probe({
    profile, board: input.board, clientName: defaultClientName(),
    caFile: input.caFile, servername: input.servername, stepTimeout: input.stepTimeout,
    ...(input.dnsServers ? { dnsServers: input.dnsServers } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const addresses = [...(input.from !== undefined ? [input.from] : []), ...(input.to ?? [])];
  const live = probeChecks(facts, profile, input.board, credentials !== undefined, addresses);
  checks.push(...live);
  return { exitCode: probeExitCode(facts, live), checks, facts };
}
