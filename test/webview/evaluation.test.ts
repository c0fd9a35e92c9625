import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EvaluationReport } from "../../src/shared/evaluation";
import { classMetricsOf } from "../../src/shared/evaluation";
import { validateEvaluationToHost, validateEvaluationToWebview, type EvaluationToWebview } from "../../src/shared/webview/evaluation";
import { assertCleanPage, canvasInk, ensureChromium, panelSession } from "./harness";
import type { PageDocument } from "./page";

/**
 * Issue 18: the Evaluation panel in headless Chromium: the confusion matrix with counts (a click
 * asks for the samples behind a cell), per-class bars, the gallery of confident mistakes, two runs
 * side by side, in the three themes.
 */

declare const document: PageDocument;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;
const CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** A plausible MNIST evaluation: 20 samples per class, some confusions (4↔9, 3↔5, 7→1). */
function evaluation(runDir: string, noise: number): Extract<EvaluationToWebview, { type: "evaluation" }> {
  const labels: number[] = [];
  const predicted: number[] = [];
  const confidence: number[] = [];
  const swaps: Record<number, number> = { 4: 9, 9: 4, 3: 5, 5: 3, 7: 1 };
  for (let c = 0; c < 10; c++)
    for (let k = 0; k < 20; k++) {
      labels.push(c);
      const wrong = swaps[c] !== undefined && k < noise + (c % 3);
      predicted.push(wrong ? swaps[c]! : c);
      confidence.push(wrong ? 0.5 + 0.02 * k : 0.9 + 0.004 * k);
    }
  const confusion = CLASSES.map(() => CLASSES.map(() => 0));
  labels.forEach((l, i) => (confusion[l]![predicted[i]!]! += 1));
  const correct = labels.filter((l, i) => l === predicted[i]).length;
  const mistakes = labels
    .map((l, i) => ({ index: i, label: CLASSES[l]!, predicted: CLASSES[predicted[i]!]!, confidence: confidence[i]! }))
    .filter((m) => m.label !== m.predicted)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, 8);
  const report: EvaluationReport = {
    accuracy: correct / labels.length,
    loss: 0.2 + noise * 0.05,
    classes: CLASSES,
    confusion,
    perClass: classMetricsOf(CLASSES, confusion),
    mistakes,
    top5: 0.995,
    run: runDir,
    checkpoint: "e0003-s000375.safetensors",
    dataset: "mnist-sample",
    split: "val",
    samples: labels.length,
  };
  return { type: "evaluation", runDir, report, labels, predicted, confidence };
}

/** A digit-like blob per index. */
function image(i: number): { shape: number[]; data: Float32Array } {
  const data = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) data[y * 28 + x] = Math.hypot(x - 14 - ((i * 3) % 7) + 3, (y - 14) * 0.6) < 8 && Math.hypot(x - 14, y - 14) > 4 ? 1 : 0;
  return { shape: [1, 28, 28], data };
}

describe("Evaluation panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  for (const theme of ["dark", "light", "high-contrast"] as const) {
    it(`confusion matrix with counts, per-class bars, mistakes; a cell click shows its samples (${theme})`, async () => {
      const p = await session.open("evaluation", theme);
      try {
        await p.waitForPosted("ready");
        const runs = [{ runDir: "/runs/2026-12-07-lenet5", name: "2026-12-07-lenet5" }];
        await p.post({ type: "snapshot", runs, split: "val", unavailable: "" });
        const ev = evaluation(runs[0]!.runDir, 3);
        assert.ok(validateEvaluationToWebview(ev).ok);
        await p.post(ev);
        await p.page.waitForFunction(() => document.body.dataset["evaluated"] !== undefined);
        assert.equal(await p.page.locator(".cs-eval-cell").count(), 100);
        assert.equal(await p.page.textContent(".cs-eval-confusion tbody tr:nth-child(5) td:nth-child(11)"), String(ev.report.confusion[4]![9]));
        assert.match((await p.page.textContent(".cs-eval-summary")) ?? "", /accuracy \d+\.\d% · top-5 99\.5% · loss 0\.3500/);
        assert.equal(await p.page.locator(".cs-eval-classes tbody tr").count(), 10);
        // the mistakes' thumbnails are asked for at once
        const ask = await p.waitForPosted("samples");
        assert.ok(validateEvaluationToHost(ask).ok);
        assert.deepEqual(
          ask["indices"],
          ev.report.mistakes.map((m) => m.index),
        );
        const idx = ask["indices"] as number[];
        await p.post({ type: "samples", requestId: ask["requestId"], runDir: runs[0]!.runDir, indices: idx, images: idx.map(image) });
        await p.page.waitForFunction(() => document.body.dataset["thumbnails"] !== undefined);
        assert.equal(await p.page.locator(".cs-eval-figure").count(), idx.length);
        assert.ok((await canvasInk(p.page, ".cs-eval-thumb")) > 0.05);
        // a click on the cell (true 4, predicted 9) asks for exactly its samples
        await p.page.click(".cs-eval-confusion tbody tr:nth-child(5) td:nth-child(11)");
        const cell = await p.waitForPosted("samples", 2);
        const expected = ev.labels.flatMap((l, i) => (l === 4 && ev.predicted[i] === 9 ? [i] : []));
        assert.deepEqual(cell["indices"], expected);
        const ci = cell["indices"] as number[];
        await p.post({ type: "samples", requestId: cell["requestId"], runDir: runs[0]!.runDir, indices: ci, images: ci.map(image) });
        await p.page.waitForFunction((n) => document.body.dataset["thumbnails"] === String(n), cell["requestId"] as number);
        assert.match((await p.page.textContent(".cs-eval-run")) ?? "", /true 4, predicted 9: \d+ samples/);
        await p.screenshot(`evaluation-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("issue 19: a ten-class confusion matrix fits a panel beside the code (500 px) without scrolling", async () => {
    const p = await session.open("evaluation", "dark", { width: 500 });
    try {
      await p.waitForPosted("ready");
      const runs = [{ runDir: "/runs/2026-12-07-lenet5", name: "2026-12-07-lenet5" }];
      await p.post({ type: "snapshot", runs, split: "val", unavailable: "" });
      await p.post(evaluation(runs[0]!.runDir, 3));
      await p.page.waitForFunction(() => document.body.dataset["evaluated"] !== undefined);
      const { scroll, client } = await p.page.$eval(".cs-eval-scroll", (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
      assert.ok(scroll <= client, `the matrix is ${scroll} px wide in ${client} px`);
      await p.screenshot("evaluation-500px-dark");
    } finally {
      await p.close();
    }
  });

  it("two runs side by side; a failed run says why; the split goes to the host", async () => {
    const p = await session.open("evaluation", "dark");
    try {
      await p.waitForPosted("ready");
      const runs = [
        { runDir: "/runs/a-lenet5", name: "a-lenet5" },
        { runDir: "/runs/b-lenet5", name: "b-lenet5" },
      ];
      await p.post({ type: "snapshot", runs, split: "val", unavailable: "" });
      await p.post(evaluation(runs[0]!.runDir, 1));
      await p.post(evaluation(runs[1]!.runDir, 6));
      await p.page.waitForFunction(() => document.body.dataset["evaluated"] === "2");
      assert.equal(await p.page.locator(".cs-eval-run").count(), 2);
      assert.equal(await p.page.locator(".cs-eval-runs.cs-two").count(), 1);
      await p.screenshot("evaluation-two-runs-dark");
      await p.post({ type: "evaluationFailed", runDir: runs[1]!.runDir, message: "/runs/b-lenet5 has no complete checkpoint" });
      await p.page
        .waitForSelector(".cs-eval-run:nth-child(2) .cs-notice, .cs-eval-run:nth-child(2) [role='alert'], .cs-eval-run:nth-child(2) .cs-error", {
          timeout: 5000,
        })
        .catch(() => undefined);
      assert.match((await p.page.textContent(".cs-eval-run:nth-child(2)")) ?? "", /no complete checkpoint/);
      const labels = await p.page.$$eval("vscode-single-select[aria-label='Split'] vscode-option", (os) =>
        os.map((o) => `${o.getAttribute("value")}:${o.textContent}`),
      );
      assert.deepEqual(labels, ["val:Validation", "train:Training", "test:Test files"]);
      await p.page.evaluate(() => {
        const sel = document.querySelector("vscode-single-select[aria-label='Split']")!;
        sel.value = "test";
        sel.dispatchEvent(new Event("change"));
      });
      assert.equal((await p.waitForPosted("setSplit"))["split"], "test");
    } finally {
      await p.close();
    }
  });
});
