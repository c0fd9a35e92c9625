import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convLayers } from "../../src/extension/panels/modelData";
import { validateFiltersToHost, validateFiltersToWebview, type FiltersToWebview } from "../../src/shared/webview/filters";
import { analyze, syntheticKernels } from "./fixtures";
import { assertCleanPage, canvasInk, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageElement, PageDocument, PageEventConstructor } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;
declare const Event: PageEventConstructor;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

const resnet = analyze("examples/resnet.ts", "resnet18");
const layers = convLayers(resnet.model);

function snapshot(available = true): FiltersToWebview {
  return {
    type: "snapshot",
    model: resnet.ref,
    layers,
    checkpoints: available
      ? [{ id: "/runs/r1/checkpoints/e0001-s000100.json", run: "/runs/r1", runName: "r1", epoch: 1, globalStep: 100, label: "epoch 1, step 100 · r1" }]
      : [],
    weights: available ? { available: true, reason: "" } : { available: false, reason: "No checkpoint of this model yet: train it to see its filters." },
  };
}

describe("filters panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  async function answer(p: PanelPage, n: number): Promise<Record<string, unknown>> {
    const req = await p.waitForPosted("requestWeights", n);
    assert.ok(validateFiltersToHost(req).ok);
    const layer = layers.find((l) => l.nodeId === req["nodeId"])!;
    const [o, i, kh, kw] = layer.weightShape;
    await p.post({ type: "weights", requestId: req["requestId"], nodeId: layer.nodeId, checkpoint: req["checkpoint"], weight: syntheticKernels(o, i, kh, kw) });
    await p.page.waitForFunction((id) => document.body.dataset["painted"] === String(id), req["requestId"]);
    return req;
  }

  it("lists the convolutions with PyTorch weight shapes", () => {
    assert.equal(layers.length, 20, "ResNet-18 has 20 convolutions (17 + 3 downsample)");
    assert.deepEqual(layers[0], { nodeId: 1, label: "conv1", type: "Conv2d", weightShape: [64, 3, 7, 7], groups: 1, firstLayer: true });
    assert.ok(layers.slice(1).every((l) => !l.firstLayer));
    assert.ok(validateFiltersToWebview(snapshot()).ok);
  });

  for (const theme of ["dark", "light"] as const) {
    it(`shows first-layer kernels as RGB images (${theme})`, async () => {
      const p = await session.open("filters", theme);
      try {
        await p.waitForPosted("ready");
        await p.post(snapshot());
        const req = await answer(p, 1);
        assert.equal(req["nodeId"], 1);
        assert.equal(req["checkpoint"], "/runs/r1/checkpoints/e0001-s000100.json");
        assert.equal(await p.page.locator(".cs-tile").count(), 64);
        assert.ok((await canvasInk(p.page, ".cs-tile[data-index='3'] canvas")) > 0.3);
        assert.match((await p.page.textContent(".cs-filters h2")) ?? "", /conv1 · Conv2d · 64 × 3 kernels of 7×7/);
        await p.screenshot(`filters-rgb-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("issue 19: revealed again (VS Code tears a hidden panel down), it draws its kernels again at the layer it showed", async () => {
    const p = await session.open("filters", "dark");
    let state: unknown;
    try {
      await p.waitForPosted("ready");
      await p.post(snapshot());
      await answer(p, 1);
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(layers[1]!.nodeId));
      await answer(p, 2);
      state = await p.state();
    } finally {
      await p.close();
    }
    // shown again: a new page with the saved state, the host's snapshot, the weights it asks for
    const q = await session.open("filters", "dark", { state });
    try {
      await q.waitForPosted("ready");
      await q.post(snapshot());
      const req = await answer(q, 1);
      assert.equal(req["nodeId"], layers[1]!.nodeId, "the layer shown before");
      const ink = await canvasInk(q.page, ".cs-tile[data-index='0'] canvas");
      assert.ok(ink > 0.1, `the kernels are drawn again (ink ${ink.toFixed(3)})`);
    } finally {
      await q.close();
    }
  });

  it("shows deeper kernels as a grid per output channel, pages, and hover reads a weight", async () => {
    const p = await session.open("filters", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshot());
      await answer(p, 1);
      const deep = layers.find((l) => l.label === "layer3.0.conv1")!; // 256 × 128 × 3 × 3
      await p.page.evaluate((v) => {
        const sel = document.querySelector("vscode-single-select[aria-label='Layer']")!;
        sel.value = v;
        sel.dispatchEvent(new Event("change"));
      }, String(deep.nodeId));
      await answer(p, 2);
      assert.equal(await p.page.locator(".cs-tile").count(), 64, "a page of 64 output channels");
      assert.match((await p.page.textContent(".cs-pager")) ?? "", /Output channels 0–63 of 256/);
      const canvas = p.page.locator(".cs-tile[data-index='1'] canvas");
      const box = (await canvas.boundingBox())!;
      const cw = await canvas.evaluate((c) => (c as unknown as PageElement).width);
      // the first kernel (input channel 0), pixel (1, 1)
      await p.page.mouse.move(box.x + ((1 + 0.5) / cw) * box.width, box.y + ((1 + 0.5) / cw) * box.height);
      const text = (await p.page.textContent(".cs-filters .cs-readout")) ?? "";
      const w = syntheticKernels(256, 128, 3, 3).data[((1 * 128 + 0) * 3 + 1) * 3 + 1]!;
      const m = /output channel 1 · input channel 0 · y 1, x 1 · (-?[\d.e+-]+)/.exec(text);
      assert.ok(m, `read-out: ${text}`);
      assert.ok(Math.abs(Number(m[1]) - w) < Math.abs(w) * 0.01 + 1e-4, `${m[1]} vs ${w}`);
      // keyboard: the pager's Next button
      await p.page.focus("vscode-button[aria-label='Next output channels']");
      await p.page.keyboard.press("Enter");
      await p.page.waitForFunction(() => /64–127 of 256/.test(document.querySelector(".cs-pager")?.textContent ?? ""));
      await p.screenshot("filters-deep-dark");
    } finally {
      await p.close();
    }
  });

  it("says clearly when there are no weights to show", async () => {
    const p = await session.open("filters", "light");
    try {
      await p.waitForPosted("ready");
      await p.post(snapshot(false));
      await p.page.waitForSelector(".cs-notice");
      assert.match((await p.page.textContent(".cs-notice")) ?? "", /No checkpoint of this model yet/);
      assert.equal((await p.posted()).filter((m) => m["type"] === "requestWeights").length, 0);
      await p.screenshot("filters-unavailable-light");
    } finally {
      await p.close();
    }
  });

  // issue 19, item 17: the colour map applies in every display mode, or is hidden where it cannot
  const lenet = analyze("examples/lenet5.ts", "lenet5Mnist");
  const lenetLayers = convLayers(lenet.model);
  for (const theme of ["dark", "light", "high-contrast"] as const) {
    it(`the colour map colours a grey first layer shown as images, and is hidden for RGB kernels (${theme})`, async () => {
      const p = await session.open("filters", theme);
      try {
        await p.waitForPosted("ready");
        await p.post(snapshot());
        await answer(p, 1);
        assert.equal(await p.page.locator("vscode-single-select[aria-label='Colour map']").isVisible(), false, "RGB kernels: no colour map to choose");
        await p.post({ ...snapshot(), model: lenet.ref, layers: lenetLayers });
        const req = await p.waitForPosted("requestWeights", 2);
        const layer = lenetLayers.find((l) => l.nodeId === req["nodeId"])!;
        const [o, i, kh, kw] = layer.weightShape;
        await p.post({
          type: "weights",
          requestId: req["requestId"],
          nodeId: layer.nodeId,
          checkpoint: req["checkpoint"],
          weight: syntheticKernels(o, i, kh, kw),
        });
        await p.page.waitForFunction((id) => document.body.dataset["painted"] === String(id), req["requestId"]);
        assert.equal(await p.page.locator("vscode-single-select[aria-label='Colour map']").isVisible(), true);
        const colourful = (): Promise<number> =>
          p.page.$eval(".cs-tile[data-index='0'] canvas", (c) => {
            const cv = c as unknown as {
              width: number;
              height: number;
              getContext(k: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
            };
            const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
            let n = 0;
            for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k]! - d[k + 2]!) > 30) n++;
            return n;
          });
        assert.ok((await colourful()) > 0, "cool–warm colours the kernels (default)");
        await p.screenshot(`filters-grey-first-layer-${theme}`);
        await p.page.evaluate(() => {
          const sel = document.querySelector("vscode-single-select[aria-label='Colour map']")!;
          sel.value = "grey";
          sel.dispatchEvent(new Event("change"));
        });
        await p.page.waitForFunction(() => true);
        assert.equal(await colourful(), 0, "grey makes them grey");
      } finally {
        await p.close();
      }
    });
  }
});
