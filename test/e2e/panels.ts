import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameLocator, Page } from "playwright-core";
import { log } from "./harness";
import { ARTIFACTS, canvasInk, focusWorkbench, panelFrame, quickOpen, runCommand, showSidebar, until } from "./workbench";

/**
 * Issue 19's done-when: every panel, in a dark and a light theme, at 1400×900 with the default and
 * with a narrow sidebar, screenshotted as out/artifacts/e2e/panels/<panel>-<theme>-<size>.png. The
 * panels open once (they share one column beside the code); the theme changes in the theme picker
 * (no reload) and the sidebar narrows by dragging its sash. The sidebar (Models, Train,
 * Runs views) is in every shot.
 */

export const PANEL_SHOTS = path.join(ARTIFACTS, "panels");

/** A panel's tab, the heading of its webview (null: a text editor), and what shows it is drawn. */
interface PanelTab {
  name: string;
  tab: RegExp;
  heading: string | null;
  ready?: (frame: FrameLocator) => Promise<boolean>;
}

const hasInk = (selector: string, min: number) => async (frame: FrameLocator) =>
  (await frame.locator(selector).count()) > 0 && (await canvasInk(frame, selector)) > min;

export const PANELS: PanelTab[] = [
  { name: "summary", tab: /summary/i, heading: null },
  { name: "graph", tab: /Graph: lenet5/, heading: "Model graph", ready: async (f) => (await f.locator(".cs-graph .cs-node").count()) > 3 },
  { name: "receptive-field", tab: /Receptive Field: lenet5/, heading: "Receptive field", ready: hasInk(".cs-rf-panels canvas", 0.02) },
  {
    name: "feature-maps",
    tab: /Feature Maps: lenet5/,
    heading: "Feature maps",
    ready: async (f) => (await f.locator("body").getAttribute("data-painted", { timeout: 2_000 })) !== null,
  },
  { name: "filters", tab: /Filters: lenet5/, heading: "Filters", ready: hasInk(".cs-tile canvas", 0.05) },
  { name: "curves", tab: /[Cc]urves/, heading: "Training curves", ready: async (f) => (await f.locator("canvas, svg").count()) > 0 },
  {
    name: "evaluation",
    tab: /Evaluation: /,
    heading: "Evaluation",
    ready: async (f) => /accuracy \d+\.\d%/.test(await f.locator(".cs-eval-summary").first().innerText()),
  },
];

/** Adds the run's curves (a click on the run) and its evaluation (the command, the run picked) to the panels open. */
export async function openRunPanels(page: Page, runName: string): Promise<void> {
  await showSidebar(page);
  const runsPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: /^\s*Runs/i }) });
  const curves = page.locator(".tab", { hasText: /[Cc]urves/ }).first();
  await until("the curves panel", 60_000, async () => {
    await runsPane.locator(".monaco-list-row", { hasText: runName }).first().click({ timeout: 5_000 });
    return (await curves.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    ))
      ? true
      : undefined;
  });
  await runCommand(page, "CNN Studio: Evaluate Run");
  await quickOpen(page, "", runName);
  await page
    .locator(".tab", { hasText: /Evaluation: / })
    .first()
    .waitFor({ timeout: 30_000 });
}

/**
 * Picks a colour theme in VS Code's theme picker (Preferences: Color Theme; the user settings file
 * is not watched by code-server) and returns the theme that was on before (the row focused when the
 * picker opens).
 */
async function pickTheme(page: Page, label: string): Promise<string> {
  await focusWorkbench(page);
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.fill(">Preferences: Color Theme");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Preferences: Color Theme" }).first().click({ timeout: 20_000 });
  const current = page.locator(".quick-input-list .monaco-list-row.focused .label-name").first();
  await until("the theme picker", 20_000, async () => ((await input.inputValue()) === "" && (await current.isVisible()) ? true : undefined));
  const before = (await current.innerText()).trim();
  await input.fill(label);
  const row = page.locator(".quick-input-list .monaco-list-row .label-name", { hasText: label });
  await until(`the ${label} theme in the picker`, 20_000, async () => ((await row.count()) > 0 ? true : undefined));
  for (let i = 0; i < (await row.count()); i++) {
    const text = (await row.nth(i).innerText()).trim();
    if (text !== label && text !== `Default ${label}`) continue;
    await row.nth(i).click();
    break;
  }
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 800)); // the webviews take the new colours
  log(`theme ${before} → ${label}`);
  return before;
}

/** Drags the sash on the sidebar's right edge so that the sidebar is `width` px wide; returns the width before. */
export async function sidebarWidth(page: Page, width: number): Promise<number> {
  const bar = (await page.locator(".part.sidebar").first().boundingBox())!;
  const edge = bar.x + bar.width;
  const y = bar.y + bar.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  for (let k = 1; k <= 5; k++) await page.mouse.move(edge + ((bar.x + width - edge) * k) / 5, y);
  await page.mouse.up();
  await page.mouse.move(5, 5);
  const now = (await page.locator(".part.sidebar").first().boundingBox())!.width;
  log(`sidebar ${Math.round(bar.width)} → ${Math.round(now)} px`);
  return bar.width;
}

/** Shows each panel's tab and screenshots the window; on the first pass waits until each is drawn. */
async function shootPanels(page: Page, theme: string, size: string, firstPass: boolean): Promise<string[]> {
  const notDrawn: string[] = [];
  for (const p of PANELS) {
    await page.locator(".tab", { hasText: p.tab }).first().click();
    await page.mouse.move(1000, 14); // off the tab (its tooltip would cover the panel's heading), onto the title bar
    if (p.heading && p.ready) {
      const frame = await panelFrame(page, p.heading, 30_000);
      const ok = await until(`the ${p.name} panel drawn`, firstPass ? 60_000 : 10_000, async () =>
        (await p.ready!(frame).catch(() => false)) ? true : undefined,
      ).then(
        () => true,
        () => false,
      );
      if (!ok) notDrawn.push(p.name);
    }
    await new Promise((r) => setTimeout(r, firstPass ? 600 : 400)); // a resize or theme change settles
    const file = path.join(PANEL_SHOTS, `${p.name}-${theme}-${size}.png`);
    await page.screenshot({ path: file });
  }
  log(`panels shot (${theme}, ${size})${notDrawn.length ? `; not drawn: ${notDrawn.join(", ")}` : ""}`);
  return notDrawn;
}

/**
 * The panels open in the editor area: shot in Dark+ and Light+, at 1400×900 with the default and
 * then a 170 px sidebar; the window, theme and sidebar are put back afterwards.
 */
export async function shootThemesAndSizes(page: Page): Promise<void> {
  fs.mkdirSync(PANEL_SHOTS, { recursive: true });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 900 });
  await runCommand(page, "Notifications: Clear All Notifications");
  await focusWorkbench(page);
  const failures: string[] = [];
  let before = 0;
  let original = "";
  for (const size of ["1400x900", "narrow"]) {
    if (size === "narrow") before = await sidebarWidth(page, 170);
    for (const [theme, label] of [
      ["dark", "Dark+"],
      ["light", "Light+"],
    ] as const) {
      const was = await pickTheme(page, label);
      original ||= was;
      failures.push(...(await shootPanels(page, theme, size, size === "1400x900" && theme === "dark")).map((n) => `${n} (${theme}, ${size})`));
    }
  }
  await sidebarWidth(page, before);
  await pickTheme(page, original);
  if (viewport) await page.setViewportSize(viewport);
  assert.deepEqual(failures, [], "every panel is drawn in each theme and size");
}
