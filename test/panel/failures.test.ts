// What the panel says when sending cannot work, in a real browser: a wrong password (held in the
// Outbox with an alert, the Setup check shows the same refusal) and a refused address.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { defaultBoard } from "../../host/config/board.js";
import { startSimPanel, type SimPanel } from "../../host/sim/panel.js";
import type { FinishedScan } from "../../host/panel/backend.js";
import { openPanel, artifactPath, chromiumMissing, type PanelBrowser } from "./browser.js";

const skip = chromiumMissing();
let sim: SimPanel;
let ui: PanelBrowser;
const finished: FinishedScan[] = [];

before(async () => {
  if (skip) return;
  sim = await startSimPanel({ wrongPassword: true, onFinished: (f) => finished.push(f) });
  ui = await openPanel(sim.url);
});

after(async () => {
  await ui?.close();
  await sim?.close();
});

test("wrong password: held, the sign-in message from the reply classification, an alert on the Outbox", { skip }, async () => {
  const { page } = ui;
  await page.click('#address-book [data-address="accounting@contoso.com"]');
  await page.fill("#pages", "2");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
  assert.equal(await page.textContent("#phase"), "Held");
  // replies.ts AUTH_FAILED, one sentence from the outcome-text catalogue.
  assert.equal(await page.textContent("#message"), "Sign-in failed; check the user name and password. The scan is held in the Outbox until someone fixes the cause and retries it.");
  assert.match(await page.getAttribute("#message", "class") ?? "", /\berror\b/);
  await page.screenshot({ path: await artifactPath("panel-wrong-password.png") });
  assert.equal(sim.arrivals.length, 0, "nothing arrived");
  assert.equal(finished.at(-1)?.result.id, "AUTH_FAILED");
  assert.equal(finished.at(-1)?.result.code, 535);
  // A failure a person must fix is not retried by itself, and the scan is not dropped either.
  const [job] = await sim.outbox.list();
  assert.equal(job?.state, "held");
  await page.click(".tab[data-screen=outbox]");
  await page.waitForSelector("#outbox-rows li.job.held");
  assert.match(await page.textContent("#outbox-alerts") ?? "", /⚠ 1 held: fix the cause, then Retry now, or Cancel/);
  // No next try: it waits for a person; the reason instead of the last message.
  assert.equal(await page.textContent("#outbox-rows li.held .state"), "⚠ Held: waits for you");
  assert.match(await page.textContent("#outbox-rows li.held .why") ?? "", /^Held on the device until the settings or the account are fixed: Sign-in failed/);
  assert.equal(await page.textContent("#outbox-count"), "1 ⚠");
  assert.match(await page.getAttribute("#outbox-count", "class") ?? "", /\balert\b/);
  await page.screenshot({ path: await artifactPath("panel-outbox-held.png") });
  assert.equal(sim.arrivals.length, 0);
});

test("Setup: the doctor checklist shows the refused sign-in with its fix", { skip }, async () => {
  const { page } = ui;
  await page.click(".tab[data-screen=setup]");
  await page.click("#doctor-run");
  await page.waitForSelector("#checklist li.error", { timeout: 60_000 });
  const items = await page.$$eval("#checklist li", (ls) => ls.map((l) => `${l.className}: ${l.textContent}`));
  assert.ok(items.some((t) => /^ok: STARTTLS: TLSv1\.[23]/.test(t)), items.join("\n"));
  assert.ok(items.some((t) => /^error: .*535/.test(t)), items.join("\n"));
  await page.screenshot({ path: await artifactPath("panel-setup.png") });
});

test("outbox full: the scan is refused at once and the panel says why (even before the POST answers)", { skip }, async () => {
  const board = defaultBoard();
  board.message.splitAbove = 65536;
  board.outbox.maxBytes = 65536;
  const small = await startSimPanel({ board, scanRate: 1e9 });
  const b = await openPanel(small.url).catch(async (e) => { await small.close(); throw e; });
  try {
    // Hold the POST's answer back for a second: the job's events arrive first and must be replayed.
    await b.page.route("**/api/scan", async (route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 1000));
      await route.fulfill({ response });
    });
    await b.page.fill("#to", "accounting@contoso.com");
    await b.page.fill("#pages", "3");
    await b.page.click("#scan-button");
    await b.page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
    assert.equal(await b.page.textContent("#phase"), "Not sent");
    assert.match(await b.page.textContent("#message") ?? "", /^The device could not store the scan, so nothing was sent\. Queued scans would take \d+ bytes, over the outbox limit of 65536/);
    assert.equal(small.arrivals.length, 0);
  } finally {
    await b.close();
    await small.close();
  }
});
