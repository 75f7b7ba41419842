// One request per OAuth grant, built and checked by oauth4webapi (RFC 6749, RFC 8628); this file
// turns its results into TokenSets and its errors into OAuthErrors with plain words.
//
// The library's errors keep the response body as their `cause` (which can hold a token), so no
// library error object leaves this file: each one becomes a fresh OAuthError carrying only the
// server's error code and description.

import * as oauth from "oauth4webapi";
import type { Endpoints } from "./authority.js";
import { OAuthError, redact } from "./errors.js";
import type { DeviceCodePrompt, TokenSet } from "./types.js";

/** Per-request time limit; the identity platform answers in well under a second normally. */
const REQUEST_TIMEOUT_MS = 30_000;
/** RFC 6749 §5.1 makes expires_in only RECOMMENDED; assume a short life when it is missing. */
const DEFAULT_EXPIRES_IN_S = 600;

export interface GrantContext {
  endpoints: Endpoints;
  now(): number;
  /** Cancels the request (panel "Cancel", Ctrl-C). */
  signal?: AbortSignal;
  /** Test hook: a fetch of the caller's choosing. */
  fetch?: typeof fetch;
}

export interface DeviceAuthorization {
  /** Secret between device and server: never shown, never logged. */
  deviceCode: string;
  prompt: DeviceCodePrompt;
  /** Seconds between polls (RFC 8628 §3.2: default 5). */
  interval: number;
}

/** The outcome of one poll of the token endpoint (RFC 8628 §3.5). */
export type PollResult =
  | { kind: "token"; tokens: TokenSet }
  | { kind: "pending" }
  | { kind: "slow_down" };

function parts(ctx: GrantContext) {
  const e = ctx.endpoints;
  const as: oauth.AuthorizationServer = {
    issuer: e.issuer,
    device_authorization_endpoint: e.deviceAuthorizationEndpoint,
    token_endpoint: e.tokenEndpoint,
  };
  const client: oauth.Client = { client_id: e.clientId };
  const signal = ctx.signal
    ? AbortSignal.any([ctx.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const options = {
    signal,
    [oauth.allowInsecureRequests]: e.allowHttp,
    ...(ctx.fetch ? { [oauth.customFetch]: ctx.fetch } : {}),
  };
  return { as, client, options };
}

/** RFC 8628 §3.1–3.2: ask for a device code and the user code to show. */
export async function requestDeviceCode(ctx: GrantContext, scope: string): Promise<DeviceAuthorization> {
  const { as, client, options } = parts(ctx);
  try {
    const res = await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope }, options);
    const r = await oauth.processDeviceAuthorizationResponse(as, client, res);
    const message = typeof r.message === "string" ? r.message : undefined;
    return {
      deviceCode: r.device_code,
      interval: r.interval && r.interval > 0 ? r.interval : 5,
      prompt: {
        userCode: r.user_code,
        verificationUri: r.verification_uri,
        verificationUriComplete: r.verification_uri_complete,
        expiresIn: r.expires_in,
        message,
      },
    };
  } catch (e) {
    throw toOAuthError(e, "device authorization", ctx.signal);
  }
}

/** RFC 8628 §3.4: one poll. Pending and slow_down come back as results, not errors. */
export async function pollDeviceCode(ctx: GrantContext, deviceCode: string): Promise<PollResult> {
  const { as, client, options } = parts(ctx);
  try {
    const res = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), deviceCode, options);
    const r = await oauth.processDeviceCodeResponse(as, client, res);
    return { kind: "token", tokens: toTokenSet(r, ctx.now()) };
  } catch (e) {
    if (e instanceof oauth.ResponseBodyError) {
      if (e.error === "authorization_pending") return { kind: "pending" };
      if (e.error === "slow_down") return { kind: "slow_down" };
    }
    throw toOAuthError(e, "device sign-in", ctx.signal);
  }
}

/** RFC 6749 §6: a new access token (and, with Microsoft, a new refresh token) from a refresh token. */
export async function refreshTokens(ctx: GrantContext, refreshToken: string, scope: string): Promise<TokenSet> {
  const { as, client, options } = parts(ctx);
  try {
    const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
      ...options,
      additionalParameters: { scope },
    });
    const r = await oauth.processRefreshTokenResponse(as, client, res);
    const tokens = toTokenSet(r, ctx.now());
    // RFC 6749 §6: the server MAY keep the old refresh token; then it stays valid.
    tokens.refreshToken ??= refreshToken;
    return tokens;
  } catch (e) {
    throw toOAuthError(e, "token refresh", ctx.signal);
  }
}

/** RFC 6749 §4.4: app-only token with the app's own secret (client_secret_post). */
export async function clientCredentials(ctx: GrantContext, clientSecret: string, scope: string): Promise<TokenSet> {
  const { as, client, options } = parts(ctx);
  try {
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(clientSecret), { scope }, options);
    const r = await oauth.processClientCredentialsResponse(as, client, res);
    const tokens = toTokenSet(r, ctx.now());
    delete tokens.refreshToken; // §4.4.3: a refresh token SHOULD NOT be included; never keep one.
    return tokens;
  } catch (e) {
    throw toOAuthError(e, "app sign-in", ctx.signal);
  }
}

function toTokenSet(r: oauth.TokenEndpointResponse, now: number): TokenSet {
  const expiresIn = typeof r.expires_in === "number" && r.expires_in > 0 ? r.expires_in : DEFAULT_EXPIRES_IN_S;
  return {
    accessToken: r.access_token,
    expiresAt: now + expiresIn * 1000,
    ...(r.refresh_token ? { refreshToken: r.refresh_token } : {}),
    ...(typeof r.scope === "string" ? { scope: r.scope } : {}),
  };
}

/** Server error codes → our codes. Microsoft says authorization_declined where RFC 8628 says access_denied. */
function codeFor(error: string, what: string): OAuthError["code"] {
  switch (error) {
    case "access_denied":
    case "authorization_declined":
      return "OAUTH_ACCESS_DENIED";
    case "expired_token":
    case "code_expired":
      return "OAUTH_CODE_EXPIRED";
    case "invalid_grant":
      // On refresh: the refresh token was revoked or expired. On device polling Microsoft uses it
      // for a device code that is no longer valid.
      return what === "token refresh" ? "OAUTH_SIGN_IN_EXPIRED" : "OAUTH_CODE_EXPIRED";
    case "invalid_client":
    case "unauthorized_client":
    case "invalid_scope":
      return "OAUTH_CLIENT_INVALID";
    default:
      return "OAUTH_SERVER_ERROR";
  }
}

export function toOAuthError(e: unknown, what: string, signal?: AbortSignal): OAuthError {
  if (e instanceof OAuthError) return e;
  if (signal?.aborted) return new OAuthError("OAUTH_ABORTED", `${what} cancelled`);
  if (e instanceof oauth.ResponseBodyError) {
    // error_description is the server's own text (Microsoft: "AADSTS70000: …"); redact() anyway.
    const desc = e.error_description ? `: ${redact(e.error_description.split(/\r?\n/)[0] ?? "")}` : "";
    return new OAuthError(codeFor(e.error, what), `${what} failed: ${e.error} (HTTP ${e.status})${desc}`, e.error);
  }
  if (e instanceof oauth.OperationProcessingError || e instanceof oauth.UnsupportedOperationError) {
    return new OAuthError("OAUTH_PROTOCOL", `${what}: the identity server's answer broke the protocol (${e.message})`);
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    return new OAuthError("OAUTH_CLIENT_INVALID", `${what} failed: the identity server refused the client (HTTP ${e.status})`);
  }
  const name = e instanceof Error ? e.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return new OAuthError("OAUTH_NETWORK", `${what}: the identity server did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  }
  const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : "";
  const msg = e instanceof Error ? e.message : String(e);
  return new OAuthError("OAUTH_NETWORK", `${what}: cannot reach the identity server: ${redact(msg)}${redact(cause)}`);
}
