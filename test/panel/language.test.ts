// The panel's language and clock come from the board (panel.language, panel.clock) and the
// language can be switched on the panel: labels, progress, the outcome sentence and the Outbox
// follow at once, in a real browser; the German screen is touch-grade and passes axe too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { defaultBoard } from "../../host/config/board.js";
import { startSimPanel, type SimPanel } from "../../host/sim/panel.js";
import { openPanel, artifactPath, chromiumMissing, type PanelBrowser } from "./browser.js";
import { assertTouchGrade } from "./touch.js";

const skip = chromiumMissing();
const NOW = new Date(2026, 10, 23, 14, 5, 0);
let sim: SimPanel;
let ui: PanelBrowser;

before(async () => {
  if (skip) return;
  const board = { ...defaultBoard(), panel: { language: "de" as const, clock: "12h" as const } };
  sim = await startSimPanel({ board, now: () => NOW, scanRate: 64 * 1024 * 1024 });
  ui = await openPanel(sim.url);
});

after(async () => {
  await ui?.close();
  await sim?.close();
});

test("a German board: German labels, a 12-hour clock, and the outcome in German; then switched to English", { skip }, async () => {
  const { page } = ui;
  assert.equal(await page.getAttribute("html", "lang"), "de");
  assert.equal(await page.textContent(".tab[data-screen=outbox] [data-t]"), "Postausgang");
  assert.equal(await page.textContent("label[for=to]"), "An");
  assert.equal(await page.textContent("#scan-button"), "Scan an E-Mail");
  assert.equal(await page.textContent("#clock"), "2:05 PM");
  assert.equal(await page.textContent("#lang-switch"), "English");
  await assertTouchGrade(page, "German idle");
  await page.screenshot({ path: await artifactPath("panel-de-idle.png") });

  await page.fill("#to", "accounting@contoso.com");
  await page.fill("#pages", "1");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
  assert.equal(await page.textContent("#phase"), "Gesendet");
  assert.equal(await page.textContent("#message"), "Gesendet.");
  assert.equal(await page.textContent("#done-button"), "Neuer Scan");
  await assertTouchGrade(page, "German done");

  await page.click("#lang-switch");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.textContent("#phase"), "Sent");
  assert.equal(await page.textContent("#message"), "Sent.");
  assert.equal(await page.textContent("#done-button"), "New scan");
  assert.equal(await page.textContent(".tab[data-screen=outbox] [data-t]"), "Outbox");
  assert.equal(await page.textContent("#lang-switch"), "Deutsch");
  assert.equal(await page.getAttribute("#lang-switch", "lang"), "de");
});

test("a refused address is told in the panel's language", { skip }, async () => {
  const { page } = ui;
  await page.click("#lang-switch"); // back to German
  await page.click("#done-button");
  await page.fill("#to", "kein-adresse");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])");
  assert.equal(await page.textContent("#phase"), "Nicht gesendet");
  assert.match(await page.textContent("#message") ?? "", /^„kein-adresse“ ist keine E-Mail-Adresse: /);
  assert.equal(sim.arrivals.length, 1);
});
