// The outcome contract against Debian's Postfix (a throw-away instance on loopback: STARTTLS,
// Cyrus SASL, maildir), through the outbox and the device's own session:
//   - a network outage longer than the board's retention holds the scan (never deletes it);
//     when the network is back, retry-now delivers it into the maildir byte-identical;
//   - a text-only message is a job too: queued while the network is down, delivered after;
//   - a wrong password (535 5.7.8) holds the job; with the password fixed, retry-now delivers;
//   - a real 5xx refusal (554 5.7.1 without AUTH) ends the job "not delivered" with a report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
import { resolveBoard } from "../../host/config/board.js";
import { runDaemon } from "../../host/outbox/daemon.js";
import { Outbox } from "../../host/outbox/index.js";
import { sessionDeliver } from "../../host/outbox/session-deliver.js";
import type { Json } from "../../host/outbox/types.js";
import { startPostfix, postfixUnavailable, type PostfixInstance } from "../fixtures/postfix.js";
import { FakeClock, msg, scanBytes, scanSource, seededRandom, sha256, startOutageProxy, suiteDir, testSeed, type OutageProxy } from "./helpers.js";

const why = postfixUnavailable();
const PW_ENV = "MFP_OUTBOX_TEST_POSTFIX_PW";
const seed = testSeed();
let pf: PostfixInstance;
let net: OutageProxy;

before(async () => {
  if (why) return;
  console.log(`# outbox/postfix: seed ${seed} (repeat with MFP_TEST_SEED=${seed})`);
  pf = await startPostfix();
  net = await startOutageProxy(pf.port);
});
after(async () => {
  await net?.close();
  await pf?.stop();
  delete process.env[PW_ENV];
});

const board = resolveBoard("arm-64mb");
const deliver = () => sessionDeliver({ board });

function connection(auth: "plain" | "none" = "plain"): Json {
  return {
    host: "127.0.0.1", port: net.port, tls: "starttls", requireTls: true, clientName: "mfp.test.local",
    tlsOptions: { ca: pf.caPem, servername: pf.hostname },
    // A freshly started Postfix forks its smtpd on the first connections: generous waits.
    timeouts: { greeting: 30_000, command: 30_000, dataTerm: 30_000 },
    auth, ...(auth === "plain" ? { user: `${pf.user}@${pf.domain}`, passwordEnv: PW_ENV } : {}),
  };
}

/** The delivered messages with this subject, once `n` of them are in the maildir: Postfix writes
 *  the maildir after its 250, and the suite's earlier tests already delivered others (a wait for
 *  "at least one message" would not wait at all). At most 400 looks, 50 ms apart. */
async function arrived(subject: string, n = 1): Promise<{ text: string; sha: string[] }[]> {
  for (let look = 0; look < 400; look++) {
    const got = await delivered(subject);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  return delivered(subject);
}

async function delivered(subject: string): Promise<{ text: string; sha: string[] }[]> {
  const all = await Promise.all((await pf.readDelivered()).map((raw) => simpleParser(Buffer.from(raw, "latin1"))));
  return all.filter((m) => m.subject === subject).map((m) => ({ text: m.text ?? "", sha: m.attachments.map((a) => createHash("sha256").update(a.content).digest("hex")) }));
}

test("Postfix: an outage longer than arm-64mb's retention holds the scan; the network back, retry-now delivers it", { skip: why ?? false }, async () => {
  process.env[PW_ENV] = pf.password;
  net.down = true;
  const clock = new FakeClock();
  const outbox = await Outbox.open({ dir: suiteDir("pf-retention"), retry: board.retry, clock, random: seededRandom(seed) });
  const to = [`ap@${pf.domain}`];
  const job = await outbox.enqueue({ from: `scanner@${pf.domain}`, recipients: to, message: msg("pf retention", to), connection: connection(), scans: [scanSource(700, 300_000)] });
  await runDaemon(outbox, deliver(), new AbortController().signal, { clock, pollMs: 86_400_000, exitWhenEmpty: true, maxPasses: 1000 });
  const [held] = await outbox.list();
  assert.equal(held?.state, "held");
  assert.equal(held!.held!.cause, "expired");
  assert.equal(clock.now(), job.createdAt + board.retry.giveUpAfter);
  assert.ok(held!.attemptCount > board.retry.maxAttempts);
  assert.deepEqual(await delivered("pf retention"), []);

  net.down = false;
  await outbox.retryNow(job.id);
  const out = await outbox.deliverNow(job.id, deliver());
  assert.equal(out.kind === "done" && out.report.final, "sent", JSON.stringify(out.kind === "retry" ? out.result : out.kind) + pf.log().slice(-1500));
  assert.deepEqual((await arrived("pf retention")).map((m) => m.sha), [[sha256(scanBytes(700, 300_000))]]);
});

test("Postfix: a text-only message waits in the outbox while the network is down, then arrives", { skip: why ?? false }, async () => {
  process.env[PW_ENV] = pf.password;
  net.down = true;
  const clock = new FakeClock();
  const outbox = await Outbox.open({ dir: suiteDir("pf-text"), retry: board.retry, clock });
  const to = [`frontdesk@${pf.domain}`];
  const job = await outbox.enqueue({ from: `scanner@${pf.domain}`, recipients: to, message: msg("pf text", to, "Paper tray 2 is empty."), connection: connection(), scans: [] });
  const first = await outbox.deliverNow(job.id, deliver());
  assert.equal(first.kind, "retry");
  net.down = false;
  clock.t += board.retry.initialDelay * (1 + board.retry.jitter);
  const pass = await outbox.runDue(deliver());
  assert.deepEqual(pass.outcomes.map((o) => o.kind), ["done"]);
  const [m] = await arrived("pf text");
  assert.match(m!.text, /Paper tray 2 is empty\./);
});

test("Postfix: wrong password → held (535 5.7.8); password fixed → retry-now delivers the same scan", { skip: why ?? false }, async () => {
  net.down = false;
  process.env[PW_ENV] = "wrong-password";
  const outbox = await Outbox.open({ dir: suiteDir("pf-held"), retry: board.retry });
  const to = [`legal@${pf.domain}`];
  const job = await outbox.enqueue({ from: `scanner@${pf.domain}`, recipients: to, message: msg("pf held", to), connection: connection(), scans: [scanSource(701, 200_000)] });
  const out = await outbox.deliverNow(job.id, deliver());
  assert.equal(out.kind, "held", `${out.kind === "retry" ? out.result.message : ""}\n${pf.log().slice(-1500)}`);
  const held = (await outbox.get(job.id))!;
  assert.deepEqual([held.held!.id, held.attempts.at(-1)!.code], ["AUTH_FAILED", 535]);
  // Not retried by itself.
  assert.deepEqual((await outbox.runDue(deliver())).outcomes, []);

  process.env[PW_ENV] = pf.password;
  await outbox.retryNow(job.id);
  const sent = await outbox.deliverNow(job.id, deliver());
  assert.equal(sent.kind === "done" && sent.report.final, "sent");
  assert.deepEqual((await arrived("pf held")).map((m) => m.sha), [[sha256(scanBytes(701, 200_000))]]);
});

test("Postfix: without AUTH the recipient is refused (554 5.7.1): not delivered, with a report; nothing kept", { skip: why ?? false }, async () => {
  net.down = false;
  const outbox = await Outbox.open({ dir: suiteDir("pf-refused"), retry: board.retry });
  const to = [`ap@${pf.domain}`];
  const job = await outbox.enqueue({ from: `scanner@${pf.domain}`, recipients: to, message: msg("pf refused", to), connection: connection("none"), scans: [scanSource(702, 50_000)] });
  const out = await outbox.deliverNow(job.id, deliver());
  assert.equal(out.kind, "done", pf.log().slice(-1500));
  if (out.kind !== "done") return;
  assert.equal(out.report.final, "not-delivered");
  assert.equal(out.report.recipients[0]!.code, 554);
  assert.match(out.report.summary, /NOT DELIVERED to ap@test\.local \(554 5\.7\.1/);
  assert.deepEqual(await outbox.store.ids(), []);
  assert.deepEqual(await delivered("pf refused"), []);
});
