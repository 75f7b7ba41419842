// A connection cut at every protocol step: a loopback proxy forwards exactly N bytes from the
// server and then closes both sides, for N from 1 to the length of a whole session. Every run
// must end delivered after a retry — and a job may leave the queue only when the server really
// has the message (its final 250 was read).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox } from "../../host/outbox/index.js";
import { conn, FakeClock, msg, realDeliver, scanBytes, scanSource, sha256, startCutProxy, startServer, suiteDir, TEST_USER } from "./helpers.js";

const RETRY = { initialDelay: 1000, maxDelay: 4000, multiplier: 2, jitter: 0, maxAttempts: 20, giveUpAfter: 3_600_000 };

test("cut after the N-th server byte, for every N across a session: delivered after retry, never lost", async () => {
  const server = await startServer();
  const proxy = await startCutProxy(server.port);
  try {
    const clock = new FakeClock();
    const ob = await Outbox.open({ dir: suiteDir("cut"), retry: RETRY, clock });
    const deliver = realDeliver();
    const enqueue = (n: number) =>
      ob.enqueue({
        from: TEST_USER,
        recipients: ["a@contoso.test", "b@contoso.test"],
        message: msg(`cut ${n}`, ["a@contoso.test", "b@contoso.test"]),
        connection: conn(proxy.port, "login"),
        scans: [scanSource(n, 40_000)],
      });

    // Measure one whole session's server bytes through the proxy.
    proxy.cutAfter = Infinity;
    const probe = await enqueue(-1);
    assert.equal((await ob.deliverNow(probe.id, deliver)).kind, "done");
    const total = proxy.lastServerBytes;
    assert.ok(total > 100, `a session is ${total} server bytes`);

    // Every protocol step: just before, at and just after each of the server's replies ends,
    // plus a few cuts inside reply lines.
    const cuts = new Set<number>([0, 1]);
    for (const b of proxy.lastBoundaries) for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d <= total) cuts.add(b + d);
    for (let i = 0; i < 8; i++) cuts.add(Math.floor(Math.random() * total));
    for (let n = 0; n < total; n += 16) cuts.add(n);
    let retried = 0;
    for (const n of [...cuts].sort((a, b) => a - b)) {
      const before = server.received.filter((m) => m.subject === `cut ${n}`).length;
      assert.equal(before, 0);
      const job = await enqueue(n);
      proxy.cutAfter = n;
      const first = await ob.deliverNow(job.id, deliver);
      const arrived = server.received.filter((m) => m.subject === `cut ${n}`).length;
      if (first.kind === "done") {
        // Removed from the queue ⇒ the server has it (the 250 was read before the cut).
        assert.equal(first.report.final, "sent", `N=${n}: ${first.report.summary}`);
        assert.ok(arrived >= 1, `N=${n}: job left the queue but the server has no message`);
      } else {
        assert.equal(first.kind, "retry", `N=${n}: ${first.kind}`);
        retried++;
        proxy.cutAfter = Infinity;
        clock.t = first.kind === "retry" ? first.at : clock.t;
        const pass = await ob.runDue(deliver);
        assert.deepEqual(pass.outcomes.map((o) => o.kind), ["done"], `N=${n}: retry delivers`);
      }
      const got = server.received.filter((m) => m.subject === `cut ${n}`);
      assert.ok(got.length >= 1 && got.length <= 2, `N=${n}: delivered ${got.length}×`);
      for (const m of got) assert.equal(m.attachments[0]!.sha256, sha256(scanBytes(n, 40_000)));
      assert.deepEqual(await ob.store.ids(), []);
    }
    console.log(`# cut: session of ${total} server bytes in ${proxy.lastBoundaries.length} writes; ${cuts.size} cut points; ${retried} runs needed a retry`);
    assert.ok(retried > cuts.size / 2, "most cuts forced a retry");
  } finally {
    await proxy.close();
    await server.close();
  }
});

test("BDAT … LAST (CHUNKING + BINARYMIME): cut at every reply boundary → delivered after retry, removed only after the last 250", async () => {
  const { simpleParser } = await import("mailparser");
  const { startChunkingMta } = await import("../../host/sim/chunking-mta.js");
  const { TEST_PASSWORD } = await import("./helpers.js");
  const mta = await startChunkingMta({ authenticate: (_m, u, p) => u === TEST_USER && p === TEST_PASSWORD });
  const proxy = await startCutProxy(mta.port);
  try {
    const clock = new FakeClock();
    const ob = await Outbox.open({ dir: suiteDir("cut-bdat"), retry: RETRY, clock });
    const deliver = realDeliver();
    const SIZE = 300_000;
    const arrived = async (n: number) => {
      let count = 0;
      for (const m of mta.messages) {
        const mail = await simpleParser(m.data!);
        if (mail.subject !== `bdat ${n}`) continue;
        assert.equal(m.via, "BDAT");
        assert.equal(sha256(mail.attachments[0]!.content), sha256(scanBytes(n, SIZE)), `bdat ${n} byte-identical`);
        count++;
      }
      return count;
    };
    const enqueue = (n: number) =>
      ob.enqueue({ from: TEST_USER, recipients: ["a@contoso.test"], message: msg(`bdat ${n}`, ["a@contoso.test"]), connection: conn(proxy.port, "plain"), scans: [scanSource(n, SIZE)] });
    proxy.cutAfter = Infinity;
    const probe = await enqueue(-1);
    assert.equal((await ob.deliverNow(probe.id, deliver)).kind, "done");
    assert.equal(await arrived(-1), 1);
    const total = proxy.lastServerBytes;
    const cuts = new Set<number>();
    for (const b of proxy.lastBoundaries) for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d <= total) cuts.add(b + d);
    for (const n of [...cuts].sort((a, b) => a - b)) {
      const job = await enqueue(n);
      proxy.cutAfter = n;
      const first = await ob.deliverNow(job.id, deliver);
      if (first.kind === "done") assert.ok((await arrived(n)) >= 1, `N=${n}: removed but not received`);
      else {
        assert.equal(first.kind, "retry", `N=${n}`);
        proxy.cutAfter = Infinity;
        if (first.kind === "retry") clock.t = first.at;
        assert.deepEqual((await ob.runDue(deliver)).outcomes.map((o) => o.kind), ["done"], `N=${n}`);
      }
      const c = await arrived(n);
      assert.ok(c >= 1 && c <= 2, `N=${n}: ${c}×`);
    }
    assert.deepEqual(await ob.store.ids(), []);
    console.log(`# cut-bdat: session of ${total} server bytes in ${proxy.lastBoundaries.length} writes; ${cuts.size} cut points`);
  } finally {
    await proxy.close();
    await mta.close();
  }
});
