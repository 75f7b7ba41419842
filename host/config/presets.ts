// Microsoft 365 device-mail presets (Option 1 submission, Option 2 Direct Send, Option 3 relay
// connector) and a generic MTA preset. A preset is only defaults: every field can be overridden.
// Source: docs/m365.md (Microsoft: "How to set up a multifunction device
// or application to send email using Microsoft 365").
import { domainToASCII } from "node:url";
import { ConfigError } from "./errors.js";
import { assertDomain, assertMailbox, domainOf, isIpHost, needsSmtpUtf8 } from "./address.js";
import type { PresetName } from "./board.js";
import type { TlsPolicy } from "../transport/tls-mode.js";

export type { PresetName };
export const PRESET_NAMES: readonly PresetName[] = ["m365-submission", "m365-hve", "m365-direct-send", "m365-relay", "generic"];

export type AuthMech = "XOAUTH2" | "LOGIN" | "PLAIN";

export interface SendProfile {
  preset: PresetName;
  host: string;
  port: number;
  tls: TlsPolicy;
  tlsMinVersion: "TLSv1.2" | "TLSv1.3";
  /** Mechanisms allowed, most preferred first; [] = no AUTH (Direct Send, relay). */
  authMechs: AuthMech[];
  /** PEM files for certificate-based relay connectors. */
  clientCert?: { certFile: string; keyFile: string };
  /** Connect to this domain's MX hosts (Direct Send, relay without --server); `host` is then the domain. */
  mx?: string;
  /** Direct Send reaches only mailboxes in the organisation's accepted domains. */
  recipientScope: "any" | "accepted-domains";
  /** The tenant's accepted domains (from --domain, else the From domain). */
  acceptedDomains: string[];
}

/** What a user may override; `domain` feeds the MX derivation and the accepted-domain list. */
export interface PresetOverrides {
  host?: string;
  port?: number;
  tls?: TlsPolicy;
  tlsMinVersion?: "TLSv1.2" | "TLSv1.3";
  authMechs?: AuthMech[];
  clientCert?: { certFile: string; keyFile: string };
  domain?: string;
  acceptedDomains?: string[];
  from?: string;
}

interface PresetDefaults {
  host: string | "mx";      // "mx" = the MX hosts of the domain (looked up at connect time)
  port: number;
  tls: TlsPolicy;
  authMechs: AuthMech[];
  recipientScope: "any" | "accepted-domains";
  summary: string;
}

export const PRESETS: Record<PresetName, PresetDefaults> = {
  // Option 1: smtp.office365.com:587, STARTTLS required, TLS 1.2+; XOAUTH2 recommended, basic
  // auth (LOGIN) still accepted by tenants that allow it but being retired.
  "m365-submission": {
    host: "smtp.office365.com", port: 587, tls: "required", authMechs: ["XOAUTH2", "LOGIN"],
    recipientScope: "any", summary: "Microsoft 365 SMTP AUTH client submission (Option 1)",
  },
  // High Volume Email: an SMTP endpoint for devices and apps sending to internal recipients only;
  // 587 with STARTTLS; basic auth (LOGIN) supported until September 2028, or XOAUTH2 app-only
  // (an app registration with Mail.Send and Add-HVEAppAccess). The host is the one public
  // configurations name; Microsoft may publish a newer one, so --server overrides it.
  "m365-hve": {
    host: "smtp-hve.office365.com", port: 587, tls: "required", authMechs: ["LOGIN", "XOAUTH2"],
    recipientScope: "accepted-domains", summary: "Microsoft 365 High Volume Email (internal recipients)",
  },
  // Option 2: tenant MX endpoint, port 25, TLS optional, no AUTH, internal recipients only.
  "m365-direct-send": {
    host: "mx", port: 25, tls: "opportunistic", authMechs: [],
    recipientScope: "accepted-domains", summary: "Microsoft 365 Direct Send (Option 2)",
  },
  // Option 3: tenant MX endpoint, port 25, STARTTLS required (TLS 1.2), connector matches the
  // client certificate CN/SAN or the static IP; no AUTH.
  "m365-relay": {
    host: "mx", port: 25, tls: "required", authMechs: [],
    recipientScope: "any", summary: "Microsoft 365 SMTP relay through a connector (Option 3)",
  },
  generic: {
    host: "", port: 587, tls: "required", authMechs: ["XOAUTH2", "PLAIN", "LOGIN"],
    recipientScope: "any", summary: "any SMTP server (RFC 6409 submission by default)",
  },
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * The domain whose MX records name the tenant's endpoint (Direct Send, relay), as an ASCII
 * (IDNA), lower-case name without a trailing dot. The endpoint itself comes from DNS: tenants
 * publish <domain>.mail.protection.outlook.com or, with DNSSEC/DANE, a host under *.mx.microsoft,
 * so it is looked up (host/transport/mx.ts), never derived. --server overrides the lookup.
 */
export function mxDomain(domain: string, field = "--domain"): string {
  const d = domain.trim().replace(/\.$/, "");
  assertDomain(d, field, { smtpUtf8: true });
  const ascii = domainToASCII(d.toLowerCase());
  if (ascii === "") throw new ConfigError("DOMAIN_INVALID", field, `not a domain name: "${domain}" cannot be converted to an ASCII (xn--) name`);
  return ascii;
}

/** Defaults of `name` with `o` applied on top. Throws ConfigError naming the field at fault. */
export function resolvePreset(name: string, o: PresetOverrides = {}): SendProfile {
  if (!isPresetName(name)) {
    throw new ConfigError("PRESET_UNKNOWN", "--preset", `unknown preset "${name}"; choose one of ${PRESET_NAMES.join(", ")}`);
  }
  const d = PRESETS[name];
  if (o.from !== undefined) assertMailbox(o.from, "--from", { smtpUtf8: needsSmtpUtf8(o.from) });
  if (o.domain !== undefined) assertDomain(o.domain, "--domain", { smtpUtf8: true });
  const domain = o.domain ?? (o.from !== undefined ? domainOf(o.from) : undefined);

  let host = o.host;
  let mx: string | undefined;
  if (host === undefined || host === "") {
    if (d.host === "mx") {
      if (domain === undefined) throw new ConfigError("OPTION_INVALID", "--domain", `${name} needs the organisation's domain (--domain contoso.com) or a --from address to find the MX endpoint`);
      host = mx = mxDomain(domain, o.domain !== undefined ? "--domain" : "--from");
    } else if (d.host === "") {
      throw new ConfigError("OPTION_INVALID", "--host", "the generic preset needs the server name (--host mail.example.com)");
    } else {
      host = d.host;
    }
  } else if (!isIpHost(host)) {
    assertDomain(host, "--host", { smtpUtf8: false, requireDot: false });
  }
  const port = o.port ?? d.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError("OPTION_INVALID", "--port", `must be a TCP port 1–65535, got ${port}`);
  const accepted = (o.acceptedDomains ?? (domain !== undefined ? [domain] : [])).map((x, i) => {
    assertDomain(x, `--accepted-domain[${i}]`, { smtpUtf8: true });
    return x.toLowerCase();
  });
  return {
    preset: name,
    host,
    port,
    // Port 465 means implicit TLS unless the user said otherwise explicitly.
    tls: o.tls ?? (port === 465 ? "implicit" : d.tls),
    tlsMinVersion: o.tlsMinVersion ?? "TLSv1.2",
    authMechs: o.authMechs ?? [...d.authMechs],
    ...(o.clientCert ? { clientCert: o.clientCert } : {}),
    ...(mx ? { mx } : {}),
    recipientScope: d.recipientScope,
    acceptedDomains: accepted,
  };
}

/** True when `mailbox` is in one of the accepted domains (wildcards "*.contoso.com" match subdomains). */
export function isInternal(mailbox: string, acceptedDomains: readonly string[]): boolean {
  const dom = domainOf(mailbox);
  return acceptedDomains.some((a) => {
    const x = a.toLowerCase();
    return x.startsWith("*.") ? dom.endsWith(x.slice(1)) : dom === x;
  });
}
