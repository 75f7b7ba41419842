// Stop, without a browser: while scanning nothing is stored or sent; while sending the stored job
// is deleted or kept as chosen and nothing counts as sent; a stop after the end changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimPanel, type SimPanel } from "../../host/sim/panel.js";
import type { PanelDone, PanelProgress } from "../../host/panel/server.js";

function start(sim: SimPanel, to = "accounting@contoso.com", pages = 3) {
  const progress: PanelProgress[] = [];
  let finish: (d: PanelDone) => void = () => {};
  const done = new Promise<PanelDone>((resolve) => { finish = resolve; });
  const jobId = sim.backend.startScan({ to: [to], subject: "", filename: "", pages, resolution: 300, colour: "colour" }, (p) => progress.push(p), (d) => finish(d));
  return { jobId, progress, done };
}

async function until(what: string, f: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("Stop while scanning: discarded, nothing stored, nothing sent", async () => {
  const sim = await startSimPanel({ scanRate: 256 * 1024 });
  try {
    const job = start(sim);
    await until("the scanner at work", () => job.progress.some((p) => p.stage === "scanning" && p.pagesScanned >= 1));
    assert.equal(sim.backend.stopScan(job.jobId, "discard"), true);
    const d = await job.done;
    assert.equal(d.stopped, "discarded");
    assert.ok(job.progress.every((p) => p.stage === "scanning"), "the send never began");
    assert.deepEqual(await sim.outbox.list(), []);
    assert.equal(sim.arrivals.length, 0);
    assert.equal(sim.backend.stopScan(job.jobId, "discard"), false, "a finished job cannot be stopped");
  } finally {
    await sim.close();
  }
});

test("Stop while sending, delete: the stored job is removed (report: cancelled) and nothing arrives", async () => {
  let release: () => void = () => {};
  const sim = await startSimPanel({ scanRate: 64 * 1024 * 1024, rcptGate: () => new Promise((r) => { release = r; }) });
  try {
    const job = start(sim, "accounting@contoso.com", 1);
    await until("the session at RCPT", () => job.progress.some((p) => p.stage === "sending" && p.bytesTotal > 0));
    assert.equal((await sim.outbox.list()).length, 1, "the scan is stored before it is sent");
    sim.backend.stopScan(job.jobId, "delete");
    const d = await job.done;
    release();
    assert.equal(d.stopped, "deleted");
    assert.notEqual(d.status, "sent");
    assert.deepEqual(await sim.outbox.list(), []);
    assert.ok((await sim.outbox.reports()).some((r) => r.final === "cancelled"));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.arrivals.length, 0, "nothing half-sent arrived");
  } finally {
    release();
    await sim.close();
  }
});

test("Stop while sending, keep: the job stays queued with every recipient pending", async () => {
  let release: () => void = () => {};
  const sim = await startSimPanel({ scanRate: 64 * 1024 * 1024, retryTickMs: 3_600_000, rcptGate: () => new Promise((r) => { release = r; }) });
  try {
    const job = start(sim, "frontdesk@contoso.com", 1);
    await until("the session at RCPT", () => job.progress.some((p) => p.stage === "sending" && p.bytesTotal > 0));
    sim.backend.stopScan(job.jobId, "keep");
    const d = await job.done;
    release();
    assert.equal(d.stopped, "kept");
    assert.equal(d.status, "queued");
    assert.match(d.nextAttemptAt ?? "", /^\d{4}-\d\d-\d\dT/);
    const [kept] = await sim.outbox.list();
    assert.equal(kept?.state, "queued");
    assert.deepEqual(kept?.recipients.map((r) => r.state), ["pending"]);
    assert.equal(sim.arrivals.length, 0);
  } finally {
    release();
    await sim.close();
  }
});

test("the outcome in both panel languages comes with the done event", async () => {
  const sim = await startSimPanel({ scanRate: 64 * 1024 * 1024 });
  try {
    const job = start(sim, "accounting@contoso.com", 1);
    const d = await job.done;
    assert.deepEqual(d.texts, { outcome: { en: "Sent", de: "Gesendet" }, message: { en: "Sent.", de: "Gesendet." } });
    assert.deepEqual(job.progress.find((p) => p.stage === "scanning")?.step, { key: "phase.scanning", values: { page: 1, pages: 1 } });
  } finally {
    await sim.close();
  }
});
