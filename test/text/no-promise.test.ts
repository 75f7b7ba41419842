// "Never promise what nobody will do", through the real CLI (child processes): a transient
// failure says "the device will retry" only when the scan is stored in the outbox (status
// "queued"); with nothing stored (`send --no-queue`: status "not-sent-transient", exit 5) the same
// cause is told without the promise — against a refused port and a server answering 451. And a
// refused sign-in reports where it failed: stage "Auth", command "AUTH", not "Failed".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, lastJson } from "../cli/run.js";
import { server, USER, PASSWORD } from "../session/lab.js";
import type { SimServer } from "../../host/sim/server.js";
import { say, sayNow } from "../../host/text/outcomes.js";

let busy: SimServer;
let dir: string;
let caFile: string;
let closedPort: number;
// What a sentence promises the device will do later.
const PROMISE = /will retry|device retries|tries again|waits in the Outbox/i;

before(async () => {
  busy = await server({ rcptReply: () => [451, "4.3.0 Local error in processing, try again"] });
  dir = mkdtempSync(join(tmpdir(), "mfp-no-promise-"));
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, busy.ca);
  // A port nobody listens on any more: a server's, after it closed.
  const gone = await server();
  closedPort = gone.port;
  await gone.close();
});
after(async () => {
  await busy.close();
  rmSync(dir, { recursive: true, force: true });
});

const refused = () => ["send", "--server", "127.0.0.1", "--port", String(closedPort), "--tls", "none", "--from", USER, "--to", "a@contoso.test", "--scan-pages", "1", "--timeout", "3000", "--json"];
const toBusy = (password = PASSWORD) => ({
  args: ["send", "--server", "localhost", "--port", String(busy.port), "--tls", "starttls", "--require-tls", "--ca", caFile,
    "--auth", "plain", "--user", USER, "--password-env", "MFP_TEST_PW", "--from", USER, "--to", "a@contoso.test", "--scan-pages", "1", "--json"],
  env: { MFP_TEST_PW: password },
});

test("refused port: --no-queue says the cause without a promise (exit 5); stored, the same cause promises the retry (exit 4)", async () => {
  const now = await cli([...refused(), "--no-queue"]);
  assert.equal(now.code, 5, now.stderr);
  const j = lastJson(now);
  assert.deepEqual([j.status, j.id], ["not-sent-transient", "CONNECT_REFUSED"]);
  assert.ok(String(j.message).startsWith(sayNow("CONNECT_REFUSED")), String(j.message));
  assert.doesNotMatch(String(j.message), PROMISE);
  assert.doesNotMatch(now.stderr, PROMISE, "nor the human lines");

  const stored = await cli([...refused(), "--outbox", join(dir, "refused")]);
  assert.equal(stored.code, 4, stored.stderr);
  const q = lastJson(stored);
  assert.equal(q.status, "queued");
  assert.ok(String(q.message).startsWith(say("CONNECT_REFUSED")), String(q.message));
  assert.match(String(q.message), /the device will retry later/);
});

test("451 to every recipient: --no-queue says the cause without a promise (exit 5); stored, it promises (exit 4)", async () => {
  const { args, env } = toBusy();
  const now = await cli([...args, "--no-queue"], env);
  assert.equal(now.code, 5, now.stderr);
  const j = lastJson(now);
  assert.deepEqual([j.status, j.code, j.id], ["not-sent-transient", 451, "SERVER_ERROR_TEMP"]);
  assert.ok(String(j.message).startsWith(sayNow("SERVER_ERROR_TEMP")), String(j.message));
  assert.doesNotMatch(String(j.message), PROMISE);

  const stored = await cli([...args, "--outbox", join(dir, "busy")], env);
  assert.equal(stored.code, 4, stored.stderr);
  assert.ok(String(lastJson(stored).message).startsWith(say("SERVER_ERROR_TEMP")));
});

test("a refused sign-in through send names the state it failed in: stage Auth, command AUTH", async () => {
  const { args, env } = toBusy("not-the-password");
  const r = await cli([...args, "--no-queue"], env);
  assert.equal(r.code, 3, r.stderr);
  const j = lastJson(r);
  assert.deepEqual([j.status, j.id, j.stage, j.command], ["failed", "AUTH_FAILED", "Auth", "AUTH"]);
  assert.match(r.stderr, /failed at Auth \(AUTH\)/);
});
