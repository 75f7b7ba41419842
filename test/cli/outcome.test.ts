// The outcome contract through the real CLI (child processes): statuses and exit codes say only
// what is true. "queued" / exit 4 only with a job on durable storage — text-only messages too;
// "not-sent-transient" / exit 5 when nothing was stored (--no-queue, an outbox that cannot be
// written); a wrong password holds the scan (exit 3, job "held") until `queue retry-now` sends it;
// a 5xx refusal is "not delivered" (exit 3, no job, a report).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { cli, lastJson, STACK } from "./run.js";
import { server, attachmentSha, parse, USER, PASSWORD } from "../session/lab.js";
import type { SimServer } from "../../host/sim/server.js";

let srv: SimServer;
let dir: string;
let caFile: string;
let closedPort: number;
const ENV = { MFP_TEST_PW: PASSWORD };

before(async () => {
  srv = await server({ rcptReply: (a) => (a.startsWith("nobody@") ? [550, "5.1.1 No such user"] : null) });
  dir = mkdtempSync(join(tmpdir(), "mfp-cli-outcome-"));
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, srv.ca);
  const probe = net.createServer();
  await new Promise<void>((res) => probe.listen(0, "127.0.0.1", res));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((res) => probe.close(() => res()));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const up = () => ["send", "--server", "localhost", "--port", String(srv.port), "--tls", "starttls", "--require-tls", "--ca", caFile,
  "--auth", "plain", "--user", USER, "--password-env", "MFP_TEST_PW", "--from", USER, "--json"];
const down = () => ["send", "--server", "127.0.0.1", "--port", String(closedPort), "--tls", "none", "--from", USER, "--timeout", "3000", "--json"];
const box = (name: string) => join(dir, name);
const jobsIn = (outbox: string) => (existsSync(join(outbox, "jobs")) ? readdirSync(join(outbox, "jobs")) : []);

function clean(r: { stderr: string; stdout: string }) {
  assert.doesNotMatch(r.stderr, STACK, `stack trace on stderr:\n${r.stderr}`);
  assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD), "password printed");
}

test("text-only message, server down: stored like a scan → queued, exit 4, the job exists", async () => {
  const outbox = box("text-down");
  const r = await cli([...down(), "--to", "a@contoso.test", "--body", "toner low", "--outbox", outbox]);
  clean(r);
  assert.equal(r.code, 4, r.stderr);
  const j = lastJson(r);
  assert.equal(j.status, "queued");
  const jobs = jobsIn(outbox);
  assert.equal(jobs.length, 1);
  assert.deepEqual(j.job, { id: jobs[0], state: "queued" });
  const q = await cli(["queue", "--outbox", outbox, "--json"]);
  const [view] = JSON.parse(q.stdout).jobs;
  assert.deepEqual([view.id, view.state, view.files, view.attempts], [jobs[0], "queued", [], 1]);
});

test("--no-queue, server down: not-sent-transient, exit 5, nothing stored anywhere", async () => {
  const outbox = box("no-queue");
  const r = await cli([...down(), "--to", "a@contoso.test", "--scan-pages", "1", "--no-queue", "--outbox", outbox]);
  clean(r);
  assert.equal(r.code, 5, r.stderr);
  const j = lastJson(r);
  assert.equal(j.status, "not-sent-transient");
  assert.equal(j.job, undefined);
  assert.equal(existsSync(outbox), false);
  assert.match(r.stderr, /NOT SENT \(temporary failure, nothing kept/);
});

test("outbox cannot be written: sent directly instead — exit 0 when the server is up, exit 5 (nothing kept) when it is down", async () => {
  const file = box("not-a-dir");
  writeFileSync(file, "a file where the outbox directory should be");
  const unwritable = join(file, "outbox");
  const before = srv.messages.length;
  const ok = await cli([...up(), "--to", "a@contoso.test", "--scan-pages", "1", "--outbox", unwritable], ENV);
  clean(ok);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(lastJson(ok).status, "sent");
  assert.match(ok.stderr, /the outbox cannot take the message \(OUTBOX_UNWRITABLE\).*sending it directly/);
  assert.equal(srv.messages.length, before + 1);
  const no = await cli([...down(), "--to", "a@contoso.test", "--scan-pages", "1", "--outbox", unwritable]);
  clean(no);
  assert.equal(no.code, 5, no.stderr);
  assert.equal(lastJson(no).status, "not-sent-transient");
  assert.equal(lastJson(no).job, undefined);
});

test("wrong password: exit 3, status failed, the scan held; queue shows why; fixed, queue retry-now delivers it", async () => {
  const outbox = box("held");
  const r = await cli([...up(), "--to", "a@contoso.test", "--scan-pages", "2", "--outbox", outbox], { MFP_TEST_PW: "wrong" });
  clean(r);
  assert.equal(r.code, 3, r.stderr);
  const j = lastJson(r);
  assert.deepEqual([j.status, j.code, j.id], ["failed", 535, "AUTH_FAILED"]);
  const [id] = jobsIn(outbox);
  assert.deepEqual(j.job, { id, state: "held" });
  assert.match(r.stderr, /held in the outbox .* as job .*mfp-mail queue retry-now/);

  const q = await cli(["queue", "--outbox", outbox, "--json"]);
  assert.equal(q.code, 0);
  const [view] = JSON.parse(q.stdout).jobs;
  assert.equal(view.state, "held");
  assert.match(view.reason, /Sign-in failed/);
  assert.equal(view.lastReply.code, 535);
  assert.equal(view.attempts, 1);
  assert.ok(view.firstAttemptAt && view.lastAttemptAt);
  const human = await cli(["queue", "--outbox", outbox]);
  assert.match(human.stdout, /0 job\(s\) queued, 1 held/);
  assert.match(human.stdout, /⚠ Held/);

  const scanned = JSON.parse(readFileSync(join(outbox, "jobs", id!, "job.json"), "utf8")).scans[0].sha256;
  const before = srv.messages.length;
  const retry = await cli(["queue", "--outbox", outbox, "retry-now", id!], ENV);
  clean(retry);
  assert.equal(retry.code, 0, retry.stdout + retry.stderr);
  assert.match(retry.stdout, new RegExp(`^sent ${id}`, "m"));
  assert.equal(srv.messages.length, before + 1);
  const mail = await parse(srv.messages.at(-1)!.raw);
  assert.equal(mail.attachments.length, 1);
  assert.equal(attachmentSha(mail), scanned, "the held scan arrives byte-identical");
  assert.deepEqual(jobsIn(outbox), []);
});

test("every recipient refused (550 5.1.1): exit 3, not delivered — no job left, the report says so", async () => {
  const outbox = box("refused");
  const r = await cli([...up(), "--to", "nobody@contoso.test", "--scan-pages", "1", "--outbox", outbox], ENV);
  clean(r);
  assert.equal(r.code, 3, r.stderr);
  const j = lastJson(r);
  assert.deepEqual([j.status, j.code, j.job], ["failed", 550, undefined]);
  assert.deepEqual(jobsIn(outbox), []);
  const q = await cli(["queue", "--outbox", outbox, "--json"]);
  const { reports } = JSON.parse(q.stdout);
  assert.equal(reports.at(-1).final, "not-delivered");
});
