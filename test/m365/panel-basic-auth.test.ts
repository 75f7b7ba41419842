// The front panel of a device still signing in with a password when Microsoft 365 has switched
// basic authentication off (550 5.7.30), in a real browser: the scan ends "Held" (kept in the Outbox) with the
// one-sentence panel text, nothing arrives, and Setup shows the dated readiness warning with both
// ways forward and the refused sign-in. The device's panel wired to the Exchange-Online-like
// fixture (m365-submission, LOGIN) through the product's own backend, outbox and doctor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { resolveBoard } from "../../host/config/board.js";
import { createPanelBackend, type FinishedScan } from "../../host/panel/backend.js";
import { startPanel, type PanelServer } from "../../host/panel/server.js";
import { Outbox } from "../../host/outbox/index.js";
import { sessionDeliver } from "../../host/outbox/session-deliver.js";
import { runDoctor } from "../../host/doctor/doctor.js";
import { say } from "../../host/text/outcomes.js";
import { openPanel, chromiumMissing, artifactPath, type PanelBrowser } from "../panel/browser.js";
import { openLab, type Lab, type LabServer } from "./lab.js";

const skip = chromiumMissing();
const USER = "legacy@contoso.com";
const SENTENCE = say("M365_BASIC_AUTH_OFF");
let lab: Lab;
let exo: LabServer;
let panel: PanelServer;
let ui: PanelBrowser;
const finished: FinishedScan[] = [];

before(async () => {
  if (skip) return;
  lab = await openLab();
  exo = await lab.fixture({ mode: "submission", mailboxes: { [USER]: { password: "pw", basicAuthOff: true } } });
  const board = resolveBoard(await lab.board("node-tls"));
  const outbox = await Outbox.open({ dir: lab.outbox() });
  const caFile = join(lab.dir, "panel-ca.pem");
  await writeFile(caFile, exo.ca.cert);
  const backend = createPanelBackend({
    board, device: "arm-64mb (test)", from: USER, me: USER, outbox,
    server: { host: "localhost", port: exo.port, tls: "starttls", requireTls: true, tlsOptions: { ca: exo.ca.cert } },
    auth: { mechanism: "login", user: USER, password: "pw" },
    retryDeliver: sessionDeliver({ board, password: () => "pw" }),
    scanRate: 1e9,
    onFinished: (f) => finished.push(f),
    doctor: async () => (await runDoctor({
      preset: "m365-submission", board, host: "localhost", port: exo.port, from: USER, user: USER, password: "pw",
      authMechs: ["LOGIN"], caFile, stepTimeout: 5000,
    })).checks,
  });
  panel = await startPanel(backend, 0);
  ui = await openPanel(panel.url);
});

after(async () => {
  await ui?.close();
  await panel?.close();
  await lab?.close();
});

test("550 5.7.30 on the panel: Held, the one-sentence text and that the scan is held, nothing arrived", { skip }, async () => {
  const { page } = ui;
  await page.fill("#to", "ap@contoso.com");
  await page.fill("#pages", "1");
  await page.click("#scan-button");
  await page.waitForSelector("#done-button:not([hidden])", { timeout: 60_000 });
  // A person must act (fix-config): the scan is held in the Outbox, not retried and not dropped.
  assert.equal(await page.textContent("#message"), `${SENTENCE} ${say("HELD_IN_OUTBOX")}`);
  assert.equal(await page.textContent("#phase"), say("OUTCOME:held"));
  await page.screenshot({ path: await artifactPath("panel-basic-auth-off.png") });
  assert.equal(finished.at(-1)?.result.id, "M365_BASIC_AUTH_OFF");
  assert.deepEqual([finished.at(-1)?.result.code, finished.at(-1)?.result.enhanced], [550, "5.7.30"]);
  assert.equal(exo.received.length, 0);
});

test("Setup: the dated basic-auth warning with both ways forward, and the refused sign-in", { skip }, async () => {
  const { page } = ui;
  await page.click(".tab[data-screen=setup]");
  await page.click("#doctor-run");
  await page.waitForSelector("#checklist li.error", { timeout: 60_000 });
  const items = await page.$$eval("#checklist li", (ls) => ls.map((l) => `${l.className}: ${l.textContent}`));
  assert.ok(items.some((t) => /^warn: Password sign-in \(LOGIN\/PLAIN\): .*end of December 2026.*Two ways forward: .*mfp-mail login.*--client-secret-env/.test(t)), items.join("\n"));
  assert.ok(items.some((t) => t.startsWith("error: Sign-in with LOGIN failed: 550 5.7.30") && t.includes(SENTENCE)), items.join("\n"));
  await page.screenshot({ path: await artifactPath("panel-setup-basic-auth-off.png") });
});
