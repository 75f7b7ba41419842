// What every panel screen must be on a touch screen, measured in the real browser: every visible
// touch target at least 48×48 CSS px (Material's 48 dp) and inside the screen, every visible text
// at least 16 px, and no axe-core accessibility violation (@axe-core/playwright, WCAG 2.x A/AA).
import assert from "node:assert/strict";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

export interface Measured {
  targets: { what: string; width: number; height: number; left: number; right: number; cut: boolean }[];
  texts: { what: string; px: number }[];
  viewport: number;
}

/** Every visible target's box and every visible text's size, read in the page. Plain JavaScript
 *  in a string: the test's own TypeScript is compiled with helpers the page does not have. */
const MEASURE = `(() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && cs.visibility !== "hidden" && el.closest(".visually-hidden") === null;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ' "' + (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 40) + '"';
  const targets = [...document.querySelectorAll("button, input, select, textarea, a[href], [role=button], [tabindex]:not([tabindex='-1'])")]
    .filter(visible)
    .map((el) => {
      const r = el.getBoundingClientRect();
      // A button or link whose words do not fit its box is cut off (or spills over its neighbour).
      const cut = (el.tagName === "BUTTON" || el.tagName === "A") && el.scrollWidth > el.clientWidth + 1;
      return { what: name(el), width: r.width, height: r.height, left: r.left, right: r.right, cut };
    });
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || !visible(el)) continue;
    texts.push({ what: name(el), px: parseFloat(getComputedStyle(el).fontSize) });
  }
  // Input values and option text are text too.
  for (const el of document.querySelectorAll("input, select")) if (visible(el)) texts.push({ what: name(el), px: parseFloat(getComputedStyle(el).fontSize) });
  return { targets, texts, viewport: window.innerWidth };
})()`;

export function measure(page: Page): Promise<Measured> {
  return page.evaluate(MEASURE) as Promise<Measured>;
}

/** Assert the touch-panel rules on the screen as it is now; `label` names it in failures. */
export async function assertTouchGrade(page: Page, label: string): Promise<Measured> {
  const m = await measure(page);
  assert.ok(m.targets.length > 0, `${label}: no touch targets found`);
  const small = m.targets.filter((t) => t.width < 48 || t.height < 48);
  assert.deepEqual(small, [], `${label}: touch targets under 48×48 px`);
  const outside = m.targets.filter((t) => t.left < 0 || t.right > m.viewport + 0.5);
  assert.deepEqual(outside, [], `${label}: touch targets cut off at the screen's edge`);
  const cut = m.targets.filter((t) => t.cut);
  assert.deepEqual(cut, [], `${label}: buttons whose words do not fit`);
  const tiny = m.texts.filter((t) => t.px < 16);
  assert.deepEqual(tiny, [], `${label}: text under 16 px`);
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const violations = axe.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(violations, [], `${label}: axe violations`);
  return m;
}
