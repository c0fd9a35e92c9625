import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameLocator, Page } from "playwright-core";
import { log, userSettings } from "./harness";
import { ARTIFACTS, canvasInk, focusWorkbench, panelFrame, quickOpen, runCommand, showSidebar, until } from "./workbench";

/**
 * Issue 19's done-when: every panel, in a dark and a light theme, at 1400×900 with the default and
 * with a narrow sidebar, screenshotted as out/artifacts/e2e/panels/<panel>-<theme>-<size>.png. The
 * panels open once (they share one column beside the code); the theme changes through the user
 * settings (no reload) and the sidebar narrows by dragging its sash. The sidebar (Models, Train,
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

/** Sets the colour theme through the user settings file (VS Code applies it without a reload). */
async function setTheme(page: Page, settingsFile: string, theme: string, light: boolean): Promise<void> {
  fs.writeFileSync(settingsFile, userSettings({ "workbench.colorTheme": theme }));
  const want = light ? ".monaco-workbench.vs:not(.vs-dark)" : ".monaco-workbench.vs-dark";
  const applied = await page
    .locator(want)
    .first()
    .waitFor({ timeout: 15_000 })
    .then(
      () => true,
      () => false,
    );
  if (!applied) {
    // the settings file not watched: the theme picker
    await runCommand(page, "Preferences: Color Theme");
    await quickOpen(page, theme, theme);
    await page.locator(want).first().waitFor({ timeout: 15_000 });
  }
  log(`theme ${theme}${applied ? "" : " (through the theme picker)"}`);
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
export async function shootThemesAndSizes(page: Page, settingsFile: string): Promise<void> {
  fs.mkdirSync(PANEL_SHOTS, { recursive: true });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 900 });
  await runCommand(page, "Notifications: Clear All Notifications");
  await focusWorkbench(page);
  const failures: string[] = [];
  let before = 0;
  for (const size of ["1400x900", "narrow"]) {
    if (size === "narrow") before = await sidebarWidth(page, 170);
    for (const [theme, light] of [
      ["dark", false],
      ["light", true],
    ] as const) {
      await setTheme(page, settingsFile, light ? "Default Light+" : "Default Dark+", light);
      failures.push(...(await shootPanels(page, theme, size, size === "1400x900" && !light)).map((n) => `${n} (${theme}, ${size})`));
    }
  }
  await sidebarWidth(page, before);
  fs.writeFileSync(settingsFile, userSettings()); // the theme the test started with
  if (viewport) await page.setViewportSize(viewport);
  assert.deepEqual(failures, [], "every panel is drawn in each theme and size");
}
