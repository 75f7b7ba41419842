// OAuth errors a person can act on: a stable code and plain words for the CLI and the panel.
// Messages carry the server's error code and description, never a token, a device code or a
// request body.
import { hasText, say } from "../text/outcomes.js";

export type OAuthErrorCode =
  | "OAUTH_ACCESS_DENIED"       // the admin declined the sign-in (RFC 8628 §3.5 access_denied)
  | "OAUTH_CODE_EXPIRED"        // the device code expired before anyone signed in (§3.5 expired_token)
  | "OAUTH_SIGN_IN_EXPIRED"     // the refresh token was rejected (RFC 6749 §5.2 invalid_grant)
  | "OAUTH_NOT_SIGNED_IN"       // no cached sign-in for this account
  | "OAUTH_CLIENT_INVALID"      // invalid_client / unauthorized_client: app registration problem
  | "OAUTH_SERVER_ERROR"        // any other error response from the identity platform
  | "OAUTH_PROTOCOL"            // a response that breaks the protocol (missing fields, not JSON)
  | "OAUTH_NETWORK"             // the identity platform could not be reached
  | "OAUTH_INSECURE_AUTHORITY"  // http:// authority that is not loopback
  | "OAUTH_CACHE"               // the token cache file cannot be read or written
  | "OAUTH_ABORTED";            // the caller cancelled (panel "Cancel", Ctrl-C)


export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    /** The server's `error` value when the error came from an error response. */
    readonly serverError?: string,
  ) {
    super(message);
    this.name = "OAuthError";
  }
  /**
   * Worth retrying later without anyone acting (the outbox's retry/backoff): the identity platform
   * was unreachable or answered with a server error. Everything else needs a person.
   */
  get transient(): boolean {
    return this.code === "OAUTH_NETWORK" || (this.code === "OAUTH_SERVER_ERROR" && (this.serverError === "temporarily_unavailable" || this.serverError === "server_error"));
  }
  /** One sentence for the device panel, from the outcome-text catalogue (keyed by the code). */
  get panelMessage(): string {
    return say(hasText(this.code) ? this.code : "OAUTH_FAILED");
  }
}

/**
 * Remove anything token-like from text before it is logged: JWT-shaped strings, long base64url
 * runs, and `*_token=`/`"…token": "…"` values. A last line of defence; the code never logs tokens
 * on purpose.
 */
export function redact(text: string): string {
  return text
    .replace(/("?(?:access_token|refresh_token|id_token|device_code|client_secret|assertion)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, "$1[redacted]")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted-jwt]")
    .replace(/[A-Za-z0-9_\-.~+/]{40,}={0,2}/g, "[redacted]");
}
