// End to end through the real CLI, as child processes: `mfp-mail login` (device code against the
// loopback identity endpoint) → `mfp-mail send --auth xoauth2` (wasm core, STARTTLS, XOAUTH2) to
// an smtp-server that validates the bearer token with the identity endpoint → delivered. Then the
// server stops accepting that token → the session sees the rejection, the provider refreshes,
// AUTH is retried once → delivered. No token may appear in any output, any file written (other
// than the 0600 cache) or any process's arguments while the CLI runs.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { createCa, issueServerCert } from "../../host/certs/selfsigned.js";
import { IdentityServer } from "./identity-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "host/cli.ts");
const USER = "scanner@contoso.example";

interface Auth { user: string; ok: boolean }
interface Delivered { from: string; to: string[]; subject: string; text: string }
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

/** Run the CLI; while it runs, sample every process's arguments (bounded: at most 600 samples). */
function cli(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT, env: { ...process.env, MFP_DEBUG: "", MFP_MAIL_TOKEN: "" }, stdio: ["ignore", "pipe", "pipe"],
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

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe("XOAUTH2 end to end: device-code sign-in, send, server-side expiry, refresh, send", () => {
  let idp: IdentityServer;
  let smtp: SMTPServer;
  let port = 0;
  let dir = "";
  let boardFile = "";
  let caFile = "";
  const auths: Auth[] = [];
  const delivered: Delivered[] = [];
  const runs: Run[] = [];

  before(async () => {
    // interval 1 s: the child process runs on the real clock; one poll after one second.
    idp = new IdentityServer({ interval: 1, polls: ["ok"] });
    idp.account = USER;
    await idp.start();
    const ca = createCa("oauth e2e CA");
    const cert = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });
    smtp = new SMTPServer({
      key: cert.key, cert: cert.cert, minVersion: "TLSv1.2",
      authMethods: ["XOAUTH2"], logger: false,
      onAuth(auth, _session, cb) {
        const ok = auth.method === "XOAUTH2" && idp.isValidAccessToken(auth.accessToken ?? "", auth.username ?? "");
        auths.push({ user: auth.username ?? "", ok });
        if (ok) return cb(null, { user: auth.username });
        // RFC 7628 §3.2.2 / Exchange: a 334 error challenge with a base64 JSON body; smtp-server
        // answers the client's empty line with 535.
        return cb(null, { data: { status: "401", schemes: "bearer", scope: "https://outlook.office.com/SMTP.Send" } } as never);
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
            text: m.text ?? "",
          });
          cb(null, "2.6.0 Queued mail for delivery");
        }, (e: Error) => cb(e));
      },
    });
    smtp.on("error", () => {});
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
    port = (smtp.server.address() as AddressInfo).port;

    dir = await mkdtemp(join(tmpdir(), "mfp-oauth-e2e-"));
    caFile = join(dir, "ca.pem");
    await writeFile(caFile, ca.cert);
    const board = JSON.parse(await readFile(join(ROOT, "boards/sim-desktop.json"), "utf8"));
    delete board.$schema;
    board.name = "oauth-e2e";
    board.outbox.dir = join(dir, "outbox");
    boardFile = join(dir, "board.json");
    await writeFile(boardFile, JSON.stringify(board));
  });

  after(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await idp.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (subject: string) =>
    cli([
      "send", "--board", boardFile, "--server", "127.0.0.1", "--port", String(port), "--tls", "starttls", "--require-tls",
      "--ca", caFile, "--auth", "xoauth2", "--user", USER, "--from", USER, "--to", "accounting@contoso.example",
      "--subject", subject, "--body", "Scanned document attached.",
    ]);

  it("login: the device-code sign-in caches the token (0600)", async () => {
    const r = await cli(["login", "--preset", "m365-submission", "--board", boardFile, "--tenant", idp.tenant, "--client-id", idp.clientId, "--user", USER, "--authority", idp.authority]);
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
