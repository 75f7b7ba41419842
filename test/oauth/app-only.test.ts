// App-only XOAUTH2 through the real CLI, as child processes: `mfp-mail send --auth xoauth2
// --tenant T --client-id C --client-secret-env VAR` gets a client-credentials token from the
// loopback identity endpoint (which checks the secret) and authenticates as --user to an
// smtp-server that validates the bearer token → delivered. A wrong secret fails with exit 3 and
// the panel sentence; a missing or empty variable is a configuration error (exit 2) before any
// request. The secret never appears in the output or in any process's arguments.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { createCa, issueServerCert } from "../../host/certs/selfsigned.js";
import { IdentityServer } from "./identity-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "host/cli.ts");
const USER = "scanner@contoso.example";
const SECRET = "app-secret-Q7~vX2.mfp-only-in-env";
const WRONG = "wrong-secret-K3~pL9.also-only-in-env";

interface Run { code: number | null; stdout: string; stderr: string; argvSeen: string[] }

/** Every process's command line, read from /proc (Linux); empty elsewhere. */
async function allCmdlines(): Promise<string[]> {
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of pids) {
    try {
      out.push((await readFile(`/proc/${p}/cmdline`, "utf8")).replace(/\0/g, " "));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/** Run the CLI with extra environment; sample every process's arguments while it runs (≤ 600 samples). */
function cli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT, env: { ...process.env, MFP_DEBUG: "", MFP_MAIL_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const argvSeen = new Set<string>();
    let running = true;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    void (async () => {
      for (let i = 0; running && i < 600; i++) {
        for (const c of await allCmdlines()) argvSeen.add(c);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      running = false;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, argvSeen: [...argvSeen] });
    });
  });
}

async function filesUnder(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe("send --auth xoauth2 app-only (client credentials) end to end", () => {
  let idp: IdentityServer;
  let smtp: SMTPServer;
  let port = 0;
  let dir = "";
  let boardFile = "";
  let caFile = "";
  const auths: { user: string; ok: boolean }[] = [];
  const delivered: { from: string; to: string[]; subject: string }[] = [];
  const runs: Run[] = [];

  before(async () => {
    idp = new IdentityServer({ clientSecret: SECRET });
    idp.account = USER; // the mailbox the app was granted to send as
    await idp.start();
    const ca = createCa("oauth app-only CA");
    const cert = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });
    smtp = new SMTPServer({
      key: cert.key, cert: cert.cert, minVersion: "TLSv1.2",
      authMethods: ["XOAUTH2"], logger: false,
      onAuth(auth, _session, cb) {
        const ok = auth.method === "XOAUTH2" && idp.isValidAccessToken(auth.accessToken ?? "", auth.username ?? "");
        auths.push({ user: auth.username ?? "", ok });
        if (ok) return cb(null, { user: auth.username });
        return cb(null, { data: { status: "401", schemes: "bearer", scope: "https://outlook.office365.com/.default" } } as never);
      },
      onMailFrom(_a, session, cb) {
        cb(session.user ? undefined : Object.assign(new Error("5.7.57 Client not authenticated"), { responseCode: 530 }));
      },
      onData(stream, session, cb) {
        simpleParser(stream).then((m) => {
          delivered.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? "",
          });
          cb(null, "2.6.0 Queued mail for delivery");
        }, (e: Error) => cb(e));
      },
    });
    smtp.on("error", () => {});
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
    port = (smtp.server.address() as AddressInfo).port;

    dir = await mkdtemp(join(tmpdir(), "mfp-oauth-app-"));
    caFile = join(dir, "ca.pem");
    await writeFile(caFile, ca.cert);
    const board = JSON.parse(await readFile(join(ROOT, "boards/sim-desktop.json"), "utf8"));
    delete board.$schema;
    board.name = "oauth-app-only";
    board.outbox.dir = join(dir, "outbox");
    boardFile = join(dir, "board.json");
    await writeFile(boardFile, JSON.stringify(board));
  });

  after(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await idp.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const send = async (subject: string, env: Record<string, string>, extra: string[] = []) => {
    const r = await cli([
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
    assert.deepEqual(delivered, [{ from: USER, to: ["accounting@contoso.example"], subject: "App scan 1" }]);
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
    assert.match(text, /App registration rejected/);
    assert.match(text, /check tenant and client id/);
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
    const plain = await cli([
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
