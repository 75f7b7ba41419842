// End to end through the real CLI, as child processes: `mfp-mail login` (device code against the
// loopback identity endpoint) → `mfp-mail send --auth xoauth2` (wasm core, STARTTLS, XOAUTH2) to
// an smtp-server that validates the bearer token with the identity endpoint → delivered. Then the
// server stops accepting that token → the session sees the rejection, the provider refreshes,
// AUTH is retried once → delivered. No token may appear in any output, any file written (other
// than the 0600 cache) or any process's arguments while the CLI runs.

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { IdentityServer } from "./identity-server.js";
import { runCli, filesUnder, startBearerLab, type Auth, type BearerLab, type Delivered, type Run } from "./cli-lab.js";

const USER = "scanner@contoso.example";

describe("XOAUTH2 end to end: device-code sign-in, send, server-side expiry, refresh, send", () => {
  let idp: IdentityServer;
  let lab: BearerLab;
  let port = 0;
  let dir = "";
  let boardFile = "";
  let caFile = "";
  let auths: Auth[] = [];
  let delivered: Delivered[] = [];
  const runs: Run[] = [];

  before(async () => {
    // interval 1 s: the child process runs on the real clock; one poll after one second.
    idp = new IdentityServer({ interval: 1, polls: ["ok"] });
    idp.account = USER;
    await idp.start();
    lab = await startBearerLab(idp, "oauth-e2e", "https://outlook.office.com/SMTP.Send");
    ({ port, dir, caFile, boardFile, auths, delivered } = lab);
  });

  after(async () => {
    await lab.close();
    await idp.stop();
  });

  const send = (subject: string) =>
    runCli([
      "send", "--board", boardFile, "--server", "127.0.0.1", "--port", String(port), "--tls", "starttls", "--require-tls",
      "--ca", caFile, "--auth", "xoauth2", "--user", USER, "--from", USER, "--to", "accounting@contoso.example",
      "--subject", subject, "--body", "Scanned document attached.",
    ]);

  it("login: the device-code sign-in caches the token (0600)", async () => {
    const r = await runCli(["login", "--preset", "m365-submission", "--board", boardFile, "--tenant", idp.tenant, "--client-id", idp.clientId, "--user", USER, "--authority", idp.authority]);
    runs.push(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /and enter the code BXQK-7RTM/);
    assert.match(r.stdout, /Signed in as scanner@contoso\.example\./);
    assert.equal(idp.grants("urn:ietf:params:oauth:grant-type:device_code"), 1);
    assert.equal((await stat(join(dir, "outbox", "oauth-tokens.json"))).mode & 0o777, 0o600);
  });

  it("send --auth xoauth2: the cached token is accepted and the message delivered, one AUTH", async () => {
    const r = await send("Scan 0001");
    runs.push(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(auths, [{ user: USER, ok: true }]);
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.subject, "Scan 0001");
    assert.equal(delivered[0]!.from, USER);
    assert.deepEqual(delivered[0]!.to, ["accounting@contoso.example"]);
    assert.equal(idp.grants("refresh_token"), 0, "a fresh token needs no refresh");
  });

  it("after the server stops accepting the token: rejected, refreshed once, AUTH retried once, delivered", async () => {
    const cacheBefore = JSON.parse(await readFile(join(dir, "outbox", "oauth-tokens.json"), "utf8"));
    idp.expireAllAccessTokens();
    const r = await send("Scan 0002");
    runs.push(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    // exactly one extra AUTH: the rejected one, then the one with the refreshed token
    assert.deepEqual(auths.slice(1), [{ user: USER, ok: false }, { user: USER, ok: true }]);
    assert.equal(idp.grants("refresh_token"), 1);
    assert.equal(delivered.length, 2);
    assert.equal(delivered[1]!.subject, "Scan 0002");
    const cacheAfter = JSON.parse(await readFile(join(dir, "outbox", "oauth-tokens.json"), "utf8"));
    assert.notEqual(cacheAfter.entries[0].refreshToken, cacheBefore.entries[0].refreshToken, "rotated refresh token stored");
    assert.equal((await stat(join(dir, "outbox", "oauth-tokens.json"))).mode & 0o777, 0o600);
  });

  it("a refreshed token that is rejected too: exactly one retry, then a permanent AUTH failure", async () => {
    idp.expireAllAccessTokens();
    idp.issueUnusable = true;
    const before = auths.length;
    const refreshes = idp.grants("refresh_token");
    const r = await send("Scan 0002b");
    runs.push(r);
    idp.issueUnusable = false;
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(auths.slice(before), [{ user: USER, ok: false }, { user: USER, ok: false }]);
    assert.equal(idp.grants("refresh_token"), refreshes + 1);
    assert.equal(delivered.length, 2);
  });

  it("a revoked sign-in fails the send with 'sign in again' and no further AUTH loop", async () => {
    idp.expireAllAccessTokens();
    idp.refreshRevoked = true;
    const before = auths.length;
    const r = await send("Scan 0003");
    runs.push(r);
    assert.notEqual(r.code, 0);
    assert.match(`${r.stdout}\n${r.stderr}`, /OAUTH_SIGN_IN_EXPIRED|sign in again|invalid_grant/i);
    assert.ok(auths.length - before <= 1, `at most the one rejected AUTH, got ${auths.length - before}`);
    assert.equal(delivered.length, 2);
  });

  it("no token or refresh token in any output, any file written (except the cache) or any process argument", async () => {
    assert.ok(idp.issued.length >= 4, "tokens were issued");
    assert.equal(runs.length, 5);
    const files = (await filesUnder(dir)).filter((f) => !f.endsWith("oauth-tokens.json"));
    const texts = await Promise.all(files.map((f) => readFile(f, "latin1")));
    for (const t of idp.issued) {
      for (const r of runs) {
        assert.ok(!r.stdout.includes(t) && !r.stderr.includes(t), "a token reached the CLI output");
        for (const argv of r.argvSeen) assert.ok(!argv.includes(t), `a token reached a process's arguments: ${argv.slice(0, 60)}`);
      }
      files.forEach((f, i) => assert.ok(!texts[i]!.includes(t), `a token reached ${f}`));
    }
    // the sampler did see the CLI itself (so the argument check looked at the right processes)
    assert.ok(runs.every((r) => r.argvSeen.some((a) => a.includes("host/cli.ts"))), "sampled the CLI's own process");
  });
});
