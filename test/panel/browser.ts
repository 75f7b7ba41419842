// Test helper: Debian's chromium driven by playwright-core (never a downloaded browser), headless,
// with a fresh profile per launch, no sandbox, no GPU and no background traffic. The panel is
// served on 127.0.0.1; the browser is told to reach nothing else.
import { mkdtemp, rm, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.MFP_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = join(import.meta.dirname, "..", "artifacts");

export interface PanelBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (.ci/setup.d/40-chromium.sh installs it)`;
}

/** The touch screens the panel is made for: 7″ (800×480), 7″ wide (1024×600), 10″ (1280×800). */
export const PANEL_SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
  { width: 1280, height: 800 },
] as const;

/** Open a page on the panel at a device's size (default the smallest, 800×480). */
export async function openPanel(url: string, viewport: { width: number; height: number } = PANEL_SIZES[0]): Promise<PanelBrowser> {
  const profile = await mkdtemp(join(tmpdir(), "mfp-chromium-"));
  // A persistent context on a fresh, throw-away profile directory (= --user-data-dir).
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      viewport: { width: viewport.width, height: viewport.height },
      deviceScaleFactor: 1,
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
      ],
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  const close = async () => {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  };
  try {
    // Only loopback (the panel, the simulator's sign-in page) may be reached.
    await context.route("**/*", (route) => {
      const u = new URL(route.request().url());
      return u.hostname === "127.0.0.1" ? route.continue() : route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]");
    return { context, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
