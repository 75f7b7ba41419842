// Mailbox and domain syntax, RFC 5321 §4.1.2 / §4.1.3 / §4.5.3.1, with RFC 6531 (SMTPUTF8)
// extensions when the caller says UTF-8 is allowed. Pure functions: no DNS, no I/O.
import { isIP } from "node:net";
import { ConfigError } from "./errors.js";

export interface SyntaxOptions {
  /** RFC 6531: UTF-8 in local part and U-labels in the domain (only when the server offers SMTPUTF8). */
  smtpUtf8?: boolean;
  /** Require at least two labels (a real DNS domain, not "localhost"). Default true. */
  requireDot?: boolean;
}

// RFC 5321 §4.1.2 atext (RFC 5322 §3.2.3): ALPHA / DIGIT / !#$%&'*+-/=?^_`{|}~
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
// RFC 6531 §3.3: atext =/ UTF8-non-ascii
const ATEXT_UTF8 = /^(?:[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]|[^\x00-\x7f])+$/u;
// RFC 5321 §4.1.2 Quoted-string: qtextSMTP = %d32-33 / %d35-91 / %d93-126, quoted-pairSMTP = "\" %d32-126
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
const QUOTED_UTF8 = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|[^\x00-\x7f]|\\[\x20-\x7e])*"$/u;
// RFC 5321 §4.1.2 sub-domain = Let-dig [Ldh-str]
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const LABEL_UTF8 = /^(?:[A-Za-z0-9]|[^\x00-\x7f])(?:(?:[A-Za-z0-9-]|[^\x00-\x7f])*(?:[A-Za-z0-9]|[^\x00-\x7f]))?$/u;

const utf8Len = (s: string): number => Buffer.byteLength(s, "utf8");

/** Why `domain` is not a domain name, or null when it is one. */
export function domainProblem(domain: string, opts: SyntaxOptions = {}): string | null {
  if (domain.length === 0) return "is empty";
  if (/[\s\x00-\x1f\x7f]/.test(domain)) return "contains spaces or control characters";
  if (isIP(domain)) return `is an IP address (${domain}), not a domain name`;
  // RFC 1035 §2.3.4 / RFC 5321 §4.5.3.1.2: 255 octets; one trailing dot (FQDN form) is not allowed in SMTP.
  if (utf8Len(domain) > 255) return "is longer than 255 octets";
  const labels = domain.split(".");
  if ((opts.requireDot ?? true) && labels.length < 2) return `"${domain}" has no dot — a domain looks like contoso.com`;
  for (const label of labels) {
    if (label.length === 0) return `"${domain}" has an empty label (two dots, or a dot at the start or end)`;
    if (utf8Len(label) > 63) return `label "${label.slice(0, 20)}…" is longer than 63 octets`;
    const ok = opts.smtpUtf8 ? LABEL_UTF8.test(label) : LABEL.test(label);
    if (!ok) {
      if (!opts.smtpUtf8 && /[^\x00-\x7f]/.test(label)) return `"${label}" has non-ASCII characters (needs SMTPUTF8, or write it as xn--…)`;
      return `label "${label}" may only hold letters, digits and inner hyphens`;
    }
  }
  // RFC 3696 §2: a top-level domain is never all-numeric (that is an IP address with a typo).
  if (labels.length > 1 && /^[0-9]+$/.test(labels[labels.length - 1]!)) return `"${domain}" ends in a number — an IP address is not a domain`;
  return null;
}

/** Why `mailbox` is not an RFC 5321 Mailbox (local-part "@" domain), or null when it is one. */
export function mailboxProblem(mailbox: string, opts: SyntaxOptions = {}): string | null {
  if (mailbox.length === 0) return "is empty";
  if (/[\r\n\x00]/.test(mailbox)) return "contains a line break or NUL";
  if (mailbox.startsWith("<") || mailbox.endsWith(">")) return "must be given without <angle brackets>";
  const at = mailbox.lastIndexOf("@");
  if (at < 0) return `"${mailbox}" has no @ — an address looks like name@contoso.com`;
  const local = mailbox.slice(0, at);
  const domain = mailbox.slice(at + 1);
  if (local.length === 0) return `"${mailbox}" has nothing before the @`;
  // RFC 5321 §4.5.3.1.1: local part at most 64 octets; §4.5.3.1.3: path at most 256 (mailbox 254).
  if (utf8Len(local) > 64) return "part before the @ is longer than 64 octets";
  if (utf8Len(mailbox) > 254) return "is longer than 254 octets";
  const ascii = !/[^\x00-\x7f]/.test(local);
  if (!ascii && !opts.smtpUtf8) return `"${mailbox}" has non-ASCII characters before the @ — only possible when the server offers SMTPUTF8`;
  if (local.startsWith('"')) {
    if (!(opts.smtpUtf8 ? QUOTED_UTF8 : QUOTED).test(local)) return `quoted part "${local}" is not a valid quoted string`;
  } else {
    // Dot-string = Atom *("." Atom)
    for (const atom of local.split(".")) {
      if (atom.length === 0) return `"${mailbox}" has a dot at the start or end of the name, or two dots in a row`;
      if (!(opts.smtpUtf8 ? ATEXT_UTF8 : ATEXT).test(atom)) return `"${atom}" contains a character not allowed in an address (spaces, commas, brackets …)`;
    }
  }
  if (domain.startsWith("[") && domain.endsWith("]")) {
    // RFC 5321 §4.1.3 address literal
    const inner = domain.slice(1, -1);
    const v6 = inner.toLowerCase().startsWith("ipv6:") ? inner.slice(5) : null;
    if (v6 !== null ? isIP(v6) === 6 : isIP(inner) === 4) return null;
    return `address literal ${domain} is not [IPv4] or [IPv6:…]`;
  }
  const why = domainProblem(domain, opts);
  return why === null ? null : `domain ${why}`;
}

/** Throw a ConfigError naming `field` when `mailbox` is not valid. */
export function assertMailbox(mailbox: string, field: string, opts: SyntaxOptions = {}): void {
  const why = mailboxProblem(mailbox, opts);
  if (why !== null) throw new ConfigError("ADDRESS_INVALID", field, `not an e-mail address: ${why}`);
}

/** Throw a ConfigError naming `field` when `domain` is not a domain name. */
export function assertDomain(domain: string, field: string, opts: SyntaxOptions = {}): void {
  const why = domainProblem(domain, opts);
  if (why !== null) throw new ConfigError("DOMAIN_INVALID", field, `not a domain name: ${why}`);
}

/** RFC 6531: the envelope needs SMTPUTF8 when any address has non-ASCII characters. */
export function needsSmtpUtf8(...mailboxes: string[]): boolean {
  return mailboxes.some((m) => /[^\x00-\x7f]/.test(m));
}

/** The domain part of a mailbox, lower-cased (for accepted-domain comparisons). */
export function domainOf(mailbox: string): string {
  return mailbox.slice(mailbox.lastIndexOf("@") + 1).toLowerCase();
}

/** True when `host` is a literal IPv4/IPv6 address (with or without [brackets]). */
export function isIpHost(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return isIP(h) !== 0;
}
