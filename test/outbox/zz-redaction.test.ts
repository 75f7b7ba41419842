// Last of the outbox suite (file order): deliveries with every AUTH mechanism over STARTTLS and
// in the clear, accepted and refused, then a grep of EVERY file the outbox tests wrote — logs,
// job files, reports — for the test password and token in clear and in their base64 forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { defaultBoard } from "../../host/config/board.js";
import { Outbox } from "../../host/outbox/index.js";
import { sessionDeliver } from "../../host/outbox/session-deliver.js";
import { PASSWORD_ENV, msg, realDeliver, scanBytes, scanSource, startServer, SUITE_ROOT, SUITE_ROOT_PREFIX, suiteDir, TEST_PASSWORD, TEST_TOKEN, TEST_USER } from "./helpers.js";

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p);
    return e.isFile() ? [p] : [];
  });
}

test("no password or token in any file the outbox tests wrote", async () => {
  const { ca, server: cert } = loopbackServerCredentials();
  const tlsServer = await startServer({ tls: { key: cert.key, cert: cert.cert } });
  try {
    const dir = suiteDir("redaction");
    const ob = await Outbox.open({ dir });
    const tlsConn = (auth: string, user = TEST_USER) => ({
      host: "127.0.0.1", port: tlsServer.port, tls: "starttls", requireTls: true, auth, user, passwordEnv: PASSWORD_ENV,
      tlsOptions: { ca: ca.cert, servername: "localhost" }, clientName: "mfp.contoso.test",
    });
    // A refused sign-in holds the job (its reason and the server's reply are written to job.json too).
    const runs: [string, ReturnType<typeof tlsConn>, string][] = [
      ["plain", tlsConn("plain"), "sent"],
      ["login", tlsConn("login"), "sent"],
      ["xoauth2", tlsConn("xoauth2"), "sent"],
      ["wrong user", tlsConn("login", "intruder@contoso.test"), "held"],
    ];
    for (const [name, connection, want] of runs) {
      const job = await ob.enqueue({ from: TEST_USER, recipients: ["a@contoso.test"], message: msg(`redaction ${name}`, ["a@contoso.test"]), connection, scans: [scanSource(900, 30_000)] });
      const out = await ob.deliverNow(job.id, realDeliver());
      assert.equal(out.kind === "done" ? out.report.final : out.kind, want, name);
    }
    // A refused token (the server wants TEST_TOKEN; this one contains it as a substring).
    const badToken = sessionDeliver({ board: defaultBoard(), tokenProvider: () => ({ getAccessToken: async () => `x${TEST_TOKEN}x`, invalidate() {} }) });
    const job = await ob.enqueue({ from: TEST_USER, recipients: ["a@contoso.test"], message: msg("redaction bad token", ["a@contoso.test"]), connection: tlsConn("xoauth2"), scans: [scanSource(901, 1000)] });
    await ob.deliverNow(job.id, badToken);
    assert.ok(tlsServer.authFailures >= 2);

    const log = readFileSync(join(dir, "log", "smtp.log"), "utf8");
    assert.match(log, /"kind":"tls","tls":\{"protocol":"TLSv1\.[23]"/, "TLS parameters are logged");
    for (const m of ["PLAIN", "LOGIN", "XOAUTH2"]) assert.match(log, new RegExp(`"AUTH ${m}( \\[redacted\\])?"`), `AUTH ${m} recorded by name`);
  } finally {
    await tlsServer.close();
  }

  const needles: [string, string][] = [
    ["password", TEST_PASSWORD],
    ["token", TEST_TOKEN],
    ["base64 password", b64(TEST_PASSWORD)],
    ["AUTH PLAIN response", b64(`\0${TEST_USER}\0${TEST_PASSWORD}`)],
    ["XOAUTH2 response", b64(`user=${TEST_USER}\x01auth=Bearer ${TEST_TOKEN}\x01\x01`)],
    ["body (base64 of the scan's first bytes)", b64(scanBytes(900, 30_000).subarray(0, 57))],
  ];
  const files = filesUnder(SUITE_ROOT).filter((f) => !/\/scan-\d+$/.test(f)); // the scans themselves are the body
  const logs = files.filter((f) => /smtp\.log(\.1)?$/.test(f));
  assert.ok(logs.length >= 1, "log files were written");
  let bytes = 0;
  for (const f of files) {
    const text = readFileSync(f).toString("latin1");
    bytes += statSync(f).size;
    for (const [what, needle] of needles) assert.ok(!text.includes(needle), `${what} found in ${f}`);
  }
  console.log(`# redaction: ${files.length} files (${logs.length} SMTP logs, ${bytes} bytes) under ${SUITE_ROOT}: no secret found`);
  rmSync(SUITE_ROOT, { recursive: true, force: true });
  // Roots of earlier runs that were interrupted (their runner process is gone).
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.slice(SUITE_ROOT_PREFIX.length));
    if (!name.startsWith(SUITE_ROOT_PREFIX) || !Number.isInteger(pid) || pid <= 0) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
});
