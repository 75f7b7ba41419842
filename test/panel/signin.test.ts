// XOAUTH2 on the panel, in a real browser: a device that is not signed in says so and holds the
// scan; the Sign in
// screen runs the real device-code client against the simulator's loopback identity provider,
// shows the code and address; after the code is entered there, scans go out with the new token,
// the held one too (Retry now).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimPanel, SIM_ACCOUNT, type SimPanel } from "../../host/sim/panel.js";
import type { FinishedScan } from "../../host/panel/backend.js";
import { openPanel, artifactPath, chromiumMissing, type PanelBrowser } from "./browser.js";

const skip = chromiumMissing();
let sim: SimPanel;
let ui: PanelBrowser;
const finished: FinishedScan[] = [];

before(async () => {
  if (skip) return;
  sim = await startSimPanel({ auth: "xoauth2", signedIn: false, onFinished: (f) => finished.push(f) });
  ui = await openPanel(sim.url);
});

after(async () => {
  await ui?.close();
  await sim?.close();
});

async function scanToAccounting(): Promise<void> {
  const { page } = ui;
  await page.click(".tab[data-screen=scan]");
  if (await page.isVisible("#done-button")) {
    await page.click("#done-button");
    // New scan reloads the state (re-rendering the address book) and then focuses To: wait for it.
    await page.waitForFunction(() => document.activeElement?.id === "to");
  }
  await page.fill("#to", "accounting@contoso.com");
  await page.fill("#pages", "1");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
}

test("not signed in: the panel says so, nothing is sent, the scan is held in the Outbox", { skip }, async () => {
  await scanToAccounting();
  assert.equal(await ui.page.textContent("#phase"), "Held");
  assert.equal(await ui.page.textContent("#message"), "The device is not signed in; sign in on the device. The scan is held in the Outbox until someone fixes the cause and retries it.");
  assert.equal(finished.at(-1)?.result.id, "NO_TOKEN");
  assert.equal(sim.arrivals.length, 0);
  assert.deepEqual((await sim.outbox.list()).map((j) => j.state), ["held"]);
});

test("Sign in shows the device code; entering it on the sign-in page signs the device in; the scan then goes out", { skip }, async () => {
  const { page, context } = ui;
  await page.click(".tab[data-screen=signin]");
  await page.click("#signin-start");
  await page.waitForSelector("#signin-code:not([hidden])");
  const code = (await page.textContent("#signin-user-code")) ?? "";
  const uri = (await page.textContent("#signin-uri")) ?? "";
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/device$/);
  assert.equal(await page.textContent("#signin-status"), "Waiting for you to sign in…");
  await page.screenshot({ path: await artifactPath("panel-signin.png") });

  // The admin's phone: a second page on the sign-in address. A wrong code first.
  const phone = await context.newPage();
  await phone.goto(uri);
  await phone.fill("#user_code", "AAAA-AAAA");
  await phone.click("button[type=submit]");
  assert.match(await phone.textContent("#result") ?? "", /not valid/);
  await phone.fill("#user_code", code.toLowerCase());
  await phone.click("button[type=submit]");
  assert.match(await phone.textContent("#result") ?? "", /Signed in as/);
  await phone.close();

  await page.waitForFunction(() => /Signed in as/.test(document.getElementById("signin-status")?.textContent ?? ""), null, { timeout: 20_000 });
  assert.equal(await page.textContent("#signin-status"), `Signed in as ${SIM_ACCOUNT}`);
  assert.equal(await page.isHidden("#signin-code"), true);

  await scanToAccounting();
  assert.equal(await page.textContent("#phase"), "Sent", await page.textContent("#message") ?? "");
  assert.equal(await page.textContent("#message"), "Sent.");
  assert.equal(sim.arrivals.length, 1);

  // Signed in now: Retry now on the Outbox sends the scan held before.
  await page.click(".tab[data-screen=outbox]");
  await page.click(`#outbox-rows button[aria-label^="Retry now"]`);
  await page.waitForSelector("#outbox-empty:not([hidden])");
  assert.equal(sim.arrivals.length, 2);
});
