import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { defaultForm } from "../../src/extension/train/form";
import type { TrainFormState } from "../../src/shared/webview/train";
import { assertCleanPage, ensureChromium, panelSession, SCREENSHOTS, type PanelPage } from "./harness";
import type { ThemeName } from "./themes";
import type { PageDocument } from "./page";

declare const document: PageDocument;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

/**
 * Issue 19.2 and 19.19: the Train view fits a sidebar in a 900 px window (Start and Stop always in
 * sight, the advanced settings collapsed, a problem named beside Start and revealed where it is),
 * and its controls neither overlap nor squeeze at 170, 250 and 400 px in the dark, light and
 * high-contrast themes.
 */
describe("Train view layout (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);
  const MODELS = [
    { id: "file:///w/mnist.ts#lenet", label: "lenet — mnist.ts", detail: "[N, 1, 28, 28] → [N, 10] · 61.7K params" },
    { id: "file:///w/mnist.ts#aVeryLongModelNameIndeed", label: "aVeryLongModelNameIndeed — mnist.ts", detail: "[N, 1, 28, 28] → [N, 10] · 1.2M params" },
  ];
  const form: TrainFormState = { ...defaultForm({ backend: "auto" }), dataset: "folder", datasetDir: "/home/user/data/cifar10/train" };

  async function loaded(theme: ThemeName, width: number, height: number, errors: Record<string, string> = {}): Promise<PanelPage> {
    const p = await session.open("train", theme, { width, height });
    await p.waitForPosted("ready");
    await p.post({ type: "state", state: form });
    await p.post({ type: "models", models: MODELS, selected: MODELS[0]!.id });
    await p.post({ type: "status", text: "", kind: "info", detail: "", training: false, canStart: true, hasRun: false });
    await p.post({ type: "validation", errors, preview: "Train lenet on the image folder for 5 epochs." });
    await p.page.waitForFunction(() => (document.querySelector("#preview")?.textContent ?? "") !== "");
    return p;
  }

  type Box = { x: number; y: number; width: number; height: number };
  const box = async (p: PanelPage, selector: string): Promise<Box> => {
    const b = await p.page.locator(selector).first().boundingBox();
    assert.ok(b, `${selector} is shown`);
    return b;
  };
  const inViewport = (b: Box, height: number): boolean => b.y >= 0 && b.y + b.height <= height;
  const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  async function viewportShot(p: PanelPage, name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await p.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  it("at 900 px Start is in sight without scrolling, the advanced settings are collapsed, and Stop stays in sight while training", async () => {
    // The Train view's share of a 900 px window, with Models and Runs open above and below it.
    const p = await loaded("dark", 300, 420);
    try {
      for (const id of ["section-optimizer", "section-data", "section-transfer"])
        assert.equal(await p.page.$eval(`#${id}`, (e) => (e as unknown as { open: boolean }).open), false, `${id} starts collapsed`);
      assert.ok(inViewport(await box(p, "#start"), 420), "Start is in sight");
      await p.post({ type: "status", text: "Training lenet: epoch 1/5", kind: "info", detail: "backend wasm", training: true, canStart: true, hasRun: true });
      await p.page.waitForSelector("#stop", { state: "visible" });
      await p.page.$eval("#section-optimizer", (e) => ((e as unknown as { open: boolean }).open = true));
      await p.page.mouse.wheel(0, -2000);
      assert.ok(inViewport(await box(p, "#stop"), 420), "Stop is in sight at the top of the form");
      await p.page.mouse.wheel(0, 4000);
      assert.ok(inViewport(await box(p, "#stop"), 420), "and at its bottom");
      await viewportShot(p, "train-fits-900-dark");
      await assertCleanPage(p);
    } finally {
      await p.close();
    }
  });

  it("a problem is named beside Start; Start opens its section and scrolls the field into view", async () => {
    const p = await loaded("light", 300, 420, { lr: "Learning rate must be greater than 0", freeze: "--freeze: an empty glob in 'a,'" });
    try {
      assert.equal(await p.page.textContent("#problems"), "Fix 2 settings to start: Learning rate, Freeze");
      assert.equal(await p.page.$eval("#section-transfer", (e) => (e as unknown as { open: boolean }).open), true, "a transfer problem opens its section");
      assert.equal(await p.page.$eval("#section-optimizer", (e) => (e as unknown as { open: boolean }).open), false);
      await p.page.click("#start");
      await p.waitForPosted("start");
      assert.equal(await p.page.$eval("#section-optimizer", (e) => (e as unknown as { open: boolean }).open), true, "Start opened the first problem's section");
      const error = await box(p, "#error-lr");
      assert.ok(inViewport(error, 420), `the error is in sight: ${JSON.stringify(error)}`);
      assert.ok(!overlap(error, await box(p, "#footer")), "not under the footer");
      assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute("id") ?? ""), "lr");
      await viewportShot(p, "train-problem-revealed-light");
      // the host answers a Start the form did not show problems for: the answer is revealed too
      await p.post({ type: "validation", errors: {}, preview: "ok" });
      await p.page.mouse.wheel(0, -2000);
      await p.page.click("#start");
      await p.post({ type: "validation", errors: { epochs: "Epochs must be at most 10000" }, preview: "" });
      await p.page.waitForFunction(() => document.activeElement?.getAttribute("id") === "epochs");
      // the Train code lens focuses Start
      await p.post({ type: "focus" });
      await p.page.waitForFunction(() => document.activeElement?.getAttribute("id") === "start");
    } finally {
      await p.close();
    }
  });

  for (const theme of ["dark", "light", "high-contrast"] as const) {
    for (const width of [170, 250, 400]) {
      it(`nothing overlaps or squeezes at ${width} px (${theme})`, async () => {
        const p = await loaded(theme, width, 700, { datasetDir: "No such folder: /home/user/data/cifar10/train" });
        try {
          await p.page.$eval("#section-optimizer", (e) => ((e as unknown as { open: boolean }).open = true));
          await p.page.waitForSelector("#lr", { state: "visible" });
          const optimizer = await box(p, "#optimizer");
          const lr = await box(p, "#lr");
          assert.ok(!overlap(optimizer, lr), `Optimizer ${JSON.stringify(optimizer)} and Learning rate ${JSON.stringify(lr)} do not overlap`);
          assert.ok(!overlap(await box(p, "vscode-label[for=optimizer]"), await box(p, "vscode-label[for=lr]")), "nor do their labels");
          const input = await box(p, "#datasetDir");
          const browse = await box(p, "#browse");
          assert.ok(Math.abs(input.y + input.height - (browse.y + browse.height)) <= 4, `Browse… beside its input: ${JSON.stringify({ input, browse })}`);
          assert.ok(input.width >= 0.6 * (width - 24) - 8, `the folder input keeps most of the width: ${input.width}`);
          const error = await box(p, "#error-datasetDir");
          assert.ok(error.width >= width - 40, `its error spans the view: ${error.width}`);
          // issue 19: a chosen weights file shows its base name on one line (an ellipsis when too long), the full path as its tooltip
          const weights = "/tmp/e2e-80jxQA/lenet5-pretrained-on-mnist-for-transfer.safetensors";
          await p.post({ type: "set", field: "weights", value: weights });
          const report = { file: weights, loaded: ["fc1.weight"], missing: [], unexpected: ["classifier.4.weight"], mismatched: [], notes: [] };
          await p.post({ type: "transfer", info: { weights: { path: weights, source: weights, report, error: null }, freezeNames: [], trainable: "" } });
          await p.page.$eval("#section-transfer", (e) => ((e as unknown as { open: boolean }).open = true));
          await p.page.waitForSelector("#weights-file", { state: "visible" });
          assert.equal(await p.page.textContent("#weights-file"), "lenet5-pretrained-on-mnist-for-transfer.safetensors");
          assert.equal(await p.page.getAttribute("#weights-file", "title"), weights);
          const file = await box(p, "#weights-file");
          assert.ok(file.height <= 20, `the file name takes one line: ${JSON.stringify(file)}`);
          assert.ok(file.x + file.width <= width + 1, `the file name fits in ${width} px: ${JSON.stringify(file)}`);
          const clipped = await p.page.$eval("#weights-file", (e) => {
            const el = e as unknown as { scrollWidth: number; clientWidth: number };
            return el.scrollWidth > el.clientWidth;
          });
          if (width === 170) assert.ok(clipped, "an ellipsis where the name does not fit");
          const counts = await box(p, "#weights-counts");
          assert.ok(counts.x + counts.width <= width + 1, `the report wraps within the view: ${JSON.stringify(counts)}`);
          for (const sel of ["#model", "#epochs", "#batchSize", "#start", "#footer"]) {
            const b = await box(p, sel);
            assert.ok(b.x >= 0 && b.x + b.width <= width + 1, `${sel} fits in ${width} px: ${JSON.stringify(b)}`);
          }
          await viewportShot(p, `train-${width}px-${theme}`);
          await p.page.locator("#weights-report").scrollIntoViewIfNeeded();
          await viewportShot(p, `train-weights-${width}px-${theme}`);
          p.errors.length = 0;
        } finally {
          await p.close();
        }
      });
    }
  }
});
