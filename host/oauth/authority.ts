// Where the identity platform lives: the device-authorization and token endpoints for a tenant.
// No discovery: the endpoints are built from the authority and the tenant (the Microsoft identity
// platform's v2.0 paths), or given outright, so a device needs no extra round trip and tests can
// point everything at a loopback server.

import { OAuthError } from "./errors.js";

/** Microsoft identity platform; `{tenant}` is a GUID, a verified domain, or `organizations`. */
export const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
/**
 * Delegated scope for SMTP AUTH client submission, plus offline_access so a refresh token comes
 * back (Microsoft: "Authenticate an IMAP, POP or SMTP connection using OAuth").
 */
export const DEFAULT_DELEGATED_SCOPE = "https://outlook.office.com/SMTP.Send offline_access";
/** App-only (client-credentials) scope for Exchange Online SMTP, same Microsoft document. */
export const DEFAULT_APP_SCOPE = "https://outlook.office365.com/.default";

export interface AuthorityOptions {
  /** Base URL; the tenant and `/oauth2/v2.0/…` are appended. Default: DEFAULT_AUTHORITY. */
  authority?: string;
  tenant: string;
  clientId: string;
  /** Overrides for servers whose paths differ from Microsoft's. */
  deviceAuthorizationEndpoint?: string;
  tokenEndpoint?: string;
}

export interface Endpoints {
  /** Identifies the server in the cache file (authority + tenant). */
  issuer: string;
  deviceAuthorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /** True only for http:// on a loopback address (test endpoints). */
  allowHttp: boolean;
}

// A tenant is a GUID, a DNS name, or one of Microsoft's keywords; nothing that could change the path.
const TENANT = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$/;
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,200}$/;

export function resolveEndpoints(o: AuthorityOptions): Endpoints {
  if (!TENANT.test(o.tenant)) {
    throw new OAuthError("OAUTH_PROTOCOL", `tenant "${o.tenant}" is not a tenant id, domain or keyword`);
  }
  if (!CLIENT_ID.test(o.clientId)) {
    throw new OAuthError("OAUTH_PROTOCOL", `client id "${o.clientId}" has characters a client id cannot have`);
  }
  const base = (o.authority ?? DEFAULT_AUTHORITY).replace(/\/+$/, "");
  const root = `${base}/${encodeURIComponent(o.tenant)}/oauth2/v2.0`;
  const device = checkUrl(o.deviceAuthorizationEndpoint ?? `${root}/devicecode`);
  const token = checkUrl(o.tokenEndpoint ?? `${root}/token`);
  return {
    issuer: `${base}/${o.tenant}`,
    deviceAuthorizationEndpoint: device.href,
    tokenEndpoint: token.href,
    clientId: o.clientId,
    allowHttp: device.protocol === "http:" || token.protocol === "http:",
  };
}

/** Loopback names and addresses (RFC 6761 §6.3 localhost; 127.0.0.0/8; ::1). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(?:\.\d{1,3}){3}$/.test(h);
}

function checkUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OAuthError("OAUTH_PROTOCOL", `"${text}" is not a URL`);
  }
  if (url.protocol === "https:") return url;
  // RFC 6749 §3.2 requires TLS at the token endpoint; plain http is allowed for loopback tests only.
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new OAuthError(
    "OAUTH_INSECURE_AUTHORITY",
    `${url.origin}: the identity endpoint must use https (http is accepted only on loopback)`,
  );
}
