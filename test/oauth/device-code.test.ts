// Device-code sign-in (RFC 8628) against a loopback identity endpoint, with an injected clock:
// the polling rules are checked by the sleeps the flow asked for, not by waiting.

import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { deviceLogin, OAuthError, resolveEndpoints, signInWithDeviceCode, TokenCache, type DeviceCodePrompt } from "../../host/oauth/index.js";
import { FakeClock, IdentityServer, type IdentityOptions } from "./identity-server.js";

const SCOPE = "https://outlook.office.com/SMTP.Send offline_access";
let idp: IdentityServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await idp?.stop();
  idp = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(o: IdentityOptions) {
  idp = new IdentityServer(o);
  await idp.start();
  const endpoints = resolveEndpoints({ authority: idp.authority, tenant: idp.tenant, clientId: idp.clientId });
  return { idp, endpoints, clock: new FakeClock() };
}

async function signIn(o: IdentityOptions) {
  const s = await start(o);
  const prompts: DeviceCodePrompt[] = [];
  const polls: string[] = [];
  const result = signInWithDeviceCode({
    endpoints: s.endpoints,
    scope: SCOPE,
    clock: s.clock,
    onPrompt: (p) => prompts.push(p),
    onPoll: (e) => polls.push(`${e.outcome}@${e.intervalSeconds}`),
  });
  return { ...s, result, prompts, polls };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OAuthError, `expected OAuthError, got ${String(e)}`);
    return e.code;
  }
  assert.fail("expected the sign-in to fail");
};

describe("device-code sign-in", () => {
  it("shows the code, polls through authorization_pending ×3 at the server's interval, then gets tokens", async () => {
    const s = await signIn({ interval: 5, polls: ["authorization_pending", "authorization_pending", "authorization_pending", "ok"] });
    const tokens = await s.result;
    assert.equal(s.prompts.length, 1);
    assert.equal(s.prompts[0]!.userCode, s.idp.userCode);
    assert.equal(s.prompts[0]!.verificationUri, `${s.idp.authority}/devicelogin`);
    assert.equal(s.prompts[0]!.expiresIn, 900);
    assert.match(s.prompts[0]!.message ?? "", /enter the code BXQK-7RTM/);
    // §3.4: one wait of `interval` before every poll, the first included.
    assert.deepEqual(s.clock.sleeps, [5000, 5000, 5000, 5000]);
    assert.deepEqual(s.polls, ["pending@5", "pending@5", "pending@5"]);
    assert.equal(s.idp.grants("urn:ietf:params:oauth:grant-type:device_code"), 4);
    assert.ok(s.idp.issued.includes(tokens.accessToken));
    assert.ok(tokens.refreshToken && s.idp.issued.includes(tokens.refreshToken));
    assert.equal(tokens.expiresAt, s.clock.t + 3600_000);
    // the device authorization request carried the client and the SMTP scope (public client: no secret)
    const dev = s.idp.requests.find((r) => r.path.endsWith("/devicecode"))!;
    assert.equal(dev.scope, SCOPE);
    assert.deepEqual(dev.fields, ["client_id", "scope"]);
  });

  it("slow_down adds 5 s to the interval for this and every later poll (RFC 8628 §3.5)", async () => {
    const s = await signIn({ interval: 5, polls: ["slow_down", "authorization_pending", "slow_down", "authorization_pending", "ok"] });
    await s.result;
    assert.deepEqual(s.clock.sleeps, [5000, 10000, 10000, 15000, 15000]);
    assert.deepEqual(s.polls, ["slow_down@10", "pending@10", "slow_down@15", "pending@15"]);
  });

  it("uses 5 s when the server gives no interval (RFC 8628 §3.2)", async () => {
    const s = await signIn({ omitInterval: true, polls: ["authorization_pending", "ok"] });
    await s.result;
    assert.deepEqual(s.clock.sleeps, [5000, 5000]);
  });

  it("expired_token from the server ends the sign-in with OAUTH_CODE_EXPIRED", async () => {
    const s = await signIn({ polls: ["authorization_pending", "expired_token"] });
    assert.equal(await codeOf(s.result), "OAUTH_CODE_EXPIRED");
    assert.equal(s.idp.grants("urn:ietf:params:oauth:grant-type:device_code"), 2);
  });

  it("stops polling on its own when the code's lifetime runs out", async () => {
    const s = await signIn({ interval: 5, deviceExpiresIn: 12, polls: ["authorization_pending"] });
    assert.equal(await codeOf(s.result), "OAUTH_CODE_EXPIRED");
    // polls at 5 s and 10 s; the third wait reaches 15 s > 12 s and no request is sent
    assert.equal(s.idp.grants("urn:ietf:params:oauth:grant-type:device_code"), 2);
  });

  it("access_denied (RFC 8628) and authorization_declined (Microsoft) end with OAUTH_ACCESS_DENIED", async () => {
    for (const answer of ["access_denied", "authorization_declined"] as const) {
      const s = await signIn({ polls: ["authorization_pending", answer] });
      const err = await s.result.catch((e: unknown) => e);
      assert.ok(err instanceof OAuthError);
      assert.equal(err.code, "OAUTH_ACCESS_DENIED");
      assert.equal(err.serverError, answer);
      assert.equal(err.panelMessage, "Sign-in was declined; try again on the device.");
      await idp!.stop();
      idp = undefined;
    }
  });

  it("backs off by doubling the interval when the identity server cannot be reached (RFC 8628 §3.5)", async () => {
    const s = await start({ interval: 5, polls: ["ok"] });
    let failures = 2;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith("/token") && failures-- > 0) throw new TypeError("fetch failed");
      return fetch(input, init);
    };
    const polls: string[] = [];
    await signInWithDeviceCode({ endpoints: s.endpoints, scope: SCOPE, clock: s.clock, fetch: flaky, onPrompt: () => {}, onPoll: (e) => polls.push(`${e.outcome}@${e.intervalSeconds}`) });
    assert.deepEqual(s.clock.sleeps, [5000, 10000, 20000]);
    assert.deepEqual(polls, ["network_error@10", "network_error@20"]);
  });

  it("an unknown client is reported as an app registration problem", async () => {
    const s = await start({ clientId: "registered-client" });
    const endpoints = resolveEndpoints({ authority: s.idp.authority, tenant: s.idp.tenant, clientId: "someone-else" });
    const p = signInWithDeviceCode({ endpoints, scope: SCOPE, clock: s.clock, onPrompt: () => assert.fail("no prompt") });
    assert.equal(await codeOf(p), "OAUTH_CLIENT_INVALID");
  });

  it("cancelling during the wait ends the sign-in with OAUTH_ABORTED", async () => {
    const s = await start({ polls: ["authorization_pending"] });
    const ac = new AbortController();
    const p = signInWithDeviceCode({ endpoints: s.endpoints, scope: SCOPE, clock: s.clock, signal: ac.signal, onPrompt: () => ac.abort() });
    assert.equal(await codeOf(p), "OAUTH_ABORTED");
    assert.equal(s.idp.grants("urn:ietf:params:oauth:grant-type:device_code"), 0);
  });

  it("deviceLogin stores the refresh token in a 0600 cache file in a 0700 directory", async () => {
    const s = await start({ polls: ["authorization_pending", "ok"] });
    const dir = await mkdtemp(join(tmpdir(), "mfp-oauth-"));
    dirs.push(dir);
    const storage = join(dir, "outbox");
    const cache = new TokenCache(storage);
    const out = await deviceLogin({
      authority: s.idp.authority, tenant: s.idp.tenant, clientId: s.idp.clientId, account: s.idp.account,
      cache, clock: s.clock, onPrompt: () => {},
    });
    assert.equal(out.cachePath, join(storage, "oauth-tokens.json"));
    assert.equal((await stat(out.cachePath)).mode & 0o777, 0o600);
    assert.equal((await stat(storage)).mode & 0o777, 0o700);
    const entry = await cache.get(s.idp.account.toUpperCase());
    assert.ok(entry);
    assert.equal(entry.tenant, s.idp.tenant);
    assert.equal(entry.authority, s.idp.authority);
    assert.ok(s.idp.issued.includes(entry.refreshToken));
    // the returned summary has no token in it
    for (const t of s.idp.issued) assert.ok(!JSON.stringify(out).includes(t));
  });
});
