// The shapes the OAuth part of the host shares with the session, the CLI and the panel.
// Nothing here performs I/O.

/**
 * What the session needs when AUTH XOAUTH2 is selected. The session calls getAccessToken() before
 * AUTH; when the server rejects the token (535 5.7.3, or a 334 JSON error challenge) it calls
 * invalidate(), then getAccessToken() once more (which refreshes) and retries AUTH once.
 */
export interface TokenProvider {
  /** The mailbox the token is for (the XOAUTH2 `user=`), or the app id for app-only setups. */
  readonly account: string;
  /** A token valid for at least the provider's skew; refreshes when close to expiry. */
  getAccessToken(): Promise<string>;
  /** Forget the current access token: the next getAccessToken() fetches a new one. */
  invalidate(): void;
}

/** A token the provider holds. Never logged: see redact() in errors.ts. */
export interface TokenSet {
  accessToken: string;
  /** Milliseconds since the epoch (from the injected clock) when the token stops being valid. */
  expiresAt: number;
  /** Present for delegated (device-code) sign-ins with offline_access; rotated on each refresh. */
  refreshToken?: string;
  /** The scopes the server granted (space-separated), when it said. */
  scope?: string;
}

/** What the device shows the admin (RFC 8628 §3.3: user interaction). */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** RFC 8628 §3.3.1: a URI that already carries the code (for a QR code on the panel). */
  verificationUriComplete?: string;
  /** Seconds until the code expires. */
  expiresIn: number;
  /** The server's own sentence (Microsoft sends one), if any. */
  message?: string;
}
