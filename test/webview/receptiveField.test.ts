import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { inputShapeOf, spatialLayers } from "../../src/extension/panels/modelData";
import { isWholeInput, type WindowField } from "../../src/shared/analysis";
import { validateReceptiveFieldToHost, validateReceptiveFieldToWebview, type ReceptiveFieldSnapshot } from "../../src/shared/webview/receptiveField";
import { analyze, featureMapsResult, syntheticGradient, syntheticImage, syntheticMaps } from "./fixtures";
import { assertCleanPage, canvasInk, ensureChromium, panelSession } from "./harness";
import type { PageDocument, PageEventConstructor } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;
declare const Event: PageEventConstructor;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

const resnet = analyze("examples/resnet.ts", "resnet18");

function snapshot(featureMaps: boolean, gradients: boolean): ReceptiveFieldSnapshot {
  return {
    type: "snapshot",
    model: resnet.ref,
    inputShape: inputShapeOf(resnet.model),
    layers: spatialLayers(resnet.model),
    checkpoints: [],
    dataset: null,
    featureMaps: featureMaps
      ? { available: true, reason: "" }
      : { available: false, reason: "Feature maps need a forward pass, which the trainer computes; it is not available in this window." },
    gradients: gradients
      ? { available: true, reason: "" }
      : { available: false, reason: "The effective receptive field needs input gradients, which the trainer computes; it is not available in this window." },
  };
}

/** A convolution after self-attention over the 7×7 grid's positions: each of its units sees the whole input. */
const HYBRID = `import { nn, type Tensor } from "cnn-studio";

class ConvAttention extends nn.Module {
  readonly stem = nn.Conv2d(1, 16, 4, { stride: 4 });
  readonly attn = nn.MultiheadAttention(16, 4, { batchFirst: true });
  readonly conv = nn.Conv2d(16, 8, 3, { padding: 1 });
  forward(x: Tensor): Tensor {
    const y = this.stem(x);
    const tokens = y.flatten(2).transpose(1, 2);
    const [mixed] = this.attn(tokens, tokens, tokens, { needWeights: false });
    return this.conv(mixed.transpose(1, 2).reshape(y.size(0), 16, 7, 7));
  }
}

/** @input [N, 1, 28, 28] */
export const convAttention = new ConvAttention();
`;

function hybridSnapshot(): ReceptiveFieldSnapshot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-rf-"));
  const file = path.join(dir, "hybrid.ts");
  fs.writeFileSync(file, HYBRID);
  const model = new Analyzer().analyzeFile(file).models[0]!;
  return {
    ...snapshot(false, false),
    model: { uri: `file://${file}`, file, model: model.name },
    inputShape: inputShapeOf(model),
    layers: spatialLayers(model),
  };
}

describe("receptive-field panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  for (const theme of ["dark", "light"] as const) {
    it(`theoretical field from the analysis alone, with a clear 'not available' for the effective one (${theme})`, async () => {
      const p = await session.open("receptiveField", theme);
      try {
        await p.waitForPosted("ready");
        const snap = snapshot(false, false);
        assert.ok(validateReceptiveFieldToWebview(snap).ok);
        await p.post(snap);
        await p.page.waitForSelector(".cs-growth svg");
        const chosen = ((await p.state()) as { nodeId: number }).nodeId;
        const layer = spatialLayers(resnet.model).find((l) => l.nodeId === chosen)!;
        assert.ok(layer.receptiveField && !isWholeInput(layer.receptiveField));
        const summary = (await p.page.textContent(".cs-summary")) ?? "";
        assert.match(summary, new RegExp(`of ${layer.label.replace(/\./g, "\\.")} sees input rows`));
        assert.match(summary, new RegExp(`${layer.receptiveField.size[0]} px`));
        assert.match((await p.page.textContent(".cs-erf-body")) ?? "", /not available.*input gradients/s);
        assert.ok((await canvasInk(p.page, ".cs-rf-canvas[aria-label^='Input']")) > 0.01, "the field is drawn on the input");
        const dots = await p.page.locator(".cs-growth circle").count();
        assert.equal(dots, spatialLayers(resnet.model).length);
        // global pooling sees the whole input: a ring on the input's line
        assert.equal(await p.page.locator(".cs-growth circle.cs-dot-whole").count(), 1);
        assert.equal((await p.posted()).filter((m) => m["type"] !== "ready").length, 0, "nothing is requested without a trainer");
        await p.screenshot(`receptiveField-theoretical-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("a layer after attention sees the whole input: said in the layer list and the summary, the whole input marked, no window", async () => {
    const p = await session.open("receptiveField", "light");
    try {
      await p.waitForPosted("ready");
      const snap = hybridSnapshot();
      const after = snap.layers.find((l) => l.label === "conv")!;
      assert.ok(after.receptiveField && isWholeInput(after.receptiveField), "the analysis gives the conv after attention the whole input");
      const stem = snap.layers.find((l) => l.label === "stem")!;
      assert.ok(stem.receptiveField && !isWholeInput(stem.receptiveField));
      await p.post(snap);
      await p.page.waitForSelector(".cs-growth svg");
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(after.nodeId));
      assert.equal(((await p.state()) as { nodeId: number }).nodeId, after.nodeId);
      const options = await p.page.locator("vscode-single-select[aria-label='Layer'] vscode-option").allTextContents();
      assert.ok(
        options.some((o) => /^conv · Conv2d · 8×7×7 · field whole input$/.test(o.trim())),
        `the layer list says it: ${options.join(" | ")}`,
      );
      const summary = (await p.page.textContent(".cs-summary")) ?? "";
      assert.match(summary, /^Unit \(y 3, x 3\) of conv sees the whole input: an operation before it mixes all positions/);
      assert.doesNotMatch(summary, /rows \d+–\d+/);
      // the whole input is marked (a tint over all of it), not a window; in the growth chart, a ring on the input's line
      assert.match((await p.page.textContent(".cs-rf-panels")) ?? "", /whole input/);
      assert.equal(await p.page.locator(`.cs-growth circle.cs-dot-whole[data-node="${after.nodeId}"]`).count(), 1);
      await p.screenshot("receptiveField-whole-input-light");
      await assertCleanPage(p);
    } finally {
      await p.close();
    }
  });

  it("picks a unit by click and by keyboard, and the box follows the analysis' numbers", async () => {
    const p = await session.open("receptiveField", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshot(false, false));
      await p.page.waitForSelector(".cs-growth svg");
      // choose layer2.0.conv1 from the growth chart (keyboard: focus the chart, arrows)
      const list = spatialLayers(resnet.model);
      const target = list.find((l) => l.label === "layer1.0.conv1")!;
      await p.page.click(`.cs-growth circle[data-node="${target.nodeId}"]`);
      assert.equal(((await p.state()) as { nodeId: number }).nodeId, target.nodeId);
      await p.page.focus(".cs-growth");
      await p.page.keyboard.press("ArrowRight");
      const next = list[list.indexOf(target) + 1]!;
      assert.equal(((await p.state()) as { nodeId: number }).nodeId, next.nodeId, "→ selects the next layer");
      await p.page.keyboard.press("ArrowLeft");
      // click the unit at (0, 0) of a 56×56 map
      const canvas = p.page.locator(".cs-rf-units");
      const b = (await canvas.boundingBox())!;
      await p.page.mouse.click(b.x + 2, b.y + 2);
      assert.deepEqual(((await p.state()) as { unit: number[] }).unit, [0, 0]);
      const rf = target.receptiveField! as WindowField;
      const half = (rf.size[0] - 1) / 2;
      const summary = (await p.page.textContent(".cs-summary")) ?? "";
      assert.match(summary, new RegExp(`rows ${rf.start[0] - half}–${rf.start[0] + half}`), summary);
      assert.match(summary, /padding/);
      // keyboard: arrows move the unit
      await p.page.focus(".cs-rf-units");
      await p.page.keyboard.press("ArrowDown");
      await p.page.keyboard.press("ArrowRight");
      await p.page.keyboard.press("ArrowRight");
      assert.deepEqual(((await p.state()) as { unit: number[] }).unit, [1, 2]);
      assert.match((await p.page.getAttribute(".cs-rf-units", "aria-valuetext")) ?? "", /unit y 1, x 2 of 56×56/);
    } finally {
      await p.close();
    }
  });

  it("with a trainer: shows the layer's map, asks for the input gradient of the unit and draws the effective field", async () => {
    const p = await session.open("receptiveField", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshot(true, true));
      const fm = await p.waitForPosted("compute");
      const nodeId = (fm["nodeIds"] as number[])[0]!;
      const layer = spatialLayers(resnet.model).find((l) => l.nodeId === nodeId)!;
      const [c, hh, w] = layer.shape;
      await p.post(featureMapsResult(fm["requestId"] as number, nodeId, syntheticImage(224, 224), syntheticMaps(c, hh, w, 5)));
      const g = await p.waitForPosted("requestInputGradient");
      const checked = validateReceptiveFieldToHost(g);
      assert.ok(checked.ok, checked.ok ? "" : checked.error);
      const unit = g["unit"] as { channel: number | null; y: number; x: number };
      assert.deepEqual(unit, { channel: null, y: Math.floor((hh - 1) / 2), x: Math.floor((w - 1) / 2) });
      const rf = layer.receptiveField! as WindowField;
      const cy = rf.start[0] + unit.y * rf.jump[0];
      const cx = rf.start[1] + unit.x * rf.jump[1];
      await p.post({
        type: "inputGradient",
        requestId: g["requestId"],
        nodeId,
        unit,
        checkpoint: null,
        input: syntheticImage(224, 224),
        gradient: syntheticGradient(3, 224, 224, cy, cx, rf.size[0] / 6),
      });
      await p.page.waitForFunction(() => /95% of the gradient/.test(document.querySelector(".cs-erf-body + .cs-caption")?.textContent ?? ""));
      const caption = (await p.page.textContent(".cs-erf-body + .cs-caption")) ?? "";
      const size = Number(/in (\d+)×\d+ px/.exec(caption)?.[1]);
      assert.ok(
        size > rf.size[0] / 4 && size < rf.size[0],
        `the effective field (${size} px) is smaller than the theoretical one (${rf.size[0]} px): ${caption}`,
      );
      await p.screenshot("receptiveField-effective-dark");
      const ink = await canvasInk(p.page, ".cs-erf-body canvas");
      assert.ok(ink > 0.01, `the effective field is drawn (${ink})`);
      assert.ok((await canvasInk(p.page, ".cs-rf-units")) > 0.2, "the layer's feature map is shown to click on");
      // choosing a channel asks again, for that channel
      await p.page.evaluate(() => {
        const sel = document.querySelector("vscode-single-select[aria-label='Channel']")!;
        sel.value = "3";
        sel.dispatchEvent(new Event("change"));
      });
      const g2 = await p.waitForPosted("requestInputGradient", 2);
      assert.equal((g2["unit"] as { channel: number }).channel, 3);
      await p.post({ type: "requestFailed", requestId: g2["requestId"], message: "out of memory computing the gradient" });
      await p.page.waitForFunction(() => /out of memory/.test(document.querySelector(".cs-erf-body")?.textContent ?? ""));
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await p.close();
    }
  });

  for (const theme of ["dark", "light", "high-contrast"] as const) {
    it(`issue 19: a model without a dataset opens on a noise image of its input, not an error (${theme})`, async () => {
      const p = await session.open("receptiveField", theme);
      try {
        await p.waitForPosted("ready");
        await p.post(snapshot(true, true)); // dataset null: an untrained ResNet-18 at 224×224
        const fm = await p.waitForPosted("compute");
        const input = fm["input"] as { kind: string; name: string; tensor: { shape: number[] } };
        assert.equal(input.kind, "pixels");
        assert.deepEqual(input.tensor.shape, [3, 224, 224]);
        const nodeId = (fm["nodeIds"] as number[])[0]!;
        const [c, hh, w] = spatialLayers(resnet.model).find((l) => l.nodeId === nodeId)!.shape;
        await p.post(featureMapsResult(fm["requestId"] as number, nodeId, syntheticImage(224, 224), syntheticMaps(c, hh, w, 5)));
        const g = await p.waitForPosted("requestInputGradient");
        assert.equal((g["input"] as { kind: string }).kind, "pixels", "the gradient is asked for the same stand-in input");
        await p.page.waitForFunction(() => /random noise/.test(document.body.textContent ?? ""));
        assert.equal(await p.page.$$eval(".cs-notice", (els) => els.filter((e) => /error/.test(e.className)).length), 0, "no error");
        await p.screenshot(`receptiveField-noDataset-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }
});
