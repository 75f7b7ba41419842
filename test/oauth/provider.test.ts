// Token providers: refresh before expiry, refresh-token rotation written to the cache,
// invalid_grant on refresh, invalidate(), single-flight refresh, client credentials; the cache
// file's mode and atomic replacement; authority checks.

import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import {
  ClientCredentialsTokenProvider,
  DelegatedTokenProvider,
  deviceLogin,
  OAuthError,
  redact,
  resolveEndpoints,
  TokenCache,
} from "../../host/oauth/index.js";
import { FakeClock, IdentityServer, type IdentityOptions } from "./identity-server.js";

let idp: IdentityServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await idp?.stop();
  idp = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A signed-in mailbox: device login done, cache written, provider loaded from the cache. */
async function signedIn(o: IdentityOptions = {}) {
  idp = new IdentityServer({ accessExpiresIn: 3600, ...o });
  await idp.start();
  const dir = await mkdtemp(join(tmpdir(), "mfp-oauth-"));
  dirs.push(dir);
  const cache = new TokenCache(dir);
  const clock = new FakeClock();
  await deviceLogin({ authority: idp.authority, tenant: idp.tenant, clientId: idp.clientId, account: idp.account, cache, clock, onPrompt: () => {} });
  const provider = await DelegatedTokenProvider.fromCache(idp.account, { cache, clock, skewMs: 300_000 });
  return { idp, cache, clock, provider, dir };
}

describe("DelegatedTokenProvider", () => {
  it("uses the cached access token while it is fresh, refreshes inside the skew, and stores the rotated refresh token", async () => {
    const s = await signedIn();
    const first = (await s.cache.get(s.idp.account))!;
    assert.equal(await s.provider.getAccessToken(), first.accessToken);
    assert.equal(s.idp.grants("refresh_token"), 0);

    s.clock.t += 3600_000 - 300_000 - 1; // 1 ms before the skew starts
    assert.equal(await s.provider.getAccessToken(), first.accessToken);
    assert.equal(s.idp.grants("refresh_token"), 0);

    s.clock.t += 2; // inside the 5-minute skew: refresh before expiry
    const second = await s.provider.getAccessToken();
    assert.notEqual(second, first.accessToken);
    assert.ok(s.idp.isValidAccessToken(second, s.idp.account));
    assert.equal(s.idp.grants("refresh_token"), 1);
    const after = (await s.cache.get(s.idp.account))!;
    assert.notEqual(after.refreshToken, first.refreshToken, "rotated refresh token must be stored");
    assert.equal(after.accessToken, second);
    assert.equal(after.expiresAt, s.clock.t + 3600_000);
    // the refresh asked for the same scope as the sign-in
    assert.equal(s.idp.requests.at(-1)!.scope, "https://outlook.office.com/SMTP.Send offline_access");

    // a new process picks up the rotated token and does not refresh again
    const again = await DelegatedTokenProvider.fromCache(s.idp.account, { cache: s.cache, clock: s.clock });
    assert.equal(await again.getAccessToken(), second);
    assert.equal(s.idp.grants("refresh_token"), 1);
  });

  it("invalidate() makes the next call refresh even though the token has not expired", async () => {
    const s = await signedIn();
    const t1 = await s.provider.getAccessToken();
    s.idp.expireAllAccessTokens();
    assert.equal(s.idp.isValidAccessToken(t1, s.idp.account), false);
    s.provider.invalidate();
    const t2 = await s.provider.getAccessToken();
    assert.notEqual(t2, t1);
    assert.ok(s.idp.isValidAccessToken(t2, s.idp.account));
    assert.equal(s.idp.grants("refresh_token"), 1);
  });

  it("concurrent callers share one refresh", async () => {
    const s = await signedIn();
    s.provider.invalidate();
    const tokens = await Promise.all([s.provider.getAccessToken(), s.provider.getAccessToken(), s.provider.getAccessToken()]);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(s.idp.grants("refresh_token"), 1);
  });

  it("invalid_grant on refresh reports 'sign in again' and forgets the dead refresh token", async () => {
    const s = await signedIn();
    s.idp.refreshRevoked = true;
    s.provider.invalidate();
    const err = await s.provider.getAccessToken().catch((e: unknown) => e);
    assert.ok(err instanceof OAuthError);
    assert.equal(err.code, "OAUTH_SIGN_IN_EXPIRED");
    assert.equal(err.serverError, "invalid_grant");
    assert.equal(err.panelMessage, "The sign-in has expired; sign in again on the device.");
    assert.equal(err.transient, false);
    assert.match(err.message, /token refresh failed: invalid_grant \(HTTP 400\)/);
    for (const t of s.idp.issued) assert.ok(!err.message.includes(t));
    assert.equal(await s.cache.get(s.idp.account), undefined);
    const next = await DelegatedTokenProvider.fromCache(s.idp.account, { cache: s.cache }).catch((e: unknown) => e);
    assert.ok(next instanceof OAuthError && next.code === "OAUTH_NOT_SIGNED_IN");
  });

  it("a second process holding an old refresh token picks up the other's refresh from the cache instead of spending a dead token", async () => {
    const s = await signedIn();
    const other = await DelegatedTokenProvider.fromCache(s.idp.account, { cache: s.cache, clock: s.clock });
    const old = await other.getAccessToken();
    s.provider.invalidate();
    const fresh = await s.provider.getAccessToken(); // rotates the refresh token and writes the cache
    assert.equal(s.idp.grants("refresh_token"), 1);
    other.invalidate(); // the server refused `old` in the other process too
    assert.equal(await other.getAccessToken(), fresh, "the other process reuses the new token from the cache");
    assert.notEqual(fresh, old);
    assert.equal(s.idp.grants("refresh_token"), 1, "no refresh with the rotated-away token");
    // once that token is refused as well, the other process refreshes with the live refresh token
    other.invalidate();
    const third = await other.getAccessToken();
    assert.notEqual(third, fresh);
    assert.equal(s.idp.grants("refresh_token"), 2);
    assert.equal(s.idp.requests.filter((r) => r.error === "invalid_grant").length, 0);
  });
});

describe("ClientCredentialsTokenProvider", () => {
  it("gets an app-only token with the secret in the form body and the .default scope, and refreshes it before expiry", async () => {
    idp = new IdentityServer({ clientSecret: "s3cret-value-for-test", accessExpiresIn: 3600 });
    await idp.start();
    const clock = new FakeClock();
    const p = new ClientCredentialsTokenProvider({ authority: idp.authority, tenant: idp.tenant, clientId: idp.clientId, clientSecret: "s3cret-value-for-test", clock });
    const t1 = await p.getAccessToken();
    assert.ok(idp.isValidAccessToken(t1, idp.account));
    const req = idp.requests.at(-1)!;
    assert.equal(req.grantType, "client_credentials");
    assert.equal(req.scope, "https://outlook.office365.com/.default");
    assert.deepEqual(req.fields, ["client_id", "client_secret", "grant_type", "scope"]);
    assert.equal(await p.getAccessToken(), t1);
    clock.t += 3600_000 - 60_000;
    assert.notEqual(await p.getAccessToken(), t1);
    assert.equal(idp.grants("client_credentials"), 2);
  });

  it("a wrong secret is an app registration problem, and the secret is not in the message", async () => {
    idp = new IdentityServer({ clientSecret: "right" });
    await idp.start();
    const p = new ClientCredentialsTokenProvider({ authority: idp.authority, tenant: idp.tenant, clientId: idp.clientId, clientSecret: "wrong-secret-xyz" });
    const err = await p.getAccessToken().catch((e: unknown) => e);
    assert.ok(err instanceof OAuthError);
    assert.equal(err.code, "OAUTH_CLIENT_INVALID");
    assert.ok(!err.message.includes("wrong-secret-xyz"));
  });
});

describe("token cache", () => {
  it("is replaced atomically (no temporary files left), stays 0600, and tightens a loosened mode on read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mfp-oauth-"));
    dirs.push(dir);
    const cache = new TokenCache(join(dir, "store"));
    const entry = { account: "a@x.example", authority: "https://login.microsoftonline.com", tenant: "x.example", clientId: "c", scope: "s", refreshToken: "rt-1", updatedAt: 1 };
    const oldMask = process.umask(0o000); // even with a permissive umask the file must be 0600
    try {
      await cache.put(entry);
      await cache.put({ ...entry, refreshToken: "rt-2" });
      await cache.put({ ...entry, account: "b@x.example", refreshToken: "rt-3" });
    } finally {
      process.umask(oldMask);
    }
    assert.deepEqual(await readdir(cache.dir), ["oauth-tokens.json"]);
    assert.equal((await stat(cache.path)).mode & 0o777, 0o600);
    assert.equal((await cache.get("A@X.EXAMPLE"))!.refreshToken, "rt-2");
    assert.equal((await cache.list()).length, 2);
    await chmod(cache.path, 0o644);
    await cache.get("a@x.example");
    assert.equal((await stat(cache.path)).mode & 0o777, 0o600);
    assert.equal(await cache.remove("a@x.example"), true);
    assert.equal(await cache.get("a@x.example"), undefined);
    assert.match(await readFile(cache.path, "utf8"), /rt-3/);
  });

  it("a damaged cache file is reported with the way out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mfp-oauth-"));
    dirs.push(dir);
    const cache = new TokenCache(dir);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(cache.path, "{not json", { mode: 0o600 });
    const err = await cache.get("a@x.example").catch((e: unknown) => e);
    assert.ok(err instanceof OAuthError && err.code === "OAUTH_CACHE");
    assert.match(err.message, /sign in again \(mfp-mail login\)/);
  });
});

describe("token cache lock", () => {
  it("breaks a lock left by a process that is gone, waits for a live one, and always releases", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mfp-oauth-"));
    dirs.push(dir);
    const cache = new TokenCache(dir);
    const lock = join(dir, ".oauth-tokens.lock");
    const { writeFile } = await import("node:fs/promises");
    // a pid that cannot exist (above Linux's pid_max) stands for a crashed process
    await writeFile(lock, "999999999");
    assert.equal(await cache.withLock(async () => "ran"), "ran");
    await assert.rejects(stat(lock), "released after use");

    // held by a live process (this one): waits in clock steps, then gives up with OAUTH_CACHE
    await writeFile(lock, String(process.pid));
    const sleeps: number[] = [];
    const err = await cache.withLock(async () => "ran", { sleep: async (ms) => void sleeps.push(ms), timeoutMs: 500 }).catch((e: unknown) => e);
    assert.ok(err instanceof OAuthError && err.code === "OAUTH_CACHE", String(err));
    assert.deepEqual(sleeps, [100, 100, 100, 100]);

    // released by its owner while we wait: we get it
    let n = 0;
    const got = await cache.withLock(async () => "ran", { sleep: async () => { if (++n === 2) await rm(lock); } });
    assert.equal(got, "ran");
    assert.equal(n, 2);

    // released even when fn throws
    await assert.rejects(cache.withLock(async () => { throw new Error("boom"); }), /boom/);
    await assert.rejects(stat(lock));
  });
});

describe("authority", () => {
  it("builds Microsoft's v2.0 endpoints from the tenant by default", () => {
    const e = resolveEndpoints({ tenant: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555" });
    assert.equal(e.deviceAuthorizationEndpoint, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode");
    assert.equal(e.tokenEndpoint, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    assert.equal(e.allowHttp, false);
  });

  it("refuses plain http except on loopback, and tenants that would change the path", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as OAuthError).code;
      }
      return "none";
    };
    assert.equal(code(() => resolveEndpoints({ authority: "http://login.example.com", tenant: "t", clientId: "c" })), "OAUTH_INSECURE_AUTHORITY");
    assert.equal(code(() => resolveEndpoints({ authority: "http://10.0.0.5", tenant: "t", clientId: "c" })), "OAUTH_INSECURE_AUTHORITY");
    assert.equal(resolveEndpoints({ authority: "http://127.0.0.1:8080", tenant: "t", clientId: "c" }).allowHttp, true);
    assert.equal(resolveEndpoints({ authority: "http://[::1]:8080", tenant: "t", clientId: "c" }).allowHttp, true);
    assert.equal(code(() => resolveEndpoints({ tenant: "../evil", clientId: "c" })), "OAUTH_PROTOCOL");
    assert.equal(code(() => resolveEndpoints({ tenant: "t/x", clientId: "c" })), "OAUTH_PROTOCOL");
  });

  it("redact() removes token-shaped text", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const out = redact(`access_token=abc123&refresh_token=zzz Bearer ${jwt} ${"A".repeat(60)} {"refresh_token":"q"}`);
    assert.ok(!out.includes("abc123") && !out.includes("zzz") && !out.includes(jwt) && !out.includes("A".repeat(60)) && !out.includes('"q"'));
  });
});

describe("refresh when the identity platform is unreachable", () => {
  it("is OAUTH_NETWORK, transient, and keeps the cached sign-in", async () => {
    const s = await signedIn();
    const port = new URL(s.idp.authority).port;
    await s.idp.stop();
    idp = undefined;
    s.provider.invalidate();
    const err = await s.provider.getAccessToken().catch((e: unknown) => e);
    assert.ok(err instanceof OAuthError, String(err));
    assert.equal(err.code, "OAUTH_NETWORK");
    assert.equal(err.transient, true);
    assert.match(err.message, new RegExp(`token refresh: cannot reach the identity server`));
    assert.ok(port);
    assert.ok(await s.cache.get(s.idp.account), "a network failure must not forget the sign-in");
  });
});
