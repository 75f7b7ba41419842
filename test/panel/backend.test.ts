// The panel backend without a browser: defaults, input checks, scan sizes, the simulator retrying
// a deferred recipient by itself once its backoff has run out, and the chunking MTA path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
import { defaultBoard } from "../../host/config/board.js";
import { bytesPerPage, type FinishedScan } from "../../host/panel/backend.js";
import { startSimPanel } from "../../host/sim/panel.js";
import { PanelInputError, type PanelDone, type PanelProgress, type ScanRequest } from "../../host/panel/server.js";

function scan(backend: Awaited<ReturnType<typeof startSimPanel>>["backend"], req: Partial<ScanRequest>): Promise<{ done: PanelDone; progress: PanelProgress[] }> {
  return new Promise((resolve, reject) => {
    const progress: PanelProgress[] = [];
    const t = setTimeout(() => reject(new Error("scan did not finish in 60 s")), 60_000);
    backend.startScan({ to: ["accounting@contoso.com"], subject: "", filename: "", pages: 2, resolution: 150, colour: "mono", ...req },
      (p) => progress.push(p), (done) => { clearTimeout(t); resolve({ done, progress }); });
  });
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("scan sizes grow with resolution² and colour depth", () => {
  assert.equal(bytesPerPage(150, "mono"), 25 * 1024);
  assert.equal(bytesPerPage(300, "mono"), 4 * 25 * 1024);
  assert.equal(bytesPerPage(300, "grey"), 3 * 4 * 25 * 1024);
  assert.equal(bytesPerPage(600, "colour"), 6 * 16 * 25 * 1024);
});

test("defaults, refused input, custom subject and file name", async () => {
  const finished: FinishedScan[] = [];
  const sim = await startSimPanel({ now: () => new Date(2026, 0, 2, 3, 4), onFinished: (f) => finished.push(f) });
  try {
    const st = sim.backend.state();
    assert.deepEqual(st.defaults, { subject: "Scan from sim-desktop (simulator)", filename: "Scan_2026-01-02_0304.pdf" });
    assert.equal(st.me, "scanner@sim.mfp-mail.test");
    const noop = () => {};
    const base: ScanRequest = { to: ["a@contoso.com"], subject: "", filename: "", pages: 1, resolution: 150, colour: "mono" };
    assert.throws(() => sim.backend.startScan({ ...base, to: [" ", ""] }, noop, noop), (e) => e instanceof PanelInputError && /at least one recipient/.test(e.message));
    assert.throws(() => sim.backend.startScan({ ...base, to: ["a@contoso.com", "b@"] }, noop, noop), (e) => e instanceof PanelInputError && /"b@" is not an e-mail address/.test(e.message));
    assert.throws(() => sim.backend.startScan({ ...base, filename: "../x.pdf" }, noop, noop), PanelInputError);

    const { done, progress } = await scan(sim.backend, { subject: "Invoices März", filename: "invoices", pages: 3 });
    assert.equal(done.status, "sent");
    assert.deepEqual(progress.map((p) => p.phase).filter((p, i, a) => a.indexOf(p) === i).slice(0, 3), ["Scanning page 1 of 3", "Scanning page 2 of 3", "Scanning page 3 of 3"]);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesSent >= progress[i - 1]!.bytesSent), "bytes sent never go backwards");
    const mail = await simpleParser(sim.arrivals[0]!.raw);
    assert.equal(mail.subject, "Invoices März");
    assert.equal(mail.attachments[0]!.filename, "invoices.pdf");
    assert.equal(mail.attachments[0]!.size, 3 * 25 * 1024 + 8192);
    assert.equal(createHash("sha256").update(mail.attachments[0]!.content).digest("hex"), finished[0]!.scan.sha256);
  } finally {
    await sim.close();
  }
});

test("a deferred recipient is retried by the simulator itself when its backoff runs out", async () => {
  const board = defaultBoard();
  board.retry = { ...board.retry, initialDelay: 1000, maxDelay: 1000, jitter: 0 };
  let busy = true;
  const sim = await startSimPanel({
    board, retryTickMs: 200,
    rcptReply: (a) => (busy && a === "frontdesk@contoso.com" ? [450, "4.2.1 Mailbox busy"] : null),
  });
  try {
    const { done } = await scan(sim.backend, { to: ["accounting@contoso.com", "frontdesk@contoso.com"] });
    assert.deepEqual({ status: done.status, userMessage: done.userMessage }, { status: "partial", userMessage: "Sent to 1 of 2 recipients; 1 recipient will be retried." });
    const rows = await sim.backend.outbox();
    assert.equal(rows.length, 1);
    const { recipients, delivered, state, attempts, files, pages } = rows[0]!;
    assert.deepEqual({ recipients, delivered, state, attempts, pages }, { recipients: ["frontdesk@contoso.com"], delivered: 1, state: "retrying", attempts: 1, pages: 2 });
    assert.match(files[0]!, /^Scan_\d{4}-\d\d-\d\d_\d{4}\.pdf$/);
    busy = false;
    await until("the automatic retry", async () => (await sim.outbox.list()).length === 0);
    assert.equal(sim.arrivals.length, 2);
    assert.deepEqual(sim.arrivals[1]!.to, ["frontdesk@contoso.com"]);
  } finally {
    await sim.close();
  }
});

test("chunking MTA: the panel's scan goes out as BDAT with BINARYMIME", async () => {
  const sim = await startSimPanel({ mta: "chunking" });
  try {
    const { done } = await scan(sim.backend, { pages: 2 });
    assert.equal(done.status, "sent", done.userMessage);
    assert.match(sim.arrivals[0]!.via, /BDAT/i);
    assert.match(sim.arrivals[0]!.via, /BINARYMIME/i);
    const mail = await simpleParser(sim.arrivals[0]!.raw);
    assert.equal(mail.attachments[0]!.size, 2 * 25 * 1024 + 8192);
  } finally {
    await sim.close();
  }
});

test("--no-tls --auth none: a plain loopback server without sign-in still receives the scan", async () => {
  const sim = await startSimPanel({ tls: false, auth: "none" });
  try {
    const { done, progress } = await scan(sim.backend, { pages: 1 });
    assert.equal(done.status, "sent", done.userMessage);
    assert.equal(sim.arrivals[0]!.tls, false);
    const phases = new Set(progress.map((p) => p.phase));
    assert.ok(!phases.has("Securing") && !phases.has("Signing in"), [...phases].join(" | "));
  } finally {
    await sim.close();
  }
});

test("a scan above the board's split size goes out as several messages and the panel says so", async () => {
  const finished: FinishedScan[] = [];
  // The simulator's server announces a SIZE above the scan: with splitAtServerSize (the shipped
  // default) it would go as one message, so this board splits at its own splitAbove.
  const board = defaultBoard();
  board.message.splitAtServerSize = false;
  const sim = await startSimPanel({ board, scanRate: 1e9, onFinished: (f) => finished.push(f) });
  try {
    // 12 pages at 600 dpi colour ≈ 28 MiB > sim-desktop's message.splitAbove (25 MiB).
    const { done, progress } = await scan(sim.backend, { pages: 12, resolution: 600, colour: "colour" });
    assert.deepEqual({ status: done.status, userMessage: done.userMessage }, { status: "sent", userMessage: "Sent. It went out as 2 messages." });
    assert.ok(progress.some((p) => p.phase === "Sending part 2 of 2"), progress.map((p) => p.phase).join(" | "));
    assert.equal(sim.arrivals.length, 2);
    const whole = createHash("sha256");
    for (const a of sim.arrivals) for (const att of (await simpleParser(a.raw)).attachments) whole.update(att.content);
    assert.equal(whole.digest("hex"), finished[0]!.scan.sha256, "the parts together are the scan");
  } finally {
    await sim.close();
  }
});

test("File type TIFF: a multi-page TIFF named .tif arrives intact", async () => {
  const finished: FinishedScan[] = [];
  const sim = await startSimPanel({ now: () => new Date(2026, 10, 23, 10, 42), onFinished: (f) => finished.push(f) });
  try {
    const { done } = await scan(sim.backend, { pages: 3, format: "tiff", filename: "archive.pdf" });
    assert.equal(done.status, "sent", done.userMessage);
    const att = (await simpleParser(sim.arrivals[0]!.raw)).attachments[0]!;
    assert.equal(att.filename, "archive.tif");
    assert.equal(att.contentType, "image/tiff");
    assert.equal(att.content.subarray(0, 4).toString("latin1"), "II*\0", "little-endian TIFF header");
    assert.equal(createHash("sha256").update(att.content).digest("hex"), finished[0]!.scan.sha256);
    const { done: d2 } = await scan(sim.backend, { pages: 1, format: "tiff" });
    assert.equal(d2.status, "sent");
    assert.equal((await simpleParser(sim.arrivals[1]!.raw)).attachments[0]!.filename, "Scan_2026-11-23_1042.tif");
  } finally {
    await sim.close();
  }
});
