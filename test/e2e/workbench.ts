import * as path from "node:path";
import type { FrameLocator, Page } from "playwright-core";
import { canvasInkInPage } from "../webview/page";
import { log, ROOT } from "./harness";

/** The end-to-end test's moves in the workbench (opening files, commands, the sidebar, panels' webviews), and its screenshots. */

export const ARTIFACTS = path.join(ROOT, "out", "artifacts", "e2e");

export async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(ROOT, file)}`);
}

export async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ""}`);
}

export async function quickOpen(page: Page, text: string, row: string | RegExp): Promise<void> {
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10_000 });
  await input.fill(text);
  // The list filters asynchronously: wait until the row that Enter picks is the one wanted.
  await page.locator(".quick-input-list .monaco-list-row.focused", { hasText: row }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press("Enter");
}

/** Keyboard focus on the workbench (not in a webview's iframe), so that shortcuts reach it. */
export async function focusWorkbench(page: Page): Promise<void> {
  await page
    .locator(".part.titlebar")
    .first()
    .click({ position: { x: 200, y: 10 } });
}

export async function openFile(page: Page, name: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press("Control+P");
  await quickOpen(page, name, name);
  await page.locator(".tab.active", { hasText: name }).first().waitFor({ timeout: 20_000 });
}

/** Shows the CNN Studio sidebar (clicking its tab when it is shown already would hide it). */
export async function showSidebar(page: Page): Promise<void> {
  if (
    await page
      .locator(".pane-header", { hasText: /^\s*Models/i })
      .first()
      .isVisible()
  )
    return;
  await page
    .getByRole("tab", { name: /CNN Studio/ })
    .first()
    .click();
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press("Control+Shift+P");
  await quickOpen(page, `>${title}`, title);
}

/**
 * The page (inside VS Code's two webview iframes) of the webview panel whose heading is `heading`:
 * several webviews are open at once (the Train view, panels), so each is looked at.
 */
export async function panelFrame(page: Page, heading: string, timeoutMs: number): Promise<FrameLocator> {
  return until(`the "${heading}" panel's webview`, timeoutMs, async () => {
    const outer = page.locator("iframe.webview.ready");
    const n = await outer.count();
    for (let i = n - 1; i >= 0; i--) {
      const frame = outer.nth(i).contentFrame().frameLocator("iframe#active-frame");
      if ((await frame.locator("h1", { hasText: heading }).count()) === 0) continue;
      // Pin the iframe by its name (VS Code's id of the webview): indices move when webviews come and go.
      const name = await outer.nth(i).getAttribute("name");
      return name ? page.locator(`iframe.webview[name="${name}"]`).contentFrame().frameLocator("iframe#active-frame") : frame;
    }
    return undefined;
  });
}

/** Chooses an option of a panel's <vscode-single-select> the way a user does: open it, click the option. */
export async function choose(frame: FrameLocator, label: string, option: string | RegExp): Promise<string> {
  const select = frame.locator(`vscode-single-select[aria-label="${label}"]`);
  await select.locator(".select-face").click({ timeout: 30_000 });
  const item = select.locator("li.option", { hasText: option }).first();
  const text = (await item.innerText({ timeout: 10_000 })).trim();
  await item.click({ timeout: 10_000 });
  return text;
}

/** The share of a canvas' pixels that differ from its most common colour (0: blank). */
export async function canvasInk(frame: FrameLocator, selector: string): Promise<number> {
  return frame.locator(selector).first().evaluate(canvasInkInPage);
}

/** Fails with the panel's error notice (a failed forward pass) instead of timing out. */
export async function panelError(frame: FrameLocator): Promise<string | undefined> {
  const error = frame.locator(".cs-notice-error");
  return (await error.count()) > 0 ? (await error.first().innerText()).replace(/\s+/g, " ") : undefined;
}

/**
 * Waits until the feature-map panel has painted a result newer than `after` (the panel marks
 * `<body data-painted="requestId">` once the tiles are on screen), failing early on its error notice.
 */
export async function featureMapsPainted(frame: FrameLocator, after: string | null, what: string): Promise<string> {
  const r = await until(what, 180_000, async () => {
    const error = await panelError(frame);
    if (error) return { error };
    const painted = await frame.locator("body").getAttribute("data-painted", { timeout: 5_000 });
    return painted !== null && painted !== after ? { painted } : undefined;
  });
  if ("error" in r) throw new Error(`the feature-map panel failed (${what}): ${r.error}`);
  return r.painted;
}

/**
 * Opens a panel from a run's context menu in the Runs view (`item`: the menu entry) and waits for its
 * tab. A menu item takes clicks only some 100 ms after the menu opens (VS Code's guard against the
 * opening right click): a click that came too early is repeated. A menu opened again while the panel
 * was on its way would block every later click, so it is closed at the end.
 */
export async function openFromRunMenu(page: Page, runName: string, item: string, tabText: RegExp): Promise<void> {
  await runCommand(page, "View: Close All Editors");
  await runCommand(page, "Notifications: Clear All Notifications"); // "finished training" would cover the panel
  await showSidebar(page);
  const runsPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: /^\s*Runs/i }) });
  const run = runsPane.locator(".monaco-list-row", { hasText: runName }).first();
  const entry = page.locator(".monaco-menu .action-item", { hasText: item }).first();
  const tab = page.locator(".tab", { hasText: tabText }).first();
  await until(`the panel opened by '${item}' from the run's context menu`, 60_000, async () => {
    if (await tab.isVisible()) return true;
    if (await entry.isVisible()) await entry.click({ timeout: 5_000 });
    else await run.click({ button: "right", timeout: 5_000 });
    return (await tab.waitFor({ timeout: 3_000 }).then(
      () => true,
      () => false,
    ))
      ? true
      : undefined;
  });
  if (await page.locator(".context-view .monaco-menu").first().isVisible()) await page.keyboard.press("Escape");
}
