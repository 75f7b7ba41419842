// Every panel screen on the three touch screens the panel is made for (800×480, 1024×600,
// 1280×800), in Debian's chromium: idle, scanning, the Stop question, sending, done, failed,
// held, the Outbox, the Cancel question, sign-in and setup — each measured (targets ≥ 48×48 px,
// text ≥ 16 px, nothing cut off) and checked by axe-core (0 violations). On the way, Stop is
// pressed for real: while scanning (nothing stored, nothing sent) and while sending (the scan
// kept in the Outbox, nothing counted as sent). Screenshots go to test/artifacts/; with
// MFP_UPDATE_DOCS=1 one per size is copied to docs/ (docs/panel.md shows them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startSimPanel, type SimPanel } from "../../host/sim/panel.js";
import { openPanel, artifactPath, chromiumMissing, PANEL_SIZES, type PanelBrowser } from "./browser.js";
import { assertTouchGrade } from "./touch.js";

const skip = chromiumMissing();
// A fixed device clock: file names, the status-bar clock and the screenshots stay the same.
const NOW = new Date(2026, 10, 23, 10, 42, 0);
const DOCS = join(import.meta.dirname, "..", "..", "docs");
/** The picture of each size that docs/panel.md shows. */
const DOC_SHOTS: Record<number, string> = { 800: "done", 1024: "sending", 1280: "outbox" };

/** RCPT TO waits while the gate is shut: a send that lasts until the test has pressed Stop. */
let gateShut = false;
let openGate: () => void = () => {};
function gate(): Promise<void> {
  return gateShut ? new Promise((resolve) => { openGate = resolve; }) : Promise.resolve();
}

const sims: SimPanel[] = [];
after(async () => {
  openGate();
  for (const s of sims) await s.close();
});

async function screen(page: Page, size: { width: number; height: number }, name: string): Promise<void> {
  await assertTouchGrade(page, `${size.width}px ${name}`);
  const shot = await artifactPath(`panel-${size.width}-${name}.png`);
  await page.screenshot({ path: shot });
  if (process.env.MFP_UPDATE_DOCS === "1" && DOC_SHOTS[size.width] === name) await copyFile(shot, join(DOCS, `panel-${size.width}x${size.height}.png`));
}

async function newScan(page: Page, to: string, pages = 2): Promise<void> {
  if (await page.isVisible("#done-button")) {
    await page.click("#done-button");
    await page.waitForFunction(() => document.activeElement?.id === "to");
  }
  await page.fill("#to", to);
  await page.fill("#pages", String(pages));
  await page.click("#scan-button");
}

async function ended(page: Page): Promise<void> {
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
}

for (const size of PANEL_SIZES) {
  test(`${size.width}×${size.height}: every screen is touch-grade and passes axe; Stop while scanning and while sending`, { skip }, async () => {
    const sim = await startSimPanel({
      now: () => NOW, scanRate: 512 * 1024, rcptGate: gate,
      rcptReply: (a) => (a.startsWith("nobody@") ? [550, "5.1.1 No such user"] : a.startsWith("held@") ? [530, "5.7.0 Authentication required"] : null),
    });
    sims.push(sim);
    let ui: PanelBrowser | null = null;
    try {
      ui = await openPanel(sim.url, size);
      const { page } = ui;
      const shot = (name: string) => screen(page, size, name);
      await shot("idle");

      // Scanning: pages are counted; Stop asks first, then discards — nothing stored, nothing sent.
      // 12 pages at 512 KiB/s take about 14 s: the scanner is still at work when Stop is confirmed.
      await newScan(page, "accounting@contoso.com", 12);
      await page.waitForFunction(() => /^Page \d+ of 12 scanned$/.test(document.getElementById("detail")?.textContent ?? ""));
      assert.match(await page.textContent("#phase") ?? "", /^Scanning page \d+ of 12$/);
      assert.equal(await page.isVisible("#stop-button"), true);
      await shot("scanning");
      await page.click("#stop-button");
      await page.waitForSelector("#dialog:not([hidden])");
      assert.equal(await page.textContent("#dialog-title"), "Stop scanning?");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Continue", "the safe choice has the focus");
      await shot("stop-scanning");
      await page.click("#dialog-actions >> text=Stop and discard");
      await ended(page);
      assert.equal(await page.textContent("#phase"), "Stopped");
      assert.equal(await page.textContent("#message"), "Stopped. The scan was discarded; nothing was stored or sent.");
      assert.deepEqual(await sim.outbox.list(), []);
      assert.equal(sim.arrivals.length, 0);

      // Sending: the session waits at RCPT; Stop keeps the stored scan in the Outbox, nothing sent.
      gateShut = true;
      await newScan(page, "accounting@contoso.com", 1);
      await page.waitForFunction(() => /^[\d.]+ (B|KiB|MiB) of [\d.]+ (B|KiB|MiB) sent/.test(document.getElementById("detail")?.textContent ?? ""), undefined, { timeout: 30_000 });
      await shot("sending");
      await page.click("#stop-button");
      await page.waitForSelector("#dialog:not([hidden])");
      assert.equal(await page.textContent("#dialog-title"), "Stop sending?");
      await shot("stop-sending");
      await page.click("#dialog-actions >> text=Stop, keep in Outbox");
      await ended(page);
      gateShut = false;
      openGate();
      assert.equal(await page.textContent("#phase"), "Stopped");
      assert.match(await page.textContent("#message") ?? "", /^Stopped\. Nothing was sent; the scan waits in the Outbox \(next try (\d{4}-\d\d-\d\d )?\d\d:\d\d\)\.$/);
      const kept = await sim.outbox.list();
      assert.equal(kept.length, 1, "the stopped scan is kept");
      assert.equal(kept[0]!.recipients[0]!.state, "pending", "nothing counted as sent");
      assert.equal(sim.arrivals.length, 0);
      await sim.outbox.cancel(kept[0]!.id);

      await newScan(page, "accounting@contoso.com", 1);
      await ended(page);
      assert.equal(await page.textContent("#phase"), "Sent");
      await shot("done");

      await newScan(page, "nobody@contoso.com", 1);
      await ended(page);
      assert.equal(await page.textContent("#phase"), "Not sent");
      await shot("failed");

      await newScan(page, "held@contoso.com", 1);
      await ended(page);
      assert.equal(await page.textContent("#phase"), "Held");
      await shot("held");

      // The Outbox: the held job, its details in plain words, and Cancel asks before it deletes.
      await page.click(".tab[data-screen=outbox]");
      await page.waitForSelector("#outbox-rows li.job.held");
      assert.match(await page.textContent("#outbox-rows li.job .what") ?? "", /^Scan_2026-11-23_1042\.pdf · 1 page · \d+ KiB$/);
      // The Outbox's times come from the outbox's clock (the real one): today's carry no date.
      assert.match(await page.textContent("#outbox-rows li.job .to") ?? "", /^To held@contoso\.com · Scanned (\d{4}-\d\d-\d\d )?\d\d:\d\d$/);
      assert.equal(await page.textContent("#outbox-rows li.job .state"), "⚠ Held: waits for you");
      await shot("outbox");
      await page.click("#outbox-rows li.job [data-action=cancel]");
      await page.waitForSelector("#dialog:not([hidden])");
      assert.equal(await page.textContent("#dialog-title"), "Cancel this scan?");
      await shot("cancel-confirm");
      await page.click("#dialog-actions >> text=Keep it");
      assert.equal((await sim.outbox.list()).length, 1, "Keep it keeps it");

      await page.click(".tab[data-screen=signin]");
      await page.click("#signin-start");
      await page.waitForSelector("#signin-code:not([hidden])");
      await shot("signin");

      await page.click(".tab[data-screen=setup]");
      await page.click("#doctor-run");
      await page.waitForSelector("#checklist li.ok");
      await shot("setup");
    } finally {
      await ui?.close();
    }
  });
}
