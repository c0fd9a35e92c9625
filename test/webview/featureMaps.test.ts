import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PNG } from "pngjs";
import { attentionLayers, spatialLayers, inputShapeOf } from "../../src/extension/panels/modelData";
import type { AttentionLayer } from "../../src/shared/webview/featureMaps";
import type { FeatureMapsSnapshot } from "../../src/shared/webview/featureMaps";
import { validateFeatureMapsToHost, validateFeatureMapsToWebview } from "../../src/shared/webview/featureMaps";
import { analyze, featureMapsResult, syntheticAttention, syntheticImage, syntheticMaps } from "./fixtures";
import { assertCleanPage, canvasInk, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageDocument, PageEventConstructor } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;
declare const Event: PageEventConstructor;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

const resnet = analyze("examples/resnet.ts", "resnet18");
const mnist = analyze("examples/mnist-cnn.ts", "ourCnn");
const vit = analyze("examples/vit-mnist.ts", "vitMnist");

/** A handwritten-looking 7 on a 28×28 black background, as an MNIST sample is. */
function seven(): { shape: number[]; data: Float32Array } {
  const data = new Float32Array(28 * 28);
  for (let x = 6; x <= 21; x++) for (let y = 6; y <= 8; y++) data[y * 28 + x] = 1;
  for (let y = 8; y <= 23; y++) {
    const x = Math.round(21 - (y - 8) * 0.55);
    for (let k = -1; k <= 1; k++) data[y * 28 + x + k] = 1;
  }
  return { shape: [1, 28, 28], data };
}

function snapshotOf(a: ReturnType<typeof analyze>, available = true): FeatureMapsSnapshot {
  return {
    type: "snapshot",
    model: a.ref,
    inputShape: inputShapeOf(a.model),
    layers: spatialLayers(a.model),
    attention: attentionLayers(a.model),
    checkpoints: [
      { id: "/runs/r1/checkpoints/e0003-s000375.json", run: "/runs/r1", runName: "r1", epoch: 3, globalStep: 375, label: "epoch 3, step 375 · r1" },
    ],
    dataset: {
      name: "imagenette",
      channels: 3,
      height: 224,
      width: 224,
      classNames: ["tench", "springer", "cassette", "chainsaw", "church", "horn", "truck", "pump", "ball", "parachute"],
      trainCount: 9469,
      validationCount: 3925,
    },
    compute: available
      ? { available: true, reason: "" }
      : { available: false, reason: "Feature maps need a forward pass, which the trainer computes; it is not available in this window." },
  };
}

describe("feature-map panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  /** Loads the panel with the ResNet-18 snapshot and answers its first request with 64×112×112 maps of conv1. */
  async function loaded(theme: "dark" | "light", state?: unknown): Promise<{ p: PanelPage; request: Record<string, unknown> }> {
    const p = await session.open("featureMaps", theme, state === undefined ? {} : { state });
    await p.waitForPosted("ready");
    const snap = snapshotOf(resnet);
    assert.ok(validateFeatureMapsToWebview(snap).ok);
    await p.post(snap);
    const request = await p.waitForPosted("compute");
    const checked = validateFeatureMapsToHost(request);
    assert.ok(checked.ok, checked.ok ? "" : checked.error);
    const nodeId = (request["nodeIds"] as number[])[0]!;
    await p.post(featureMapsResult(request["requestId"] as number, nodeId, syntheticImage(224, 224), syntheticMaps(64, 112, 112)));
    await p.page.waitForFunction(() => document.body.dataset["painted"] !== undefined);
    return { p, request };
  }

  for (const theme of ["dark", "light"] as const) {
    it(`draws every channel of conv1 (64×112×112) with statistics (${theme})`, async () => {
      const { p, request } = await loaded(theme);
      try {
        assert.deepEqual(request["input"], { kind: "sample", split: "validation", index: 0 });
        assert.equal(request["checkpoint"], "/runs/r1/checkpoints/e0003-s000375.json", "the newest checkpoint is the default");
        assert.equal(await p.page.locator(".cs-tile").count(), 64);
        for (const i of [0, 17, 63]) assert.ok((await canvasInk(p.page, `.cs-tile[data-index="${i}"] canvas`)) > 0.05, `channel ${i} is painted`);
        assert.ok((await canvasInk(p.page, ".cs-input-canvas")) > 0.1, "the input is shown");
        assert.match((await p.page.textContent(".cs-tile[data-index='5'] .cs-tile-caption")) ?? "", /dead/);
        assert.match((await p.page.textContent(".cs-maps h2")) ?? "", /conv1 · Conv2d · 64×112×112/);
        assert.match((await p.page.textContent(".cs-input-view")) ?? "", /label chainsaw/);
        await p.screenshot(`featureMaps-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("hover shows value and position; click enlarges; keyboard walks the grid and Escape closes", async () => {
    const { p } = await loaded("dark");
    try {
      const canvas = p.page.locator(".cs-tile[data-index='0'] canvas");
      const box = (await canvas.boundingBox())!;
      await p.page.mouse.move(box.x + box.width * 0.25 + 0.5, box.y + box.height * 0.75 + 0.5);
      const text = (await p.page.textContent(".cs-maps .cs-readout")) ?? "";
      const m = /channel 0 · y (\d+), x (\d+) · (-?[\d.e+-]+)/.exec(text);
      assert.ok(m, `read-out: ${text}`);
      assert.ok(Math.abs(Number(m[1]) - 84) <= 1 && Math.abs(Number(m[2]) - 28) <= 1, `position ${m[1]}, ${m[2]}`);
      const expected = syntheticMaps(64, 112, 112).data[Number(m[1]) * 112 + Number(m[2])]!;
      assert.ok(Math.abs(Number(m[3]) - expected) <= Math.abs(expected) * 0.01 + 1e-3, `value ${m[3]} vs ${expected}`);
      // keyboard: focus the first tile, move right twice and down once, Enter enlarges
      await p.page.focus(".cs-tile[data-index='0']");
      await p.page.keyboard.press("ArrowRight");
      await p.page.keyboard.press("ArrowRight");
      await p.page.keyboard.press("ArrowDown");
      const focused = Number(await p.page.evaluate(() => document.activeElement?.getAttribute("data-index")));
      assert.ok(focused > 2, `moved down a row (index ${focused})`);
      await p.page.keyboard.press("Enter");
      await p.page.waitForSelector(".cs-enlarged:not(.cs-hidden)");
      assert.match((await p.page.textContent(".cs-enlarged h3")) ?? "", new RegExp(`Channel ${focused}`));
      assert.ok((await canvasInk(p.page, ".cs-enlarged-canvas")) > 0.05);
      assert.equal(((await p.state()) as { enlarged: number }).enlarged, focused);
      await p.screenshot("featureMaps-enlarged-dark");
      await p.page.keyboard.press("Escape");
      await p.page.waitForSelector(".cs-enlarged.cs-hidden", { state: "attached" });
      assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute("data-index")), String(focused), "focus returns to the tile");
      // click a tile enlarges it
      await p.page.click(".cs-tile[data-index='9']");
      await p.page.waitForSelector(".cs-enlarged:not(.cs-hidden)");
      assert.match((await p.page.textContent(".cs-enlarged h3")) ?? "", /Channel 9/);
    } finally {
      await p.close();
    }
  });

  it("changing the layer asks for its maps; a re-sent snapshot does not; a restored panel keeps its choices", async () => {
    const { p } = await loaded("dark");
    try {
      await p.post(snapshotOf(resnet)); // the host re-sends it after every re-analysis of the file
      await p.page.waitForTimeout(300);
      assert.equal((await p.posted()).filter((m) => m["type"] === "compute").length, 1, "nothing changed: no new forward pass");
      assert.equal(await p.page.locator(".cs-tile").count(), 64);
      const layer = spatialLayers(resnet.model).find((l) => l.label === "layer2.0.conv1")!;
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(layer.nodeId));
      const req = await p.waitForPosted("compute", 2);
      assert.deepEqual(req["nodeIds"], [layer.nodeId]);
      await p.post(featureMapsResult(req["requestId"] as number, layer.nodeId, syntheticImage(224, 224), syntheticMaps(128, 28, 28, 7)));
      await p.page.waitForFunction(() => document.querySelectorAll(".cs-tile").length === 128);
      const saved = await p.state();
      await p.close();
      const q = await session.open("featureMaps", "dark", { state: saved });
      try {
        await q.waitForPosted("ready");
        await q.post(snapshotOf(resnet));
        const again = await q.waitForPosted("compute");
        assert.deepEqual(again["nodeIds"], [layer.nodeId], "the restored panel asks for the same layer");
      } finally {
        await q.close();
      }
    } catch (e) {
      await p.close().catch(() => undefined);
      throw e;
    }
  });

  it("an attention layer shows where the class token looks over the patches, per head; a click makes a patch the query", async () => {
    const p = await session.open("featureMaps", "dark");
    try {
      await p.waitForPosted("ready");
      // A ViT on 224×224 images: 14×14 patches after a class token, 12 heads (as vit_b_16's encoder layers).
      const layer: AttentionLayer = {
        nodeId: 900,
        label: "encoder.layers.encoder_layer_0.self_attention",
        heads: 12,
        queries: 197,
        keys: 197,
        grid: [14, 14],
        firstPatch: 1,
      };
      await p.post({ ...snapshotOf(resnet), attention: [layer] });
      await p.waitForPosted("compute");
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(layer.nodeId));
      const req = await p.waitForPosted("attention");
      const checked = validateFeatureMapsToHost(req);
      assert.ok(checked.ok, checked.ok ? "" : checked.error);
      assert.equal(req["nodeId"], layer.nodeId);
      const weights = syntheticAttention(12, 197, 197);
      const result = {
        type: "attentionMaps",
        requestId: req["requestId"],
        checkpoint: null,
        input: syntheticImage(224, 224),
        label: 3,
        nodeId: layer.nodeId,
        weights,
      };
      assert.ok(validateFeatureMapsToWebview(result).ok);
      await p.post(result);
      await p.page.waitForFunction(() => document.body.dataset["painted"] !== undefined);
      assert.match((await p.page.textContent(".cs-attention")) ?? "", /Attention of the class token over 14×14 patches · mean of 12 heads/);
      assert.ok((await canvasInk(p.page, ".cs-attention-overlay")) > 0.1, "the overlay is drawn");
      assert.ok((await canvasInk(p.page, ".cs-attention-matrix")) > 0.05, "the matrix is drawn");
      assert.equal(await p.page.locator(".cs-tile:visible").count(), 0, "no channel tiles for an attention layer");
      await p.screenshot("featureMaps-attention-dark");
      // click the patch at row 3, column 5 (1-based): it becomes the query
      const box = (await p.page.locator(".cs-attention-overlay").boundingBox())!;
      await p.page.mouse.click(box.x + box.width * (4.5 / 14), box.y + box.height * (2.5 / 14));
      assert.match((await p.page.textContent(".cs-attention")) ?? "", /Attention of patch \(row 3, column 5\)/);
      assert.equal(((await p.state()) as { attentionQuery: number }).attentionQuery, 1 + 2 * 14 + 4);
      await p.page.evaluate(() => {
        const sel = document.querySelector("vscode-single-select[aria-label='Heads']")!;
        sel.value = "2";
        sel.dispatchEvent(new Event("change"));
      });
      assert.match((await p.page.textContent(".cs-attention")) ?? "", /head 3 of 12/);
      await p.screenshot("featureMaps-attention-patch-dark");
      await assertCleanPage(p);
    } finally {
      await p.close();
    }
  });

  it("the MNIST ViT's attention (light theme): each scale labelled, the class token's share said, the row sums to 1", async () => {
    const p = await session.open("featureMaps", "light");
    try {
      await p.waitForPosted("ready");
      const layers = attentionLayers(vit.model);
      assert.equal(layers.length, 4, "four encoder layers");
      const layer = layers[0]!;
      assert.deepEqual({ grid: layer.grid, firstPatch: layer.firstPatch, queries: layer.queries }, { grid: [4, 4], firstPatch: 1, queries: 17 });
      const classNames = Array.from({ length: 10 }, (_, i) => String(i));
      const dataset = { name: "mnist", channels: 1, height: 28, width: 28, classNames, trainCount: 1000, validationCount: 200 };
      await p.post({ ...snapshotOf(vit), checkpoints: [], dataset });
      await p.waitForPosted("compute");
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(layer.nodeId));
      const req = await p.waitForPosted("attention");
      const weights = syntheticAttention(layer.heads, layer.queries, layer.keys);
      await p.post({ type: "attentionMaps", requestId: req["requestId"], checkpoint: null, input: seven(), label: 7, nodeId: layer.nodeId, weights });
      await p.page.waitForFunction(() => document.body.dataset["painted"] !== undefined);
      const text = (await p.page.textContent(".cs-attention")) ?? "";
      assert.match(text, /Attention of the class token over 4×4 patches · mean of 4 heads · strongest: patch \(row \d, column \d\)/);
      assert.match(text, /Share of the query's attention per patch, over the input · \d+\.\d% on the class token/);
      const data = await p.page.evaluate(() => ({ ...document.querySelector(".cs-attention")!.dataset }));
      assert.ok(Math.abs(Number(data["rowSum"]) - 1) < 1e-4, `the query's row sums to 1: ${JSON.stringify(data)}`);
      assert.ok(Number(data["patchSum"]) > 0 && Number(data["patchSum"]) <= Number(data["rowSum"]) + 1e-6, `the patches' share: ${JSON.stringify(data)}`);
      assert.equal(data["query"], "0");
      // Each picture has its scale: 0 to the strongest patch, 0 to the matrix's largest weight; the channels' scale is hidden.
      const legends = await p.page.locator(".cs-attention-legend:visible").allInnerTexts();
      assert.equal(legends.length, 2, `two colour scales: ${legends.join(" | ")}`);
      for (const l of legends) assert.match(l.replace(/\s+/g, " "), /^0 0\.\d+$/);
      assert.equal(await p.page.locator(".cs-maps > .cs-row .cs-colorbar:visible").count(), 0, "no channel colour scale for attention");
      assert.ok((await canvasInk(p.page, ".cs-attention-overlay")) > 0.1, "the overlay is drawn");
      await p.screenshot("featureMaps-attention-vit-light");
      await assertCleanPage(p);
    } finally {
      await p.close();
    }
  });

  it("a digit drawn with the mouse becomes a 1×28×28 input", async () => {
    const p = await session.open("featureMaps", "light");
    try {
      await p.waitForPosted("ready");
      await p.post({ ...snapshotOf(mnist), dataset: null, checkpoints: [] });
      await p.waitForPosted("compute");
      await p.page.evaluate(() => {
        const sel = document.querySelector("vscode-single-select[aria-label='Input']")!;
        sel.value = "drawing";
        sel.dispatchEvent(new Event("change"));
      });
      const pad = p.page.locator("canvas.cs-drawing");
      const b = (await pad.boundingBox())!;
      await p.page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.15);
      await p.page.mouse.down();
      for (let t = 0; t <= 10; t++) await p.page.mouse.move(b.x + b.width * 0.5, b.y + b.height * (0.15 + 0.07 * t));
      await p.page.mouse.up();
      const req = await p.waitForPosted("compute", 2);
      const input = req["input"] as { kind: string; source: string; tensor: { shape: number[]; data: Float32Array } };
      assert.equal(input.kind, "pixels");
      assert.equal(input.source, "drawing");
      assert.deepEqual(input.tensor.shape, [1, 28, 28]);
      const ink = [...input.tensor.data].filter((v) => v > 0.5).length;
      assert.ok(ink > 10 && ink < 200, `a stroke of ink (${ink} bright pixels)`);
      // a vertical stroke is centred: its mass is in the middle columns
      let cx = 0;
      let mass = 0;
      input.tensor.data.forEach((v, i) => {
        cx += v * (i % 28);
        mass += v;
      });
      assert.ok(Math.abs(cx / mass - 13.5) < 1.5, `centred by mass (x ${cx / mass})`);
      assert.equal(req["checkpoint"], null, "no checkpoints: the untrained model");
      await p.post(
        featureMapsResult(
          req["requestId"] as number,
          (req["nodeIds"] as number[])[0]!,
          { shape: [1, 28, 28], data: input.tensor.data },
          syntheticMaps(16, 28, 28, 4),
          null,
        ),
      );
      await p.page.waitForFunction(() => document.querySelectorAll(".cs-tile").length === 16);
      await p.screenshot("featureMaps-drawing-light");
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await p.close();
    }
  });

  it("an image file is read in the webview, cropped and resized to the model's 3×224×224 input", async () => {
    const p = await session.open("featureMaps", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshotOf(resnet));
      await p.waitForPosted("compute");
      await p.page.evaluate(() => {
        const sel = document.querySelector("vscode-single-select[aria-label='Input']")!;
        sel.value = "file";
        sel.dispatchEvent(new Event("change"));
      });
      // a 64×32 PNG: left half red, right half blue (the centre crop keeps 32×32 of the middle)
      const png = new PNG({ width: 64, height: 32 });
      for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) png.data.set(x < 32 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 64 + x) * 4);
      await p.page.setInputFiles("input[type=file]", { name: "halves.png", mimeType: "image/png", buffer: PNG.sync.write(png) });
      const req = await p.waitForPosted("compute", 2);
      const input = req["input"] as { kind: string; source: string; name: string; tensor: { shape: number[]; data: Float32Array } };
      assert.deepEqual([input.kind, input.source, input.name], ["pixels", "file", "halves.png"]);
      assert.deepEqual(input.tensor.shape, [3, 224, 224]);
      const at = (c: number, y: number, x: number) => input.tensor.data[c * 224 * 224 + y * 224 + x]!;
      assert.ok(at(0, 100, 20) > 0.9 && at(2, 100, 20) < 0.1, "left: red");
      assert.ok(at(0, 100, 200) < 0.1 && at(2, 100, 200) > 0.9, "right: blue");
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await p.close();
    }
  });

  it("shows a clear 'not available' state without a trainer, and an error when a request fails", async () => {
    const p = await session.open("featureMaps", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshotOf(resnet, false));
      await p.page.waitForSelector(".cs-notice");
      assert.match((await p.page.textContent(".cs-notice")) ?? "", /not available.*trainer/s);
      await p.page.waitForTimeout(300);
      assert.equal((await p.posted()).filter((m) => m["type"] === "compute").length, 0, "nothing is requested");
      await p.screenshot("featureMaps-unavailable-dark");
      await p.post({ ...snapshotOf(resnet), type: "snapshot" });
      const req = await p.waitForPosted("compute");
      await p.post({ type: "requestFailed", requestId: req["requestId"], message: "sample 99999 is out of range (3925 validation samples)" });
      await p.page.waitForFunction(() => /out of range/.test(document.querySelector(".cs-notice-error")?.textContent ?? ""));
    } finally {
      await p.close();
    }
  });
  // issue 19 (layout): beside the code (a panel about 560 px wide, 900 px high) the maps start in
  // the first screen: the input and the prediction sit side by side, compact, above them.
  for (const width of [560, 360] as const) {
    it(`shows the first map in the first screen of a ${width}×900 panel (input and prediction ${width > 480 ? "side by side" : "stacked"})`, async () => {
      const p = await session.open("featureMaps", "light", { width, height: 900 });
      try {
        await p.waitForPosted("ready");
        const snap: FeatureMapsSnapshot = {
          ...snapshotOf(mnist),
          dataset: { name: "mnist", channels: 1, height: 28, width: 28, classNames: "0123456789".split(""), trainCount: 1000, validationCount: 200 },
        };
        await p.post(snap);
        const req = await p.waitForPosted("compute");
        const nodeId = (req["nodeIds"] as number[])[0]!;
        await p.post(featureMapsResult(req["requestId"] as number, nodeId, seven(), syntheticMaps(16, 28, 28), 7));
        const ask = await p.waitForPosted("explain");
        const probabilities = [0.01, 0.02, 0.03, 0.04, 0.005, 0.005, 0.01, 0.82, 0.04, 0.02];
        await p.post({ type: "explained", requestId: ask["requestId"], nodeId: ask["nodeId"], classIndex: 7, cam: null, probabilities, error: null });
        await p.page.waitForSelector(".cs-top5-row");
        await p.page.waitForFunction(() => document.body.dataset["painted"] !== undefined);
        const box = async (sel: string): Promise<{ x: number; y: number; width: number; height: number }> => {
          const b = await p.page.locator(sel).first().boundingBox();
          assert.ok(b, `${sel} is shown`);
          return b;
        };
        await p.screenshot(`featureMaps-first-screen-${width}`);
        const tile = await box(".cs-tile canvas");
        const input = await box(".cs-input-canvas");
        const prediction = await box(".cs-explain");
        if (width > 480) {
          assert.ok(tile.y + Math.min(tile.height, 40) <= 900, `the first map starts in the first screen (top ${tile.y})`);
          assert.ok(prediction.x >= input.x + input.width, "the prediction is beside the input");
          assert.ok(prediction.y < input.y + input.height, "the prediction is beside the input, not under it");
        } else {
          assert.ok(prediction.y >= input.y + input.height, "narrow: the prediction is under the input");
        }
        // nothing is cut off at the right
        const overflow = await p.page.evaluate(() => {
          const el = document.documentElement as unknown as { scrollWidth: number; clientWidth: number };
          return el.scrollWidth - el.clientWidth;
        });
        assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px)`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }
});
