// App-only XOAUTH2 through the real CLI, as child processes: `mfp-mail send --auth xoauth2
// --tenant T --client-id C --client-secret-env VAR` gets a client-credentials token from the
// loopback identity endpoint (which checks the secret) and authenticates as --user to an
// smtp-server that validates the bearer token → delivered. A wrong secret fails with exit 3 and
// the panel sentence; a missing or empty variable is a configuration error (exit 2) before any
// request. The secret never appears in the output or in any process's arguments.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { IdentityServer } from "./identity-server.js";
import { runCli, filesUnder, startBearerLab, type Auth, type BearerLab, type Delivered, type Run } from "./cli-lab.js";

const USER = "scanner@contoso.example";
const SECRET = "app-secret-Q7~vX2.mfp-only-in-env";
const WRONG = "wrong-secret-K3~pL9.also-only-in-env";

describe("send --auth xoauth2 app-only (client credentials) end to end", () => {
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
    idp = new IdentityServer({ clientSecret: SECRET });
    idp.account = USER; // the mailbox the app was granted to send as
    await idp.start();
    lab = await startBearerLab(idp, "oauth-app-only", "https://outlook.office365.com/.default");
    ({ port, dir, caFile, boardFile, auths, delivered } = lab);
  });

  after(async () => {
    await lab.close();
    await idp.stop();
  });

  const send = async (subject: string, env: Record<string, string>, extra: string[] = []) => {
    const r = await runCli([
      "send", "--board", boardFile, "--server", "127.0.0.1", "--port", String(port), "--tls", "starttls", "--require-tls",
      "--ca", caFile, "--auth", "xoauth2", "--user", USER, "--from", USER, "--to", "accounting@contoso.example",
      "--tenant", idp.tenant, "--client-id", idp.clientId, "--client-secret-env", "MFP_TEST_APP_SECRET", "--authority", idp.authority,
      "--subject", subject, "--body", "Scanned document attached.", ...extra,
    ], env);
    runs.push(r);
    return r;
  };

  it("delivers with an app-only token: one client_credentials grant with the .default scope, one AUTH as --user", async () => {
    const r = await send("App scan 1", { MFP_TEST_APP_SECRET: SECRET });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const grants = idp.requests.filter((q) => q.grantType === "client_credentials");
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.status, 200);
    assert.equal(grants[0]!.scope, "https://outlook.office365.com/.default");
    assert.equal(grants[0]!.clientId, idp.clientId);
    assert.equal(idp.grants("urn:ietf:params:oauth:grant-type:device_code") + idp.grants("refresh_token"), 0, "no delegated flow");
    assert.deepEqual(auths, [{ user: USER, ok: true }]);
    assert.deepEqual(delivered.map(({ from, to, subject }) => ({ from, to, subject })), [{ from: USER, to: ["accounting@contoso.example"], subject: "App scan 1" }]);
  });

  it("a scan goes through the durable outbox: the first attempt uses the app-only token, delivered", async () => {
    const r = await send("App scan 1b", { MFP_TEST_APP_SECRET: SECRET }, ["--scan-pages", "1", "--scan-size", "4096"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(idp.grants("client_credentials"), 2, "a new process fetches its own token");
    assert.deepEqual(auths, [{ user: USER, ok: true }, { user: USER, ok: true }]);
    assert.equal(delivered.length, 2);
    assert.equal(delivered[1]!.subject, "App scan 1b");
  });

  it("a wrong client secret: exit 3, the panel sentence, no AUTH attempted, nothing delivered", async () => {
    const before = idp.requests.length;
    const r = await send("App scan 2", { MFP_TEST_APP_SECRET: WRONG });
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    const text = `${r.stdout}\n${r.stderr}`;
    assert.match(text, /The app registration was rejected; check the tenant and client id\./);
    assert.match(text, /hint: The identity platform refused the app registration: check the tenant, the client id and, for app-only sign-in, the client secret/);
    const q = idp.requests.slice(before);
    assert.deepEqual(q.map((x) => [x.grantType, x.status, x.error]), [["client_credentials", 401, "invalid_client"]]);
    assert.equal(auths.length, 2, "no AUTH without a token");
    assert.equal(delivered.length, 2);
  });

  it("a missing or empty secret variable: exit 2 naming --client-secret-env, before any request", async () => {
    const before = idp.requests.length;
    const missing = await send("App scan 3", {});
    assert.equal(missing.code, 2, `${missing.stdout}\n${missing.stderr}`);
    assert.match(missing.stderr, /--client-secret-env: environment variable MFP_TEST_APP_SECRET is not set/);
    const empty = await send("App scan 4", { MFP_TEST_APP_SECRET: "" });
    assert.equal(empty.code, 2, `${empty.stdout}\n${empty.stderr}`);
    assert.match(empty.stderr, /--client-secret-env: environment variable MFP_TEST_APP_SECRET is empty/);
    assert.equal(idp.requests.length, before, "no request to the identity endpoint");
    assert.equal(auths.length, 2);
  });

  it("the flags without --auth xoauth2, or an http authority off loopback: exit 2", async () => {
    const before = idp.requests.length;
    const plain = await runCli([
      "send", "--board", boardFile, "--server", "127.0.0.1", "--port", String(port), "--auth", "plain", "--password-env", "MFP_TEST_APP_SECRET",
      "--from", USER, "--to", "accounting@contoso.example", "--tenant", idp.tenant, "--client-id", idp.clientId, "--client-secret-env", "MFP_TEST_APP_SECRET",
    ], { MFP_TEST_APP_SECRET: SECRET });
    runs.push(plain);
    assert.equal(plain.code, 2, `${plain.stdout}\n${plain.stderr}`);
    assert.match(plain.stderr, /--tenant: app-only sign-in \(client credentials\) needs --auth xoauth2/);
    const insecure = await send("App scan 5", { MFP_TEST_APP_SECRET: SECRET }, ["--authority", "http://login.example.com"]);
    assert.equal(insecure.code, 2, `${insecure.stdout}\n${insecure.stderr}`);
    assert.match(insecure.stderr, /--authority: .*must use https/);
    assert.equal(idp.requests.length, before);
    assert.equal(auths.length, 2);
  });

  it("neither the secret nor any token reaches the output, any file written or any process's arguments", async () => {
    assert.equal(runs.length, 7);
    const secrets = [SECRET, WRONG, ...idp.issued];
    assert.ok(idp.issued.length >= 1, "a token was issued");
    for (const r of runs) {
      for (const s of secrets) {
        assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), "a secret reached the CLI output");
        for (const argv of r.argvSeen) assert.ok(!argv.includes(s), `a secret reached a process's arguments: ${argv.slice(0, 60)}`);
      }
    }
    const files = await filesUnder(dir);
    assert.ok(files.some((f) => f.includes(join(dir, "outbox"))), "the outbox wrote files");
    for (const f of files) {
      const text = await readFile(f, "latin1");
      for (const s of secrets) assert.ok(!text.includes(s), `a secret reached ${f}`);
    }
    assert.ok(runs.every((r) => r.argvSeen.some((a) => a.includes("host/cli.ts"))), "sampled the CLI's own process");
  });
});
