// A recipient the server defers (450) in a real browser: the panel says "Sent to 2 of 3 — 1
// recipient will be retried", the Outbox screen lists the job with its next try and last message,
// Retry now delivers it, Cancel drops it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { startSimPanel, type SimPanel } from "../../host/sim/panel.js";
import { openPanel, artifactPath, chromiumMissing, type PanelBrowser } from "./browser.js";

const skip = chromiumMissing();
const BUSY = "frontdesk@contoso.com";
let refuse = true;
let allBusy = false;
let sim: SimPanel;
let ui: PanelBrowser;

before(async () => {
  if (skip) return;
  sim = await startSimPanel({ rcptReply: (a) => (allBusy ? [451, "4.3.0 Temporary server error, try again later"] : refuse && a === BUSY ? [450, "4.2.1 Mailbox busy, try again later"] : null) });
  ui = await openPanel(sim.url);
});

after(async () => {
  await ui?.close();
  await sim?.close();
});

async function sendToAllThree(): Promise<void> {
  const { page } = ui;
  await page.click(".tab[data-screen=scan]");
  if (await page.isVisible("#done-button")) {
    await page.click("#done-button");
    // New scan reloads the state (re-rendering the address book) and then focuses To: wait for it.
    await page.waitForFunction(() => document.activeElement?.id === "to");
  }
  await page.fill("#to", "");
  for (const b of await page.$$("#address-book .chip")) await b.click();
  await page.fill("#pages", "2");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
}

test("450 for one recipient: partly sent, the job waits in the Outbox, Retry now delivers it", { skip }, async () => {
  const { page } = ui;
  await sendToAllThree();
  assert.equal(await page.textContent("#phase"), "Partly sent");
  assert.equal(await page.textContent("#message"), "Sent to 2 of 3 recipients; 1 recipient will be retried.");
  assert.match(await page.getAttribute("#message", "class") ?? "", /\bwarn\b/);
  assert.equal(sim.arrivals.length, 1);
  assert.deepEqual(sim.arrivals[0]!.to.sort(), ["accounting@contoso.com", "scanner@contoso.com"]);
  await page.waitForFunction(() => document.getElementById("outbox-count")?.textContent === "1");

  await page.click(".tab[data-screen=outbox]");
  await page.waitForSelector("#outbox-rows li.job button");
  const line = (cls: string) => page.textContent(`#outbox-rows li.job:first-child .${cls}`);
  // What, to whom, where it stands and what the last try said — in plain words, one clock format.
  assert.match(await line("what") ?? "", /^Scan_\d{4}-\d\d-\d\d_\d{4}\.pdf · 2 pages · [\d.]+ (KiB|MiB)$/);
  assert.match(await line("to") ?? "", new RegExp(`^To ${BUSY} · 2 already delivered · Scanned \\d\\d:\\d\\d$`));
  assert.match(await line("state") ?? "", /^Tried once · next try \d\d:\d\d$/);
  assert.match(await line("last") ?? "", /^Last answer: Sent to 2 of 3/);
  await page.screenshot({ path: await artifactPath("panel-outbox.png") });

  refuse = false;
  await page.click(`#outbox-rows button[aria-label^="Retry now"]`);
  await page.waitForSelector("#outbox-empty:not([hidden])");
  assert.equal(sim.arrivals.length, 2);
  assert.deepEqual(sim.arrivals[1]!.to, [BUSY]);
  const first = await simpleParser(sim.arrivals[0]!.raw);
  const retried = await simpleParser(sim.arrivals[1]!.raw);
  // The retry carries the same scan, byte for byte.
  assert.ok(retried.attachments[0]!.content.equals(first.attachments[0]!.content));
  assert.deepEqual(await sim.outbox.list(), []);
});

test("Cancel drops a waiting job without sending it", { skip }, async () => {
  const { page } = ui;
  refuse = true;
  await sendToAllThree();
  assert.equal(await page.textContent("#phase"), "Partly sent");
  const arrived = sim.arrivals.length;
  await page.click(".tab[data-screen=outbox]");
  await page.waitForSelector(`#outbox-rows button[aria-label^="Cancel"]`);
  // Cancel asks first: "Keep it" keeps the job, "Delete scan" removes it.
  await page.click(`#outbox-rows button[aria-label^="Cancel"]`);
  await page.waitForSelector("#dialog:not([hidden])");
  assert.match(await page.textContent("#dialog-text") ?? "", /^Scan_.*\.pdf · \d\d:\d\d is deleted from the Outbox and not sent\.$/);
  await page.click("#dialog-actions >> text=Keep it");
  assert.equal((await sim.outbox.list()).length, 1);
  await page.click(`#outbox-rows button[aria-label^="Cancel"]`);
  await page.click("#dialog-actions >> text=Delete scan");
  await page.waitForSelector("#outbox-empty:not([hidden])");
  assert.deepEqual(await sim.outbox.list(), []);
  const reports = await sim.outbox.reports();
  assert.equal(reports.filter((r) => r.final === "cancelled").length, 1, JSON.stringify(reports));
  assert.equal(sim.arrivals.length, arrived);
});

test("every recipient deferred: Will retry, the whole job waits in the Outbox and Retry now sends it", { skip }, async () => {
  const { page } = ui;
  allBusy = true;
  const arrived = sim.arrivals.length;
  await sendToAllThree();
  assert.equal(await page.textContent("#phase"), "Will retry");
  assert.match(await page.textContent("#message") ?? "", /will retry.*The scan waits in the Outbox\.$/i);
  assert.match(await page.getAttribute("#message", "class") ?? "", /\bwarn\b/);
  assert.equal(sim.arrivals.length, arrived);
  const jobs = await sim.outbox.list();
  assert.equal(jobs.length, 1);
  assert.deepEqual(jobs[0]!.recipients.map((r) => r.state), ["pending", "pending", "pending"]);
  allBusy = false;
  refuse = false;
  await page.click(".tab[data-screen=outbox]");
  await page.click(`#outbox-rows button[aria-label^="Retry now"]`);
  await page.waitForSelector("#outbox-empty:not([hidden])");
  assert.equal(sim.arrivals.length, arrived + 1);
  assert.equal(sim.arrivals.at(-1)!.to.length, 3);
});
