import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { Browser, FrameLocator } from "playwright-core";
import type { PageElement } from "../webview/page";
import { writeLenetWeights } from "./weights";
import { BROKEN, DECLARATIONS, TWO_MODELS } from "./files";
import { openRunPanels, shootThemesAndSizes } from "./panels";
import {
  ARTIFACTS,
  shot,
  until,
  quickOpen,
  focusWorkbench,
  openFile,
  showSidebar,
  runCommand,
  panelFrame,
  choose,
  canvasInk,
  panelError,
  featureMapsPainted,
  openFromRunMenu,
} from "./workbench";
import { CHROMIUM, ensureInstalled, findFiles, installVsix, log, ROOT, startServer, userSettings, whyNot, type Server } from "./harness";

/**
 * End-to-end: the packaged VSIX installed into a real VS Code (code-server 4.100.3, VS Code
 * 1.100.3) in Chromium, on a copy of the examples in a fresh folder (no node_modules, no
 * tsconfig) with one seeded error. Checks what a user sees: the sidebar's models with their
 * parameter counts and the Train view, the shape inlay hints, the totals code lens, the hover,
 * the seeded error in the Problems panel with no "Cannot find module 'cnn-studio'" (the TypeScript
 * server plugin), the summary, the graph panel, a real training run of LeNet-5 on the bundled
 * MNIST sample (status bar, Runs view, curves), then with that run's checkpoint the feature maps
 * of a digit drawn with the mouse (conv1, conv2) and the receptive field of a unit of conv2 (the
 * theoretical box and the effective field, computed by the trainer's inspector process), the
 * attention view of the MNIST ViT (the class token's, then a clicked patch's attention over an
 * MNIST sample's patches, averaged over the heads, then one head), the activation time, and finally the extension-host checks of test/extension/host in
 * code-server's extension host.
 * Screenshots go to out/artifacts/e2e/; every panel in Dark+ and Light+, at 1400×900 and with a
 * narrow sidebar, to out/artifacts/e2e/panels/ (test/e2e/panels.ts).
 */

test("CNN Studio in a real VS Code (code-server + Chromium)", { timeout: 720_000 }, async (t) => {
  const reason = whyNot();
  if (reason) {
    console.log(`end-to-end test skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  ensureInstalled();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-e2e-"));
  const ws = path.join(tmp, "examples");
  fs.mkdirSync(path.join(tmp, "user-data", "User"), { recursive: true });
  fs.mkdirSync(path.join(tmp, "extensions"), { recursive: true });
  fs.mkdirSync(ws);
  // The examples as a user would have them: model files only (no tsconfig, no node_modules).
  for (const f of fs.readdirSync(path.join(ROOT, "examples"))) if (f.endsWith(".ts")) fs.copyFileSync(path.join(ROOT, "examples", f), path.join(ws, f));
  fs.writeFileSync(path.join(ws, "broken.ts"), BROKEN);
  fs.writeFileSync(path.join(ws, "twoModels.ts"), TWO_MODELS);
  fs.writeFileSync(path.join(ws, "extra.d.ts"), DECLARATIONS);
  fs.writeFileSync(path.join(tmp, "user-data", "User", "settings.json"), userSettings());
  // Pretrained weights for LeNet-5 (issue 15): a mismatched head and an unexpected tensor.
  const { file: weightsFile, line: lenetMnistLine } = writeLenetWeights(tmp);

  // The VSIX exactly as published.
  const vsix = path.join(tmp, "cnn-studio.vsix");
  const pack = spawnSync(process.execPath, [path.join(ROOT, "scripts", "package-vsix.mjs"), "--out", vsix, "--stage", path.join(tmp, "stage")], {
    encoding: "utf8",
  });
  assert.equal(pack.status, 0, `packaging failed:\n${pack.stdout}\n${pack.stderr}`);
  log(`packaged ${(fs.statSync(vsix).size / 1e6).toFixed(2)} MB`);
  installVsix(tmp, vsix);

  let server: Server | undefined;
  let browser: Browser | undefined;
  let failed = false;
  try {
    server = await startServer(tmp, ws);
    log(`code-server on ${server.base}`);
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
    await context.route(
      (url) => !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) && /^(https?|wss?):$/.test(url.protocol),
      (route) => route.abort(),
    );
    const page = await context.newPage();
    page.on("pageerror", (e) => log("pageerror:", e.message));
    await page.goto(`${server.base}/?folder=${encodeURIComponent(ws)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    log("workbench loaded");

    let step = 0;
    /** A subtest that leaves a screenshot of the workbench when it fails. */
    const check = (name: string, fn: () => Promise<void>): Promise<void> =>
      t.test(name, async () => {
        const n = String(++step).padStart(2, "0");
        try {
          await fn();
        } catch (e) {
          await page.screenshot({ path: path.join(ARTIFACTS, `failed-${n}.png`) }).catch(() => undefined);
          log(`failed: ${name}; screenshot out/artifacts/e2e/failed-${n}.png`);
          throw e;
        }
      });

    // Let the start-up activations of the built-in extensions settle, then open the CNN Studio
    // sidebar with no editor open: the extension activates on its view (onView), alone.
    await new Promise((r) => setTimeout(r, 3000));

    await check("the sidebar lists the models with their parameter counts", async () => {
      await showSidebar(page);
      const rows = page.locator(".pane-body .monaco-list-row");
      await rows.filter({ hasText: "lenet5" }).filter({ hasText: "61,706 params" }).first().waitFor({ timeout: 120_000 });
      // (a row near the top: the list is virtual, and rows below the fold are not in the page)
      await rows.filter({ hasText: "alexnet" }).filter({ hasText: "61,100,840 params" }).first().waitFor({ timeout: 60_000 });
      await rows.filter({ hasText: "broken.ts" }).filter({ hasText: "1 error" }).first().waitFor({ timeout: 30_000 });
      log("Models view OK");
      await shot(page, "01-sidebar-models.png");
    });

    await check("the Train view renders its form", async () => {
      const frame: FrameLocator = page.frameLocator("iframe.webview.ready").first().frameLocator("iframe#active-frame");
      await frame.locator("vscode-button#start").waitFor({ timeout: 60_000 });
      await frame.locator("#model vscode-option", { hasText: "lenet5" }).first().waitFor({ state: "attached", timeout: 60_000 });
      const preview = await until("the form's preview", 30_000, async () => {
        const t2 = (await frame.locator("#preview").innerText()).trim();
        return t2.startsWith("Train ") ? t2 : undefined;
      });
      assert.match(preview, /^Train \w+ on the bundled MNIST sample for 5 epochs/);
      log("Train view OK:", JSON.stringify(preview.slice(0, 100)));
      await shot(page, "02-train-view.png");
    });

    // Clicking a model in the sidebar opens its source.
    await page.locator(".pane-body .monaco-list-row", { hasText: "lenet5" }).filter({ hasText: "61,706 params" }).first().click();
    await page.locator(".tab.active", { hasText: "lenet5.ts" }).waitFor({ timeout: 30_000 });
    const editor = page.locator(".editor-instance .monaco-editor").first();
    await editor.locator(".view-lines", { hasText: "lenet5" }).waitFor({ timeout: 20_000 });
    log("lenet5.ts opened from the Models view");

    await check("inlay hints show each layer's output shape", async () => {
      await editor.locator(".view-lines", { hasText: "→ [N, 6, 28, 28]" }).waitFor({ timeout: 120_000 });
      // Not cut short: several hints on one line (the extension lifts VS Code's 43-character limit).
      await editor.locator(".view-lines", { hasText: "→ [N, 16, 5, 5]" }).waitFor({ timeout: 10_000 });
      log("inlay hints OK");
    });

    await check("a code lens shows the model's totals", async () => {
      await page.locator(".monaco-editor .codelens-decoration", { hasText: "61,706 params" }).first().waitFor({ timeout: 60_000 });
      log("code lens OK");
      await shot(page, "03-lenet5-shapes.png");
    });

    await check("hovering a layer shows its shape (and the typings' documentation)", async () => {
      const word = editor.locator(".view-line span span", { hasText: /^Conv2d$/ }).first();
      const hover = page.locator(".monaco-hover:visible");
      const text = await until("a hover with the layer's shape", 60_000, async () => {
        await page.mouse.move(5, 5);
        await word.hover();
        const ok = await hover
          .filter({ hasText: "[N, 6, 28, 28]" })
          .first()
          .waitFor({ timeout: 1500 })
          .then(
            () => true,
            () => false,
          );
        return ok ? await hover.first().innerText() : undefined;
      });
      assert.match(text, /\[N, 1, 32, 32\] → \[N, 6, 28, 28\]/);
      log("hover OK:", JSON.stringify(text.slice(0, 120)));
      // The TypeScript part of the hover comes from the bundled declarations (the TS server plugin).
      await until("TypeScript's hover from the cnn-studio declarations", 120_000, async () => {
        await page.mouse.move(5, 5);
        await word.hover();
        return await hover
          .filter({ hasText: "inChannels" })
          .first()
          .waitFor({ timeout: 1500 })
          .then(
            () => true,
            () => undefined,
          );
      });
      log("TypeScript hover from the typings OK");
      await shot(page, "04-hover.png");
      await page.mouse.move(5, 5);
      await page.keyboard.press("Escape");
    });

    await check("the seeded error is in the Problems panel, and 'cnn-studio' resolves", async () => {
      await openFile(page, "broken.ts");
      await runCommand(page, "View: Focus Problems");
      const problems = page.locator(".markers-panel");
      await problems.locator(".monaco-list-row", { hasText: "Linear expects 400 input features but receives 256" }).first().waitFor({ timeout: 60_000 });
      log("seeded error in Problems OK");
      // Give TypeScript time to report on both open files, then: no unresolved "cnn-studio".
      await new Promise((r) => setTimeout(r, 4000));
      const rows = await problems.locator(".monaco-list-row").allInnerTexts();
      const unresolved = rows.filter((r) => /Cannot find module 'cnn-studio'|Cannot find module "cnn-studio"/.test(r));
      assert.deepEqual(unresolved, [], `TypeScript cannot resolve "cnn-studio":\n${rows.join("\n")}`);
      await shot(page, "05-problems.png");
      const tsLogs = findFiles(path.join(tmp, "user-data", "logs"), /^tsserver\.log$/);
      const pluginLoaded = tsLogs.some((f) => fs.readFileSync(f, "utf8").includes("[cnn-studio-ts-plugin] declarations:"));
      log(`TS server logs: ${tsLogs.length}, plugin log line found: ${pluginLoaded}`);
      assert.ok(pluginLoaded, "the TypeScript server loaded cnn-studio-ts-plugin");
    });

    await check("Show Model Summary opens a readable table", async () => {
      await runCommand(page, "View: Close All Editors");
      await openFile(page, "lenet5.ts");
      // A line of lenet5's own (Monaco's line elements are not in line order).
      await editor.locator(".view-line", { hasText: "nn.Linear(16 * 5 * 5, 120)" }).first().click();
      await runCommand(page, "CNN Studio: Show Model Summary");
      const summary = page.locator(".monaco-editor .view-lines", { hasText: "Model: lenet5" });
      await summary.filter({ hasText: "Total params: 61,706" }).first().waitFor({ timeout: 30_000 });
      log("summary OK");
      await shot(page, "06-summary.png");
    });

    await check("Open Model Graph opens the graph panel", async () => {
      await runCommand(page, "View: Close All Editors");
      await openFile(page, "lenet5.ts");
      await editor.locator(".view-line", { hasText: "nn.Linear(16 * 5 * 5, 120)" }).first().click();
      const before = await page.locator("iframe.webview").count();
      await runCommand(page, "CNN Studio: Open Model Graph");
      await page
        .locator(".tab", { hasText: /lenet5/ })
        .filter({ hasText: /[Gg]raph/ })
        .first()
        .waitFor({ timeout: 30_000 });
      await until("the graph's webview", 30_000, async () => ((await page.locator("iframe.webview").count()) > before ? true : undefined));
      await new Promise((r) => setTimeout(r, 2500)); // let it draw
      log("graph panel OK");
      await shot(page, "07-graph.png");
    });

    await check("Train: Start runs LeNet-5 on the bundled MNIST sample; the run appears in the Runs view", async () => {
      await runCommand(page, "View: Close All Editors");
      if (await page.locator(".part.panel").first().isVisible()) {
        await focusWorkbench(page);
        await page.keyboard.press("Control+J"); // hide the bottom panel
      }
      await showSidebar(page);
      const frame: FrameLocator = page.frameLocator("iframe.webview.ready").first().frameLocator("iframe#active-frame");
      await frame.locator("vscode-button#start").waitFor({ timeout: 30_000 });
      await until("lenet5Mnist selected", 30_000, async () =>
        (await frame.locator("#preview").innerText()).includes("Train lenet5Mnist on the bundled MNIST sample") ? true : undefined,
      );
      await frame.locator("#epochs input").fill("1");
      await until("the preview for 1 epoch", 10_000, async () => ((await frame.locator("#preview").innerText()).includes("for 1 epoch,") ? true : undefined));
      await frame.locator("vscode-button#start").click();
      const runsPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: /^\s*Runs/i }) });
      const runs = runsPane.locator(".monaco-list-row", { hasText: "lenet5Mnist" });
      await runs.first().waitFor({ timeout: 60_000 });
      log(`run listed: ${JSON.stringify((await runs.first().innerText()).replace(/\s+/g, " "))}`);
      const status = page.locator(".statusbar-item", { hasText: /lenet5Mnist · epoch/ });
      if (
        await status
          .first()
          .waitFor({ timeout: 60_000 })
          .then(
            () => true,
            () => false,
          )
      ) {
        const text = await status.first().innerText();
        log(`status bar: ${JSON.stringify(text)}`);
        // issue 19.5: it says which accuracy it shows
        assert.match(text, /lenet5Mnist · epoch \d+\/\d+ · (val|train \(batch\)) \d+\.\d% · /);
        await shot(page, "08-training.png");
      }
      await runs.filter({ hasText: "completed" }).first().waitFor({ timeout: 150_000 });
      const row = (await runs.first().innerText()).replace(/\s+/g, " ");
      log(`run completed: ${JSON.stringify(row)}`);
      assert.match(row, /best \d+\.\d%/);
      // Clicking the run opens its training curves. A click that lands while the view refreshes (the
      // run's files change as it ends) finds the item's old command gone ("Actual command not
      // found" in the extension host's log): click again until the panel is there.
      const curvesTab = page.locator(".tab", { hasText: /[Cc]urves/ }).first();
      await until("the curves panel opened from the Runs view", 60_000, async () => {
        await runs.first().click({ timeout: 5_000 });
        return (await curvesTab.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        ))
          ? true
          : undefined;
      });
      await new Promise((r) => setTimeout(r, 2500));
      await shot(page, "09-curves.png");
    });

    // The run's checkpoint exists now: the panels that run the model (in the trainer's inspector
    // process) can show what the trained LeNet-5 computes.
    await check("Open Feature Maps (from the run): a digit drawn with the mouse, through the trained LeNet-5", async () => {
      await openFromRunMenu(page, "lenet5Mnist", "Open Feature Maps", /Feature Maps: lenet5Mnist/);
      const frame = await panelFrame(page, "Feature maps", 60_000);
      await frame.locator(".cs-header", { hasText: "lenet5Mnist · input 1×28×28" }).waitFor({ timeout: 60_000 });
      // The first forward pass (the newest checkpoint, a validation sample) starts the inspector.
      let painted = await featureMapsPainted(frame, null, "the first feature maps (the inspector process starting)");
      log(`feature maps: first result painted (request ${painted})`);

      // The weights: the run's checkpoint (after its one epoch).
      const weights = await choose(frame, "Weights", /epoch 1, step \d+ · /);
      painted = await featureMapsPainted(frame, painted, "the feature maps with the checkpoint");
      const checkpoint = await frame.locator('vscode-single-select[aria-label="Weights"]').evaluate((el) => (el as unknown as PageElement).value);
      assert.match(checkpoint, /checkpoints[\\/][^\\/]+\.safetensors$/, `the Weights select holds a checkpoint (${checkpoint})`);
      log(`feature maps: weights ${JSON.stringify(weights)}`);

      // The input: a "7" drawn with the mouse (one stroke: the bar, then the diagonal).
      await choose(frame, "Input", "Draw a digit");
      const pad = frame.locator("canvas.cs-drawing");
      await pad.waitFor({ timeout: 20_000 });
      await frame.locator(".cs-status", { hasText: "Draw a digit in the box." }).waitFor({ timeout: 20_000 });
      const b = (await pad.boundingBox())!;
      const at = (x: number, y: number): [number, number] => [b.x + b.width * x, b.y + b.height * y];
      await page.mouse.move(...at(0.22, 0.2));
      await page.mouse.down();
      for (let k = 1; k <= 8; k++) await page.mouse.move(...at(0.22 + (0.78 - 0.22) * (k / 8), 0.2));
      for (let k = 1; k <= 10; k++) await page.mouse.move(...at(0.78 - (0.78 - 0.45) * (k / 10), 0.2 + (0.85 - 0.2) * (k / 10)));
      await page.mouse.up();
      assert.ok((await canvasInk(frame, "canvas.cs-drawing")) > 0.02, "the stroke is on the drawing pad");
      painted = await featureMapsPainted(frame, painted, "the feature maps of the drawing");
      await frame.locator(".cs-input-view p", { hasText: /^drawing$/ }).waitFor({ timeout: 10_000 });
      const inputInk = await canvasInk(frame, ".cs-input-canvas");
      assert.ok(inputInk > 0.05 && inputInk < 0.6, `the drawn digit is the input (ink ${inputInk.toFixed(3)})`);

      /** Six or sixteen tiles with real values: painted, captioned with a non-zero maximum, a value under the mouse. */
      const assertGrid = async (layer: RegExp, channels: number): Promise<string> => {
        await frame.locator(".cs-maps h2", { hasText: layer }).waitFor({ timeout: 20_000 });
        assert.equal(await frame.locator(".cs-tile").count(), channels);
        const captions = await frame.locator(".cs-tile .cs-tile-caption").allInnerTexts();
        const maxima = captions.map((c) => /max (\S+)/.exec(c)?.[1]).map(Number);
        assert.ok(maxima.filter((v) => Number.isFinite(v) && v !== 0).length >= channels / 2, `channels with values: ${captions.join(" | ")}`);
        let inked = 0;
        for (let i = 0; i < channels; i++) if ((await canvasInk(frame, `.cs-tile[data-index="${i}"] canvas`)) > 0.05) inked++;
        assert.ok(inked >= channels / 2, `${inked} of ${channels} tiles painted with more than one colour`);
        // Hover the middle of the liveliest channel: the read-out gives its value there.
        const best = maxima.reduce((bi, v, i) => (Math.abs(v) > Math.abs(maxima[bi] ?? 0) ? i : bi), 0);
        const tb = (await frame.locator(`.cs-tile[data-index="${best}"] canvas`).boundingBox())!;
        const readout = frame.locator(".cs-maps .cs-readout");
        const value = await until("the hover read-out", 20_000, async () => {
          await page.mouse.move(tb.x + 2, tb.y + 2);
          await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2);
          const m = /channel (\d+) · y (\d+), x (\d+) · (\S+)/.exec(await readout.innerText());
          return m ? m : undefined;
        });
        assert.equal(Number(value[1]), best);
        assert.ok(Number.isFinite(Number(value[4])), `a value under the mouse: ${value[0]}`);
        return `${captions.join(", ")}; hover ${value[0]}`;
      };

      // conv1 (features.0), the panel's first layer, then conv2 (features.3) from the Layer select.
      const conv1 = await assertGrid(/features\.0 · Conv2d · 6×24×24/, 6);
      log(`feature maps of the drawing, conv1: ${conv1}`);
      await shot(page, "12-feature-maps-conv1.png");
      const layer = await choose(frame, "Layer", /^\s*features\.3 · Conv2d/);
      painted = await featureMapsPainted(frame, painted, "the feature maps of conv2");
      const conv2 = await assertGrid(/features\.3 · Conv2d · 16×8×8/, 16);
      log(`feature maps of the drawing, ${layer}: ${conv2}`);
      await frame.locator(".cs-input-view p", { hasText: /^drawing$/ }).waitFor({ timeout: 10_000 });
      await shot(page, "13-feature-maps-conv2.png");

      // Issue 18: the model's top-5 for the drawing, and Grad-CAM of the predicted class at conv2 over it.
      await frame.locator(".cs-top5 .cs-top5-row").nth(4).waitFor({ timeout: 30_000 });
      const top5 = (await frame.locator(".cs-top5 .cs-top5-row").allInnerTexts()).map((x) => x.replace(/\s+/g, " ").trim());
      log(`feature maps: top-5 of the drawing ${JSON.stringify(top5)}`);
      // (Grad-CAM is on by default: the caption names the class and the layer it explains)
      const cam = await until("the Grad-CAM caption", 60_000, async () => {
        const text = await frame.locator(".cs-cam-caption").innerText();
        return /^Grad-CAM of \S+ \(predicted\) at features\.3/.test(text) ? text : undefined;
      });
      log(`feature maps: ${cam}`);
      await shot(page, "13b-grad-cam.png");
    });

    await check("Evaluate Run (from the run's context menu): accuracy, the confusion matrix and a cell's samples", async () => {
      await openFromRunMenu(page, "lenet5Mnist", "Evaluate Run", /Evaluation: /);
      const frame = await panelFrame(page, "Evaluation", 60_000);
      const summary = await until("the evaluation's summary", 120_000, async () => {
        const text = await frame
          .locator(".cs-eval-summary")
          .first()
          .innerText()
          .catch(() => "");
        return /accuracy \d+\.\d%/.test(text) ? text : undefined;
      });
      log(`evaluation: ${JSON.stringify(summary)}`);
      const cells = frame.locator('td[role="button"]');
      assert.equal(await cells.count(), 100, "a 10 × 10 confusion matrix");
      await cells.first().click();
      await frame.locator("h3", { hasText: /^true 0, predicted 0: \d+ samples?/ }).waitFor({ timeout: 30_000 });
      await frame.locator(".cs-eval-thumbs canvas, .cs-eval-thumbs img").first().waitFor({ timeout: 30_000 });
      await shot(page, "13c-evaluation.png");
    });

    await check("Open Receptive Field: a unit of conv2, its theoretical box and its effective field", async () => {
      await runCommand(page, "View: Close All Editors");
      await openFile(page, "lenet5.ts");
      // The cursor on lenet5Mnist (below the first screen): Go to Symbol in Editor.
      await focusWorkbench(page);
      await page.keyboard.press("Control+P");
      await quickOpen(page, "@lenet5Mnist", "lenet5Mnist");
      await editor.locator(".view-line", { hasText: "export const lenet5Mnist = new LeNet5(28, 10)" }).first().waitFor({ timeout: 20_000 });
      await runCommand(page, "CNN Studio: Open Receptive Field");
      await page
        .locator(".tab", { hasText: /Receptive Field: lenet5Mnist/ })
        .first()
        .waitFor({ timeout: 30_000 });
      // The panel opens beside the source: give it the whole editor area (the source's group closes).
      // (panels open beside the code without taking the focus, issue 19.1: focus the panel's group first)
      await page
        .locator(".tab", { hasText: /Receptive Field: lenet5Mnist/ })
        .first()
        .click();
      await runCommand(page, "View: Close Editors in Other Groups");
      await page.locator(".tab", { hasText: "lenet5.ts" }).first().waitFor({ state: "detached", timeout: 20_000 });
      const frame = await panelFrame(page, "Receptive field", 60_000);
      await frame.locator(".cs-header", { hasText: "lenet5Mnist · input 1×28×28" }).waitFor({ timeout: 60_000 });
      const weights = await frame.locator('vscode-single-select[aria-label="Weights"]').evaluate((el) => (el as unknown as PageElement).value);
      assert.match(weights, /checkpoints[\\/][^\\/]+\.safetensors$/, `the run's checkpoint is the default weights (${weights})`);
      const layer = await choose(frame, "Layer", /^\s*features\.3 · Conv2d/);
      log(`receptive field: layer ${JSON.stringify(layer)}`);
      const unitCaption = frame.locator(".cs-rf-panels section[aria-label='Layer output'] .cs-caption");
      // conv2's output (a validation sample through the checkpoint) is drawn: pick a unit on it.
      const shown = await until("conv2's feature map under the unit picker", 180_000, async () => {
        const error = await panelError(frame);
        if (error) return { error };
        const t = await unitCaption.innerText();
        return /^features\.3 · 16×8×8/.test(t) && !t.includes("no feature map") ? { caption: t } : undefined;
      });
      if ("error" in shown) throw new Error(`the receptive-field panel failed: ${shown.error}`);
      // Unit (y 2, x 5) of conv2's 8×8 map, clicked where it is at the time of the click (the panel's
      // layout moves as its status line comes and goes).
      const units = frame.locator("canvas.cs-rf-units");
      const ub = (await units.boundingBox())!;
      await units.click({ position: { x: ((5 + 0.5) / 8) * ub.width, y: ((2 + 0.5) / 8) * ub.height }, timeout: 20_000 });
      await unitCaption.filter({ hasText: "unit (y 2, x 5)" }).waitFor({ timeout: 20_000 });
      // The theoretical box (from the analysis): 14×14 input pixels with a stride of 2.
      const summary = (await frame.locator(".cs-summary").innerText()).trim();
      assert.match(summary, /^Unit \(y 2, x 5\) of features\.3 sees input rows \d+–\d+, columns \d+–\d+: 14 px with a stride of 2/);
      // The effective field: the input gradient of that unit, as a heat map (not the "not available" note).
      const erf = frame.locator(".cs-rf-panels section[aria-label='Effective receptive field']");
      const erfCanvas = erf.locator("canvas");
      const label = await until("the effective receptive field", 180_000, async () => {
        const note = erf.locator(".cs-notice");
        if ((await note.count()) > 0) return { error: (await note.first().innerText()).replace(/\s+/g, " ") };
        const l = (await erfCanvas.getAttribute("aria-label")) ?? "";
        return l.includes("95% of the gradient within") ? { label: l } : undefined;
      });
      if ("error" in label) throw new Error(`the effective receptive field is not shown: ${label.error}`);
      const caption = (await erf.locator(".cs-caption").innerText()).trim();
      assert.match(caption, /^95% of the gradient lies in \d+×\d+ px/);
      const erfInk = await canvasInk(frame, ".cs-rf-panels section[aria-label='Effective receptive field'] canvas");
      assert.ok(erfInk > 0.1, `the heat map is drawn (ink ${erfInk.toFixed(3)})`);
      const inputInk = await canvasInk(frame, ".cs-rf-panels section[aria-label='Theoretical receptive field'] canvas");
      assert.ok(inputInk > 0.05, `the input with its box is drawn (ink ${inputInk.toFixed(3)})`);
      assert.equal(await frame.locator(".cs-notice").count(), 0, 'no notice (nothing "not available")');
      log(`receptive field: ${summary} ${caption}`);
      await shot(page, "14-receptive-field.png");
    });

    await check("the attention view: the MNIST ViT's class token (then a clicked patch) over an MNIST sample's patches", async () => {
      await runCommand(page, "View: Close All Editors");
      await openFile(page, "vit-mnist.ts");
      // The file declares one model (vitMnist): the command takes it from the editor.
      await editor.locator(".view-lines", { hasText: "MnistViT" }).first().waitFor({ timeout: 20_000 });
      await runCommand(page, "CNN Studio: Open Feature Maps");
      await page
        .locator(".tab", { hasText: /Feature Maps: vitMnist/ })
        .first()
        .waitFor({ timeout: 60_000 });
      // (panels open beside the code without taking the focus, issue 19.1: focus the panel's group first)
      await page
        .locator(".tab", { hasText: /Feature Maps: vitMnist/ })
        .first()
        .click();
      await runCommand(page, "View: Close Editors in Other Groups");
      await page.locator(".tab", { hasText: "vit-mnist.ts" }).first().waitFor({ state: "detached", timeout: 20_000 });
      const frame = await panelFrame(page, "Feature maps", 60_000);
      await frame.locator(".cs-header", { hasText: "vitMnist · input 1×28×28" }).waitFor({ timeout: 60_000 });
      // The untrained ViT (no run of it) on the bundled MNIST sample: first its patch embedding's maps.
      const painted = await featureMapsPainted(frame, null, "the ViT's first feature maps (its patch embedding)");
      const weights = await frame.locator('vscode-single-select[aria-label="Weights"]').evaluate((el) => (el as unknown as PageElement).value);
      log(`attention: weights ${JSON.stringify(weights)}, input ${JSON.stringify(await frame.locator(".cs-input-view p:not(.cs-cam-caption)").innerText())}`);
      const layer = await choose(frame, "Layer", /^\s*encoder\.layers\.encoder_layer_0\.self_attention · attention/);
      await featureMapsPainted(frame, painted, "the attention weights of the first encoder layer");
      const view = frame.locator("section.cs-attention");
      const caption = async (): Promise<string> => (await view.locator("> p").first().innerText()).trim();
      const first = await caption();
      const grid =
        /^Attention of the class token over (\d+)×(\d+) patches · mean of (\d+) heads · strongest: (?:patch \(row \d+, column \d+\)|the class token) \(/.exec(
          first,
        );
      assert.ok(grid, `the class token's attention, averaged over the heads: ${first}`);
      const [rows, cols, heads] = [Number(grid[1]), Number(grid[2]), Number(grid[3])];
      /** The drawn row of attention weights: its query, its sum over all keys (1: softmax) and over the patches. */
      const drawn = async (): Promise<{ query: string; rowSum: number; patchSum: number }> => {
        const d = await view.evaluate((el) => ({ ...(el as unknown as PageElement).dataset }));
        return { query: d["query"] ?? "", rowSum: Number(d["rowSum"]), patchSum: Number(d["patchSum"]) };
      };
      const row = await drawn();
      assert.equal(row.query, "0", "the class token is the query");
      assert.ok(Math.abs(row.rowSum - 1) < 1e-3, `the class token's attention sums to 1 over the keys: ${JSON.stringify(row)}`);
      assert.ok(row.patchSum > 0 && row.patchSum <= row.rowSum + 1e-6, `the patches' share: ${JSON.stringify(row)}`);
      const overlayInk = await canvasInk(frame, ".cs-attention-overlay");
      assert.ok(overlayInk > 0.1, `the overlay is drawn over the digit (ink ${overlayInk.toFixed(3)})`);
      assert.ok((await canvasInk(frame, ".cs-attention-matrix")) > 0.02, "the attention matrix is drawn");
      const legends = (await view.locator(".cs-attention-legend").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
      assert.equal(legends.length, 2, `two colour scales: ${legends.join(" | ")}`);
      for (const l of legends) assert.match(l, /^0 \S+$/);
      assert.equal(await frame.locator(".cs-tile").count(), 0, "no channel tiles for an attention layer");
      log(`attention (${layer}): ${first}; row ${JSON.stringify(row)}; scales ${legends.join(" | ")}`);
      await shot(page, "15-attention-vit.png");

      // A click on the patch at row 2, column 2 makes it the query; then one head instead of the mean.
      const overlay = frame.locator("canvas.cs-attention-overlay");
      const ob = (await overlay.boundingBox())!;
      await overlay.click({ position: { x: (1.5 / cols) * ob.width, y: (1.5 / rows) * ob.height }, timeout: 20_000 });
      await until("the clicked patch as the query", 20_000, async () =>
        (await caption()).startsWith("Attention of patch (row 2, column 2)") ? true : undefined,
      );
      const patchRow = await drawn();
      assert.equal(patchRow.query, String(1 + cols + 1));
      assert.ok(Math.abs(patchRow.rowSum - 1) < 1e-3, `the patch's attention sums to 1: ${JSON.stringify(patchRow)}`);
      await choose(frame, "Heads", heads > 1 ? "Head 2" : "Head 1");
      const perHead = await until("one head's attention", 20_000, async () => {
        const t = await caption();
        return t.includes(`head ${heads > 1 ? 2 : 1} of ${heads}`) ? t : undefined;
      });
      assert.ok(Math.abs((await drawn()).rowSum - 1) < 1e-3, "one head's row sums to 1");
      log(`attention of a clicked patch, one head: ${perHead}`);
      await shot(page, "16-attention-vit-patch.png");
    });

    await check("Train: Start from weights… shows how the file matches the model; a freeze shows what stays trainable", async () => {
      await runCommand(page, "View: Close All Editors");
      await showSidebar(page);
      const frame: FrameLocator = page.frameLocator("iframe.webview.ready").first().frameLocator("iframe#active-frame");
      await frame.locator("vscode-button#start").waitFor({ timeout: 30_000 });
      // (the view's own pick follows the active editor, the ViT's after the attention view: choose LeNet-5)
      await choose(frame, "Model", /^\s*lenet5Mnist/);
      await until("lenet5Mnist selected", 30_000, async () => ((await frame.locator("#preview").innerText()).includes("Train lenet5Mnist") ? true : undefined));
      // The button opens VS Code's file picker (in code-server its path box): the path typed, Enter.
      // (the transfer settings sit in a section collapsed by default, issue 19.2)
      await frame.locator("vscode-collapsible#section-transfer").evaluate((e) => ((e as unknown as { open: boolean }).open = true));
      await frame.locator("vscode-button#chooseWeights").click();
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 20_000 });
      // The picker fills its box with the folder it starts in once it has listed it: type the path after that.
      await until("the file picker's starting folder", 20_000, async () => ((await input.inputValue()).endsWith("/") ? true : undefined));
      await until("the weights file's path in the file picker", 20_000, async () => {
        if ((await input.inputValue()) !== weightsFile) await input.fill(weightsFile);
        await new Promise((r) => setTimeout(r, 500));
        return (await input.inputValue()) === weightsFile ? true : undefined;
      });
      await page.keyboard.press("Enter");
      const headline = frame.locator("#weights-headline");
      const text = await until("the weights report in the Train view", 60_000, async () => {
        const t2 = (await headline.innerText().catch(() => "")).trim();
        return t2 !== "" ? t2 : undefined;
      });
      assert.equal(text, "9 of 10 tensors load");
      assert.equal((await frame.locator("#weights-counts").innerText()).trim(), "1 mismatched · 0 missing · 1 unexpected");
      assert.match(await frame.locator("#weights-lines").innerText(), /classifier\.4\.weight: file \[1000, 84\], model \[10, 84\] — kept freshly initialised/);
      log(`weights report: ${text}`);
      await frame.locator("input#freeze").fill("features");
      const trainable = await until("the trainable count", 30_000, async () => {
        const t2 = (
          await frame
            .locator("#freeze-trainable")
            .innerText()
            .catch(() => "")
        ).trim();
        return /trainable of/.test(t2) ? t2 : undefined;
      });
      log(`freeze: ${trainable}`);
      await until("the preview with the weights and the freeze", 30_000, async () => {
        const t2 = await frame.locator("#preview").innerText();
        return t2.includes("starting from lenet5-pretrained.safetensors") && t2.includes("frozen: features") ? true : undefined;
      });
      await frame.locator("#weights-report").scrollIntoViewIfNeeded();
      const row = page.locator(".pane-body .monaco-list-row", { hasText: "lenet5Mnist" }).filter({ hasText: "trainable of" });
      const inModels = await row
        .first()
        .waitFor({ timeout: 15_000 })
        .then(
          () => true,
          () => false,
        );
      log(`Models view shows the trainable count: ${inModels}`);
      await shot(page, "19-train-from-weights.png");
      await openFile(page, "lenet5.ts");
      // the lens sits above lenet5Mnist's declaration, below the first screen: go to its line
      await page.keyboard.press("Control+G");
      await page.keyboard.type(String(lenetMnistLine));
      await page.keyboard.press("Enter");
      const lens = page.locator(".monaco-editor .codelens-decoration", { hasText: "trainable of" });
      const lensShown = await lens
        .first()
        .waitFor({ timeout: 30_000 })
        .then(
          () => true,
          () => false,
        );
      log(`code lens shows the trainable count: ${lensShown}`);
      if (lensShown) await lens.first().scrollIntoViewIfNeeded();
      await shot(page, "20-freeze-code-lens.png");
      assert.ok(inModels, "the Models view shows lenet5Mnist's trainable count");
      assert.ok(lensShown, "a code lens shows lenet5Mnist's trainable count");
    });

    await check("layout: panels stay in at most one column beside the code after opening five of them (19.1)", async () => {
      await runCommand(page, "View: Close All Editors");
      await runCommand(page, "Notifications: Clear All Notifications");
      await openFile(page, "lenet5.ts");
      // The cursor on lenet5Mnist: Go to Symbol in Editor (the file may be scrolled anywhere).
      await focusWorkbench(page);
      await page.keyboard.press("Control+P");
      await quickOpen(page, "@lenet5Mnist", "lenet5Mnist");
      await editor.locator(".view-line", { hasText: "export const lenet5Mnist = new LeNet5(28, 10)" }).first().waitFor({ timeout: 20_000 });
      const opened: [string, RegExp][] = [
        ["CNN Studio: Show Model Summary", /summary/i],
        ["CNN Studio: Open Model Graph", /Graph: lenet5/],
        ["CNN Studio: Open Receptive Field", /Receptive Field: lenet5/],
        ["CNN Studio: Open Feature Maps", /Feature Maps: lenet5/],
        ["CNN Studio: Open Filters", /Filters: lenet5/],
      ];
      for (const [command, tab] of opened) {
        await runCommand(page, command);
        await page.locator(".tab", { hasText: tab }).first().waitFor({ timeout: 30_000 });
      }
      await new Promise((r) => setTimeout(r, 1500));
      const groups = await page.locator(".editor-group-container").count();
      log(`editor groups after opening five panels: ${groups}`);
      await shot(page, "21-five-panels.png");
      assert.ok(groups <= 2, `the code and one panel area, not ${groups} columns`);
    });

    await check("every panel in Dark+ and Light+, at 1400×900 and with a narrow sidebar (issue 19's done-when)", async () => {
      await openRunPanels(page, "lenet5Mnist");
      await shootThemesAndSizes(page);
      await runCommand(page, "View: Close All Editors");
    });

    await check("a .d.ts that imports cnn-studio is never listed or diagnosed (19.6)", async () => {
      await openFile(page, "extra.d.ts");
      await showSidebar(page);
      await new Promise((r) => setTimeout(r, 5000));
      const modelsPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: /^\s*Models/i }) });
      const rows = (await modelsPane.locator(".monaco-list-row").allInnerTexts()).join("\n");
      assert.doesNotMatch(rows, /extra\.d\.ts/, `the Models view lists the declaration file:\n${rows}`);
      await runCommand(page, "View: Focus Problems");
      const problems = (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).join("\n");
      assert.doesNotMatch(problems, /Namespaces are not supported|extra\.d\.ts/, `Problems:\n${problems}`);
      await page.keyboard.press("Control+J");
      await runCommand(page, "View: Close All Editors");
    });

    await check("a valid model beside a broken one trains; the broken one is named (19.7)", async () => {
      await showSidebar(page);
      const frame: FrameLocator = page.frameLocator("iframe.webview.ready").first().frameLocator("iframe#active-frame");
      await frame.locator("vscode-button#start").waitFor({ timeout: 30_000 });
      await choose(frame, "Model", /^\s*myMnist/);
      await until("myMnist named as broken", 30_000, async () =>
        /myMnist has 1 error/.test(
          await frame
            .locator("#error-model")
            .innerText()
            .catch(() => ""),
        )
          ? true
          : undefined,
      );
      await choose(frame, "Model", /^\s*myNet/);
      // the weights and the freeze of the check before are LeNet-5's: clear them
      await frame.locator("vscode-collapsible#section-transfer").evaluate((e) => ((e as unknown as { open: boolean }).open = true));
      await frame.locator("input#freeze").fill("");
      if (await frame.locator("vscode-button#clearWeights").isVisible()) await frame.locator("vscode-button#clearWeights").click();
      await frame.locator("#epochs input").fill("1");
      await until("the preview of myNet", 30_000, async () => ((await frame.locator("#preview").innerText()).includes("Train myNet") ? true : undefined));
      await shot(page, "22-train-beside-broken.png");
      await frame.locator("vscode-button#start").click();
      const runsPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: /^\s*Runs/i }) });
      await runsPane.locator(".monaco-list-row", { hasText: "myNet" }).first().waitFor({ timeout: 60_000 });
      const status = page.locator(".statusbar-item", { hasText: /myNet · / });
      await status.first().waitFor({ timeout: 60_000 });
      log(`myNet trains: ${JSON.stringify(await status.first().innerText())}`);
      await frame
        .locator("vscode-button#stop")
        .click({ timeout: 10_000 })
        .catch(() => undefined);
    });

    await check("activation time (VS Code's Running Extensions view)", async () => {
      await runCommand(page, "Developer: Show Running Extensions");
      const row = page.locator(".runtime-extensions-editor .monaco-list-row", { hasText: "CNN Studio" }).first();
      await row.waitFor({ timeout: 20_000 });
      const text = await row.innerText();
      const ms = /Activation:\s*(\d+)\s*ms/.exec(text);
      await shot(page, "17-running-extensions.png");
      const outputs = findFiles(path.join(tmp, "user-data", "logs"), /CNN Studio\.log$/);
      const own = outputs.map((f) => /activated in .*$/m.exec(fs.readFileSync(f, "utf8"))?.[0]).find((x) => x !== undefined);
      const load = os.loadavg()[0]?.toFixed(1) ?? "?";
      console.log(
        `activation in VS Code: ${ms?.[1] ?? "?"} ms (Running Extensions: code loading + activate; load average ${load}); the extension's own log: ${own ?? "?"}`,
      );
      assert.ok(ms, `the Running Extensions view shows an activation time: ${JSON.stringify(text)}`);
      // The 50 ms budget is asserted in test/extension/activation.test.ts (a quiet process);
      // here the host shares two cores with the workbench and the TypeScript server.
      assert.ok(Number(ms[1]) < 2000, `activation took ${ms[1]} ms`);
    });

    await check("extension-host checks (test/extension/host) run in code-server's extension host", async () => {
      // The same checks @vscode/test-electron runs in desktop VS Code, here in a second window of
      // this server: the staged VSIX as the extension under development, the checks as its tests.
      const hostPage = await context.newPage();
      const lines: string[] = [];
      hostPage.on("console", (m) => {
        const text = m.text().replace(/^%c\s*\w+\s*color:\s*#\w+\s*/, "");
        if (/^(ok|not ok) - |^extension-host checks:|^activation:/.test(text)) lines.push(text);
      });
      const remote = (p: string): string => `vscode-remote://127.0.0.1:${server!.port}${p}`;
      const payload = [
        ["extensionDevelopmentPath", remote(path.join(tmp, "stage"))],
        ["extensionTestsPath", remote(path.join(ROOT, "out", "test", "extension", "host", "index.js"))],
      ];
      await hostPage.goto(`${server!.base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      const summary = await until("the extension-host checks' summary", 180_000, async () => lines.find((l) => l.startsWith("extension-host checks:")));
      for (const l of lines) log(`  host: ${l}`);
      await hostPage.screenshot({ path: path.join(ARTIFACTS, "18-host-checks.png") });
      await hostPage.close();
      assert.match(summary, /: \d+ passed, 0 failed$/, lines.join("\n"));
    });
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    try {
      const pages = browser?.contexts()[0]?.pages() ?? [];
      if (pages[0]) await pages[0].screenshot({ path: path.join(ARTIFACTS, "99-final.png") });
    } catch {
      // no page
    }
    await browser?.close().catch(() => undefined);
    server?.stop();
    const anyFailed = failed || process.exitCode === 1;
    if (anyFailed || process.env["KEEP"]) log(`temp dir kept: ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
});
