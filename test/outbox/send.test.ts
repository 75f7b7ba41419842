// sendViaOutbox — what `mfp-mail send` calls: durable first, one attempt now with the
// credentials in memory; a transient failure leaves a job the daemon can finish with only
// the settings in the job file (password from the named environment variable). Statuses:
// "queued" only with a job on storage; a bare session says "not-sent-transient".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultBoard } from "../../host/config/board.js";
import { Outbox } from "../../host/outbox/index.js";
import { sendViaOutbox } from "../../host/outbox/send.js";
import type { SessionOptions } from "../../host/session/types.js";
import { sendMessage } from "../../host/session/driver.js";
import { FakeClock, PASSWORD_ENV, realDeliver, scanBytes, scanSource, sha256, startOutageProxy, startServer, suiteDir, TEST_PASSWORD, TEST_USER } from "./helpers.js";

function session(port: number, seed: number): SessionOptions {
  return {
    server: { host: "127.0.0.1", port, tls: "none", clientName: "mfp.contoso.test" },
    auth: { mechanism: "login", user: TEST_USER, password: TEST_PASSWORD, allowPlaintextAuth: true },
    message: { from: TEST_USER, to: ["a@contoso.test"], cc: ["b@contoso.test"], subject: `send ${seed}`, text: "hello", attachments: [scanSource(seed, 150_000)] },
    board: defaultBoard(),
  };
}

test("send via the outbox: delivered at once → sent, queue empty", async () => {
  const server = await startServer();
  try {
    const outbox = await Outbox.open({ dir: suiteDir("send") });
    const r = await sendViaOutbox({ outbox, session: session(server.port, 300), passwordEnv: PASSWORD_ENV });
    assert.equal(r.result.status, "sent");
    assert.equal(r.outcome.kind, "done");
    assert.deepEqual(await outbox.store.ids(), []);
    assert.deepEqual(server.received[0]!.to.sort(), ["a@contoso.test", "b@contoso.test"]);
    assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(300, 150_000)));
  } finally {
    await server.close();
  }
});

test("send via the outbox: server down → queued job without secrets; the daemon's deliver finishes it", async () => {
  const server = await startServer();
  const net = await startOutageProxy(server.port);
  try {
    const clock = new FakeClock();
    const dir = suiteDir("send-down");
    const outbox = await Outbox.open({ dir, clock, retry: { initialDelay: 60_000, maxDelay: 3_600_000, multiplier: 2, jitter: 0, maxAttempts: 10, giveUpAfter: 86_400_000 } });
    const bare = await sendMessage(session(net.port, 301));
    assert.equal(bare.status, "not-sent-transient", "a bare session never says queued");
    const r = await sendViaOutbox({ outbox, session: session(net.port, 301), passwordEnv: PASSWORD_ENV, preset: "m365-submission" });
    assert.equal(r.result.status, "queued");
    assert.equal(r.jobState, "queued");
    assert.equal(r.outcome.kind, "retry");
    const text = readFileSync(join(dir, "jobs", r.jobId, "job.json"), "utf8");
    assert.ok(!text.includes(TEST_PASSWORD), "no password in the job file");
    const job = JSON.parse(text);
    assert.equal(job.connection.passwordEnv, PASSWORD_ENV);
    assert.deepEqual(job.limits, { messagesPerMinute: 30, recipientsPerDay: 10000 });

    // The network comes back; a minute later the daemon's pass delivers.
    net.down = false;
    clock.t += 60_000;
    const pass = await outbox.runDue(realDeliver());
    assert.deepEqual(pass.outcomes.map((o) => o.kind), ["done"]);
    assert.equal(server.received[0]!.subject, "send 301");
    assert.equal(server.received[0]!.attachments[0]!.sha256, sha256(scanBytes(301, 150_000)));
  } finally {
    await net.close();
    await server.close();
  }
});

test("send via the outbox: a text-only message is stored too (queued means a job exists); 535 holds it (failed, job held)", async () => {
  const server = await startServer();
  const net = await startOutageProxy(server.port);
  try {
    const dir = suiteDir("send-text");
    const outbox = await Outbox.open({ dir });
    const text = session(net.port, 302);
    text.message.attachments = [];
    const down = await sendViaOutbox({ outbox, session: text, passwordEnv: PASSWORD_ENV });
    assert.deepEqual([down.result.status, down.jobState], ["queued", "queued"]);
    assert.deepEqual((await outbox.get(down.jobId))!.scans, []);

    net.down = false;
    const wrong = session(net.port, 303);
    wrong.auth = { ...wrong.auth!, password: "wrong" };
    const refused = await sendViaOutbox({ outbox, session: wrong, passwordEnv: PASSWORD_ENV });
    assert.deepEqual([refused.result.status, refused.result.code, refused.jobState], ["failed", 535, "held"]);
    assert.equal((await outbox.get(refused.jobId))!.state, "held");
  } finally {
    await net.close();
    await server.close();
  }
});
