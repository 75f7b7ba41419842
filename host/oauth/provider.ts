// TokenProviders the session uses for AUTH XOAUTH2:
// - DelegatedTokenProvider: a mailbox signed in once with the device code; keeps the access token
//   fresh with the refresh token from the cache and writes each rotated refresh token back.
// - ClientCredentialsTokenProvider: app-only setups (RFC 6749 §4.4), no refresh token, no cache.
// Both refresh `skewMs` before the expiry the server gave, and run at most one refresh at a time.

import { DEFAULT_APP_SCOPE, DEFAULT_AUTHORITY, DEFAULT_DELEGATED_SCOPE, resolveEndpoints, type AuthorityOptions, type Endpoints } from "./authority.js";
import { TokenCache, type CacheEntry } from "./cache.js";
import { signInWithDeviceCode } from "./device-code.js";
import { OAuthError } from "./errors.js";
import { clientCredentials, refreshTokens } from "./grants.js";
import { type DeviceCodePrompt, type TokenProvider, type TokenSet } from "./types.js";
import { systemClock, type Clock } from "../base/clock.js";

/**
 * Refresh this long before expiry. Exchange Online refuses a token close to its expiry
 * (501 5.5.127) and asks clients to renew at least 10 minutes ahead; 15 leaves room for a slow
 * device clock, and the token cannot expire between AUTH and the last BDAT.
 */
export const DEFAULT_SKEW_MS = 15 * 60_000;

interface Common {
  clock?: Clock;
  skewMs?: number;
  fetch?: typeof fetch;
}

/** Runs a refresh once for every caller waiting at the same time. */
abstract class RefreshingProvider implements TokenProvider {
  protected current: TokenSet | undefined;
  protected rejected: string | undefined;
  private inflight: Promise<TokenSet> | undefined;
  protected readonly clock: Clock;
  protected readonly skewMs: number;
  /** How many tokens this provider fetched from the server (tests, diagnostics). */
  fetched = 0;

  constructor(readonly account: string, o: Common) {
    this.clock = o.clock ?? systemClock;
    this.skewMs = o.skewMs ?? DEFAULT_SKEW_MS;
  }

  async getAccessToken(): Promise<string> {
    const t = this.current;
    if (t && this.clock.now() + this.skewMs < t.expiresAt) return t.accessToken;
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = undefined));
    const fresh = await this.inflight;
    return fresh.accessToken;
  }

  invalidate(): void {
    // Remember what the server refused, so a copy of it in the shared cache is not reused.
    if (this.current) this.rejected = this.current.accessToken;
    this.current = undefined;
  }

  /** Milliseconds until the held token needs a refresh (≤ 0: now); undefined when none is held. */
  get refreshDueIn(): number | undefined {
    return this.current ? this.current.expiresAt - this.skewMs - this.clock.now() : undefined;
  }

  protected abstract fetchToken(): Promise<TokenSet>;
}

export interface DelegatedOptions extends Common {
  cache: TokenCache;
}

export class DelegatedTokenProvider extends RefreshingProvider {
  private constructor(
    private entry: CacheEntry,
    private readonly endpoints: Endpoints,
    private readonly o: DelegatedOptions,
  ) {
    super(entry.account, o);
    if (entry.accessToken && entry.expiresAt) this.current = { accessToken: entry.accessToken, expiresAt: entry.expiresAt };
  }

  /** The provider for a mailbox signed in earlier with `mfp-mail login`. */
  static async fromCache(account: string, o: DelegatedOptions & { clientId?: string }): Promise<DelegatedTokenProvider> {
    const entry = await o.cache.get(account, o.clientId);
    if (!entry) {
      throw new OAuthError("OAUTH_NOT_SIGNED_IN", `${account} is not signed in on this device: run mfp-mail login`);
    }
    const endpoints = resolveEndpoints({ authority: entry.authority, tenant: entry.tenant, clientId: entry.clientId });
    return new DelegatedTokenProvider(entry, endpoints, o);
  }

  protected async fetchToken(): Promise<TokenSet> {
    return this.o.cache.withLock(() => this.refreshLocked(), { sleep: (ms) => this.clock.sleep(ms) });
  }

  private async refreshLocked(): Promise<TokenSet> {
    // Another process may have refreshed while we waited for the lock: its refresh token is the
    // live one now (Microsoft rotates them), and its access token may serve us as well.
    const latest = await this.o.cache.get(this.entry.account, this.entry.clientId);
    if (!latest) {
      throw new OAuthError("OAUTH_NOT_SIGNED_IN", `${this.entry.account} is no longer signed in on this device: run mfp-mail login`);
    }
    this.entry = latest;
    if (
      latest.accessToken && latest.expiresAt &&
      latest.accessToken !== this.rejected &&
      this.clock.now() + this.skewMs < latest.expiresAt
    ) {
      this.current = { accessToken: latest.accessToken, expiresAt: latest.expiresAt };
      return this.current;
    }
    const ctx = { endpoints: this.endpoints, now: this.clock.now, fetch: this.o.fetch };
    let tokens: TokenSet;
    try {
      tokens = await refreshTokens(ctx, this.entry.refreshToken, this.entry.scope);
    } catch (e) {
      // RFC 6749 §5.2 invalid_grant: the refresh token is dead (revoked, expired, password
      // changed). Drop it so the device shows "sign in again" rather than retrying forever.
      if (e instanceof OAuthError && e.code === "OAUTH_SIGN_IN_EXPIRED") {
        await this.o.cache.remove(this.entry.account, this.entry.clientId).catch(() => undefined);
      }
      throw e;
    }
    this.fetched++;
    this.current = tokens;
    this.entry = {
      ...this.entry,
      refreshToken: tokens.refreshToken ?? this.entry.refreshToken,
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      updatedAt: this.clock.now(),
    };
    // Microsoft rotates refresh tokens: the new one must reach the disk before we rely on it.
    await this.o.cache.put(this.entry);
    return tokens;
  }
}

export interface ClientCredentialsOptions extends Common, AuthorityOptions {
  /** From an environment variable or a 0600 file, never from the command line. */
  clientSecret: string;
  scope?: string;
}

export class ClientCredentialsTokenProvider extends RefreshingProvider {
  private readonly endpoints: Endpoints;
  constructor(private readonly o: ClientCredentialsOptions) {
    super(o.clientId, o);
    this.endpoints = resolveEndpoints(o);
  }

  protected async fetchToken(): Promise<TokenSet> {
    const ctx = { endpoints: this.endpoints, now: this.clock.now, fetch: this.o.fetch };
    const tokens = await clientCredentials(ctx, this.o.clientSecret, this.o.scope ?? DEFAULT_APP_SCOPE);
    this.fetched++;
    this.current = tokens;
    return tokens;
  }
}

export interface DeviceLoginOptions extends Common, AuthorityOptions {
  account: string;
  cache: TokenCache;
  scope?: string;
  onPrompt(prompt: DeviceCodePrompt): void;
  onPoll?: Parameters<typeof signInWithDeviceCode>[0]["onPoll"];
  signal?: AbortSignal;
}

/**
 * `mfp-mail login`: run the device-code flow and store the result in the cache. Returns what a
 * caller may show (never the tokens themselves).
 */
export async function deviceLogin(o: DeviceLoginOptions): Promise<{ account: string; expiresAt: number; scope?: string; cachePath: string }> {
  const endpoints = resolveEndpoints(o);
  const scope = o.scope ?? DEFAULT_DELEGATED_SCOPE;
  const clock = o.clock ?? systemClock;
  const tokens = await signInWithDeviceCode({
    endpoints,
    scope,
    clock,
    onPrompt: o.onPrompt,
    onPoll: o.onPoll,
    signal: o.signal,
    fetch: o.fetch,
  });
  if (!tokens.refreshToken) {
    // Without offline_access there is nothing to keep: the device would need a sign-in per hour.
    throw new OAuthError("OAUTH_PROTOCOL", "the identity server returned no refresh token: the scope must include offline_access");
  }
  await o.cache.put({
    account: o.account,
    authority: (o.authority ?? DEFAULT_AUTHORITY).replace(/\/+$/, ""),
    tenant: o.tenant,
    clientId: o.clientId,
    scope,
    refreshToken: tokens.refreshToken,
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    updatedAt: clock.now(),
  });
  return { account: o.account, expiresAt: tokens.expiresAt, scope: tokens.scope, cachePath: o.cache.path };
}

/**
 * For `mfp-mail send --auth xoauth2`: the provider for a mailbox signed in on this device, from
 * the token cache in the outbox storage directory. Throws OAUTH_NOT_SIGNED_IN when there is none.
 */
export function cachedTokenProvider(storageDir: string, account: string, o: Common & { clientId?: string } = {}): Promise<DelegatedTokenProvider> {
  return DelegatedTokenProvider.fromCache(account, { ...o, cache: new TokenCache(storageDir) });
}
