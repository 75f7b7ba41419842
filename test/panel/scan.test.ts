// The front panel in a real browser (Debian chromium via playwright-core) against the simulator's
// embedded SMTP server: press Scan to Email, watch the phases, read what arrived with mailparser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import type { Page } from "playwright-core";
import { startSimPanel, SIM_ACCOUNT, type SimPanel } from "../../host/sim/panel.js";
import type { FinishedScan } from "../../host/panel/backend.js";
import { openPanel, artifactPath, chromiumMissing, type PanelBrowser } from "./browser.js";

const skip = chromiumMissing();
// A fixed host clock: the default file name and subject are derived from it.
const NOW = new Date(2026, 10, 23, 10, 42, 0);

let sim: SimPanel;
let ui: PanelBrowser;
const finished: FinishedScan[] = [];

before(async () => {
  if (skip) return;
  sim = await startSimPanel({ now: () => NOW, scanRate: 4 * 1024 * 1024, onFinished: (f) => finished.push(f) });
  ui = await openPanel(sim.url);
});

after(async () => {
  await ui?.close();
  await sim?.close();
});

async function waitFor<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The send has ended when the New scan button appears; then the phase must read `phase`. */
async function waitForEnd(page: Page, phase: string): Promise<void> {
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
  assert.equal(await page.textContent("#phase"), phase, `panel message: ${await page.textContent("#message")}`);
}

test("idle panel: defaults from the host clock and the board's address book", { skip }, async () => {
  const { page } = ui;
  assert.equal(await page.inputValue("#filename"), "Scan_2026-11-23_1042.pdf");
  assert.equal(await page.inputValue("#subject"), "Scan from sim-desktop (simulator)");
  // The status bar shows the device's clock, the same one the file name comes from.
  assert.equal(await page.textContent("#clock"), "10:42");
  const book = await page.$$eval("#address-book .chip", (bs) => bs.map((b) => (b as HTMLElement).dataset.address));
  assert.deepEqual(book, ["scanner@contoso.com", "accounting@contoso.com", "frontdesk@contoso.com"]);
  await page.screenshot({ path: await artifactPath("panel-idle.png") });
  // The file name follows the file type.
  await page.selectOption("#format", "tiff");
  assert.equal(await page.inputValue("#filename"), "Scan_2026-11-23_1042.tif");
  await page.selectOption("#format", "pdf");
  assert.equal(await page.inputValue("#filename"), "Scan_2026-11-23_1042.pdf");
});

test("Scan to Email: Sent, and the attachment that arrived is the scan (name, size, SHA-256)", { skip }, async () => {
  const { page } = ui;
  const before = sim.arrivals.length;
  await page.fill("#to", "accounting@contoso.com");
  await page.click("#send-to-me");
  assert.equal(await page.inputValue("#to"), `accounting@contoso.com, ${SIM_ACCOUNT}`);
  await page.fill("#pages", "12");
  await page.selectOption("#resolution", "300");
  await page.selectOption("#colour", "grey");
  // Record every phase the panel shows while it works.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { phases: string[] }).phases = seen;
    const el = document.getElementById("phase")!;
    new MutationObserver(() => { if (seen.at(-1) !== el.textContent) seen.push(el.textContent ?? ""); })
      .observe(el, { childList: true, characterData: true, subtree: true });
  });
  await page.click("#scan-button");
  await waitForEnd(page, "Sent");
  assert.equal(await page.textContent("#message"), "Sent to all 2 recipients.");
  assert.equal(await page.textContent("#summary"), `Scan_2026-11-23_1042.pdf → accounting@contoso.com, ${SIM_ACCOUNT}`);
  assert.match(await page.getAttribute("#message", "class") ?? "", /\bok\b/);
  assert.equal(await page.getAttribute("#bar", "aria-valuenow"), "100");
  const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
  for (const p of ["Scanning page 2 of 12", "Connecting", "Securing", "Signing in", "Sending page 1 of 12", "Sending page 12 of 12", "Sent"]) {
    assert.ok(phases.includes(p), `phase "${p}" was shown (saw: ${phases.join(" | ")})`);
  }
  // While sending, the bytes (the encoded message) and the rate; pages were counted while scanning.
  assert.match(await page.textContent("#detail") ?? "", /^[\d.]+ MiB of [\d.]+ MiB sent · [\d.]+ (KiB|MiB)\/s$/);
  // Let the bar's width transition finish before the picture is taken.
  await page.waitForFunction(() => {
    const bar = document.getElementById("bar")!.getBoundingClientRect().width;
    return document.getElementById("bar-fill")!.getBoundingClientRect().width >= bar - 0.5;
  });
  const shot = await artifactPath("panel-sent.png");
  await page.screenshot({ path: shot });
  // The README's picture is refreshed on request only, so a test run leaves the tree clean.
  if (process.env.MFP_UPDATE_DOCS === "1") await copyFile(shot, join(import.meta.dirname, "..", "..", "docs", "panel.png"));

  const f = await waitFor("the backend's finished record", () => finished.at(-1));
  assert.equal(sim.arrivals.length, before + 1);
  const arrival = sim.arrivals.at(-1)!;
  assert.ok(arrival.tls, "delivered over STARTTLS");
  assert.deepEqual(arrival.to.sort(), ["accounting@contoso.com", SIM_ACCOUNT].sort());
  const mail = await simpleParser(arrival.raw);
  assert.equal(mail.subject, "Scan from sim-desktop (simulator)");
  assert.equal(mail.attachments.length, 1);
  const att = mail.attachments[0]!;
  assert.equal(att.filename, "Scan_2026-11-23_1042.pdf");
  assert.equal(att.contentType, "application/pdf");
  // 12 pages at 300 dpi greyscale: 12 × 300 KiB + trailer room (backend.bytesPerPage).
  assert.equal(att.size, 12 * 3 * 25 * 1024 * 4 + 8192);
  assert.equal(att.size, f.scan.size);
  assert.equal(createHash("sha256").update(att.content).digest("hex"), f.scan.sha256);
  assert.ok(att.content.subarray(0, 8).toString("latin1").startsWith("%PDF-1."), "a PDF arrived");
  assert.equal((att.content.toString("latin1").match(/\/Type \/Page\b/g) ?? []).length, 12, "12 pages in the PDF");
  // Nothing left in the outbox: the job was delivered and removed.
  assert.deepEqual(await sim.outbox.list(), []);
});

test("keyboard only: Tab to Scan to Email, Enter sends; focus is visible", { skip }, async () => {
  const { page } = ui;
  await page.click("#done-button");
  // New scan reloads the state and then focuses To: wait for that, or the focus jumps back mid-Tab.
  await page.waitForFunction(() => document.activeElement?.id === "to");
  const before = sim.arrivals.length;
  await page.fill("#to", "");
  await page.focus("#to");
  await page.keyboard.type("frontdesk@contoso.com");
  // Tab through the form to the big button; on the way, set one page with the keyboard.
  const stops: string[] = [];
  let focused = "";
  for (let i = 0; i < 20 && focused !== "scan-button"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute("aria-label") || "");
    stops.push(focused);
    if (focused === "pages") {
      await page.keyboard.press("Control+A");
      await page.keyboard.type("1");
    }
  }
  assert.equal(focused, "scan-button", `focus stops: ${stops.join(", ")}`);
  assert.deepEqual(stops, [
    "send-to-me", "Scans (self) <scanner@contoso.com>", "Accounting <accounting@contoso.com>", "Front desk <frontdesk@contoso.com>",
    "subject", "filename", "pages", "resolution", "colour", "format", "scan-button",
  ]);
  // The address-book button shows that Front desk is already a recipient.
  assert.equal(await page.getAttribute('#address-book [data-address="frontdesk@contoso.com"]', "aria-pressed"), "true");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  assert.notEqual(outline, "none", "the focused button shows a focus ring");
  await page.keyboard.press("Enter");
  await waitForEnd(page, "Sent");
  assert.equal(await page.textContent("#message"), "Sent.");
  // The New scan button takes focus so Enter starts over.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "done-button");
  await waitFor("the message", () => (sim.arrivals.length > before ? true : undefined));
  const mail = await simpleParser(sim.arrivals.at(-1)!.raw);
  assert.deepEqual(sim.arrivals.at(-1)!.to, ["frontdesk@contoso.com"]);
  assert.equal(mail.attachments[0]!.filename, "Scan_2026-11-23_1042.pdf");
  await page.keyboard.press("Enter");
  assert.equal(await page.isVisible("#scan-form"), true);
});

test("a bad address is refused on the panel and nothing is sent", { skip }, async () => {
  const { page } = ui;
  const before = sim.arrivals.length;
  await page.fill("#to", "not-an-address");
  await page.click("#scan-button");
  await waitForEnd(page, "Not sent");
  assert.match(await page.textContent("#message") ?? "", /"not-an-address" is not an e-mail address/);
  assert.equal(sim.arrivals.length, before);
  await page.click("#done-button");
});
