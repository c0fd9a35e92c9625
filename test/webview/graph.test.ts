import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { diagnosticViews, graphViewOf, validateGraphToHost, validateGraphToWebview, type GraphSnapshot } from "../../src/shared/webview/graph";
import { collapseLevels, defaultCollapsed, visibleGraph } from "../../src/shared/webview/graphLayout";
import { analyze } from "./fixtures";
import { assertCleanPage, ensureChromium, panelSession, type PanelPage } from "./harness";
import type { PageDocument } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : false;

const resnet = analyze("examples/resnet.ts", "resnet18");
const resnetView = graphViewOf(resnet.model);

function snapshotOf(a: ReturnType<typeof analyze>, models: string[]): GraphSnapshot {
  return { type: "snapshot", model: a.ref, models, graph: graphViewOf(a.model), diagnostics: [], message: "" };
}

/** A model that stops at a channel mismatch after a residual block. */
const BROKEN = `import { nn, type Tensor } from "cnn-studio";

class Block extends nn.Module {
  readonly conv1 = nn.Conv2d(16, 16, 3, { padding: 1 });
  readonly conv2 = nn.Conv2d(16, 16, 3, { padding: 1 });
  readonly relu = nn.ReLU();
  forward(x: Tensor): Tensor {
    return this.relu(this.conv2(this.relu(this.conv1(x))).add(x));
  }
}

/** @input [N, 3, 32, 32] */
export const broken = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }),
  new Block(),
  nn.Conv2d(32, 64, 3),
  nn.ReLU(),
);
`;

/** Attention whose weights are used: the second output of nn.MultiheadAttention. */
const ATTENTION_WEIGHTS = `import { nn, torch, type Tensor } from "cnn-studio";

class AttentionPool extends nn.Module {
  readonly patches = nn.Conv2d(1, 16, 7, { stride: 7 });
  readonly attn = nn.MultiheadAttention(16, 4, { batchFirst: true });
  readonly head = nn.Linear(16 * 16 + 16 * 16, 10);
  forward(x: Tensor): Tensor {
    const tokens = this.patches(x).flatten(2);
    const [y, w] = this.attn(tokens, tokens, tokens);
    return this.head(torch.cat([y.flatten(1), w.flatten(1)], 1));
  }
}

/** @input [N, 1, 28, 28] */
export const attentionPool = new AttentionPool();
`;

function brokenSnapshot(): GraphSnapshot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-graph-"));
  const file = path.join(dir, "broken.ts");
  fs.writeFileSync(file, BROKEN);
  const r = new Analyzer().analyzeFile(file);
  const m = r.models[0]!;
  const diagnostics = diagnosticViews(r.diagnostics);
  return {
    type: "snapshot",
    model: { uri: `file://${file}`, file, model: m.name },
    models: [m.name],
    graph: graphViewOf(m, diagnostics),
    diagnostics,
    message: "1 error in the file: the graph stops at the first one.",
  };
}

describe("graph view (no browser)", () => {
  it("owns the residual add by its block and marks the skip connection", () => {
    const add = resnetView.nodes.find((n) => n.kind === "op" && n.type === "add")!;
    assert.equal(add.owner, "layer1.0");
    const all = visibleGraph(resnetView, new Set());
    const skips = all.edges.filter((e) => e.skip);
    assert.equal(skips.length, 8, "one skip connection per BasicBlock");
    assert.equal(all.nodes.length, resnetView.nodes.length);
    assert.ok(all.clusters.some((c) => c.module.path === "layer1.0"));
  });

  it("collapses modules into one node with their totals, and picks a readable default", () => {
    const collapsed = defaultCollapsed(resnetView);
    assert.deepEqual(collapsed.slice(0, 2), ["layer1.0", "layer1.1"]);
    const v = visibleGraph(resnetView, new Set(collapsed));
    assert.ok(v.nodes.length <= 50);
    const block = v.nodes.find((n) => n.key === "m:layer1.0")!;
    assert.equal(block.module!.params, 73984);
    assert.equal(block.parent, "m:layer1", "a collapsed block sits in its expanded parent");
    const top = visibleGraph(resnetView, new Set(["layer1", "layer2", "layer3", "layer4"]));
    assert.equal(top.nodes.filter((n) => n.module).length, 4);
    assert.equal(top.clusters.length, 0);
    assert.ok(top.edges.every((e) => e.from !== e.to));
  });

  it("issue 19: offers the first view coarser collapse levels, down to the top modules, never fewer than 8 nodes", () => {
    const view = graphViewOf(analyze("examples/vit.ts", "vitB16").model);
    const levels = collapseLevels(view);
    assert.deepEqual(levels[0], defaultCollapsed(view));
    assert.ok(levels.length >= 2, `levels: ${JSON.stringify(levels)}`);
    const sizes = levels.map((l) => visibleGraph(view, new Set(l)).nodes.length);
    assert.ok(
      sizes.every((n, i) => i === 0 || (n < sizes[i - 1]! && n >= 8)),
      `each level smaller: ${sizes.join(", ")}`,
    );
    assert.ok(
      levels[levels.length - 1]!.every((p) => !p.includes(".")),
      "the last level collapses top-level modules",
    );
    const lenet = graphViewOf(analyze("examples/lenet5.ts", "lenet5Mnist").model);
    assert.equal(collapseLevels(lenet).length, 1, "LeNet-5 shown as features and classifier (5 nodes) is not offered");
  });

  it("draws a transformer block's residual adds inside the block (not in the encoder around it)", () => {
    const view = graphViewOf(analyze("examples/vit-mnist.ts", "vitMnist").model);
    const adds = view.nodes.filter((n) => n.type === "add");
    assert.equal(adds[0]!.owner, "encoder", "the position embedding's add is the encoder's");
    // two per block: x.add(input) after the attention, x.add(y) after the MLP
    assert.deepEqual(
      adds.slice(1).map((n) => n.owner.replace("encoder.layers.", "")),
      [0, 0, 1, 1, 2, 2, 3, 3].map((i) => `encoder_layer_${i}`),
    );
  });

  it("names nn.MultiheadAttention's second output by what it is (attn weights), not 'item'", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-graph-"));
    const file = path.join(dir, "attn.ts");
    fs.writeFileSync(file, ATTENTION_WEIGHTS);
    const m = new Analyzer().analyzeFile(file).models[0]!;
    const view = graphViewOf(m);
    const weights = view.nodes.find((n) => n.type === "item")!;
    assert.equal(weights.label, "attn weights");
    assert.match(weights.description, /^attn's attention weights \(PyTorch's attn_output_weights\).*averaged over the heads$/);
    assert.deepEqual(weights.output, ["N", 16, 16]);
    assert.ok(!view.nodes.some((n) => n.label === "item"));
  });

  it("shows where the analysis stopped as an error node carrying the diagnostic", () => {
    const snap = brokenSnapshot();
    assert.ok(validateGraphToWebview(snap).ok);
    const err = snap.graph!.nodes.find((n) => n.kind === "error")!;
    assert.match(err.description, /expects 32 input channels but receives 16/);
    assert.deepEqual(err.diagnostics, [0]);
  });
});

/** The zoom the toolbar shows, in percent. */
async function zoomShown(p: PanelPage): Promise<number> {
  return Number(/(\d+)%/.exec((await p.page.textContent(".cs-toolbar")) ?? "")?.[1]);
}

/** The input and output nodes of the graph lie inside the viewport. */
async function allInView(p: PanelPage, when: string): Promise<void> {
  const vp = (await p.page.locator(".cs-viewport").boundingBox())!;
  const inside = (r: { x: number; y: number; width: number; height: number }): boolean =>
    r.x >= vp.x - 1 && r.x + r.width <= vp.x + vp.width + 1 && r.y >= vp.y - 1 && r.y + r.height <= vp.y + vp.height + 1;
  for (const cls of ["cs-node-input", "cs-node-output"]) {
    const r = (await p.page.locator(`.cs-graph .${cls}`).first().boundingBox())!;
    assert.ok(inside(r), `${when}: the ${cls.slice(8)} node in view: ${JSON.stringify({ vp, r })}`);
  }
}

/** The panel's saved state with ResNet-18's blocks collapsed (defaultCollapsed: the first view may collapse more). */
const BLOCKS = { collapsed: { resnet18: defaultCollapsed(resnetView) }, zoom: null };

describe("graph panel (headless Chromium)", { skip }, () => {
  const session = panelSession(chromium);

  async function loaded(theme: "dark" | "light" | "high-contrast", snap: GraphSnapshot, state?: unknown, width = 1200): Promise<PanelPage> {
    const p = await session.open("graph", theme, { height: 900, width, ...(state === undefined ? {} : { state }) });
    await p.waitForPosted("ready");
    await p.post(snap);
    await p.page.waitForSelector(".cs-graph .cs-node");
    return p;
  }

  for (const theme of ["dark", "light", "high-contrast"] as const) {
    it(`lays out ResNet-18 with collapsed blocks, shapes on edges, params and MACs on nodes (${theme})`, async () => {
      const p = await loaded(theme, snapshotOf(resnet, ["resnet18", "resnet34", "resnet50"]), BLOCKS);
      try {
        const nodes = await p.page.locator(".cs-graph .cs-node").count();
        assert.equal(nodes, visibleGraph(resnetView, new Set(defaultCollapsed(resnetView))).nodes.length);
        const conv1 = p.page.locator(".cs-node[data-key='n:1']");
        assert.match((await conv1.textContent()) ?? "", /conv1 · Conv2d9\.41K params · 118\.0M MACs/);
        const labels = await p.page.$$eval(".cs-edge-label", (els) => els.map((e) => e.textContent));
        assert.ok(labels.includes("64×112×112") && labels.includes("512"), `edge shapes: ${labels.slice(0, 8).join(", ")}`);
        assert.match((await p.page.textContent(".cs-header")) ?? "", /11\.69M params · 1\.81G MACs/);
        await p.screenshot(`graph-${theme}`);
        await assertCleanPage(p);
      } finally {
        await p.close();
      }
    });
  }

  it("a ViT: token shapes (17×64) on the edges; the first view shows the whole model, its input and its output (issue 19)", async () => {
    const vit = analyze("examples/vit-mnist.ts", "vitMnist");
    const p = await loaded("dark", snapshotOf(vit, ["vitMnist"]));
    try {
      const labels = await p.page.$$eval(".cs-edge-label", (els) => els.map((e) => e.textContent));
      assert.ok(labels.includes("17×64"), `token shapes on edges: ${labels.slice(0, 12).join(", ")}`);
      await p.page.locator(".cs-graph .cs-node", { hasText: "encoder" }).first().waitFor();
      // Issue 19: the first view shows the whole model (never enlarged): input and output in sight.
      await allInView(p, "first view");
      const zoom = await zoomShown(p);
      assert.ok(zoom >= 60 && zoom <= 100, `readable: zoom ${zoom}%`);
      await p.screenshot("graph-vit-dark");
      await assertCleanPage(p);
    } finally {
      await p.close();
    }
  });

  for (const [width, where] of [
    [1200, "a wide panel"],
    [560, "a column beside the code"],
  ] as const)
    it(`issue 19: ViT-B/16's first view shows its input and output at a readable zoom (≥ 60%), in ${where}`, async () => {
      const vit = analyze("examples/vit.ts", "vitB16");
      const p = await loaded("dark", snapshotOf(vit, ["vitB16"]), undefined, width);
      try {
        await allInView(p, "first view");
        const zoom = await zoomShown(p);
        assert.ok(zoom >= 60 && zoom <= 100, `readable: zoom ${zoom}%`);
        await p.screenshot(`graph-vitB16-first-view-${width}-dark`);
        // Fit still fits the whole model both ways; the modules collapsed for the first view expand on a click
        await p.page.click("vscode-button[aria-label='Fit the whole model (0 key)']");
        await allInView(p, "after Fit");
      } finally {
        await p.close();
      }
    });

  it("issue 19: Fit fits both dimensions; un-maximising keeps the nodes in view; ViT-B/16's edges stay near their ends", async () => {
    const p = await loaded("dark", snapshotOf(resnet, ["resnet18"]));
    try {
      await allInView(p, "first view");
      await p.page.focus(".cs-viewport");
      await p.page.keyboard.press("+");
      await p.page.click("vscode-button[aria-label='Fit the whole model (0 key)']");
      await allInView(p, "after Fit");
      // a maximised panel made smaller again: the model is fitted to the smaller view
      await p.page.setViewportSize({ width: 700, height: 600 });
      await p.page.waitForTimeout(300);
      await allInView(p, "after the panel shrank");
      await p.screenshot("graph-fit-small-dark");
    } finally {
      await p.close();
    }
    const vit = analyze("examples/vit.ts", "vitB16");
    const q = await loaded("light", snapshotOf(vit, ["vitB16"]));
    try {
      await q.screenshot("graph-vitB16-light");
      const width = Number(await q.page.getAttribute(".cs-graph", "viewBox").then((v) => v?.split(" ")[2]));
      const stray = await q.page.$$eval(".cs-edge", (els) =>
        els.map((e) => {
          const nums = ((e.getAttribute("d") ?? "").match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
          const xs = nums.filter((_: number, i: number) => i % 2 === 0);
          return xs.length < 2 ? 0 : Math.max(...xs) - Math.max(xs[0]!, xs[xs.length - 1]!);
        }),
      );
      assert.ok(Math.max(...stray) <= 121, `no edge swings more than 120 px past its ends (layout ${width} px wide): ${Math.max(...stray)}`);
    } finally {
      await q.close();
    }
  });

  it("keyboard: walk, expand a block (skip connection appears), collapse it again, open a source", async () => {
    const p = await loaded("dark", snapshotOf(resnet, ["resnet18"]), BLOCKS);
    try {
      await p.page.focus(".cs-node[tabindex='0']");
      // walk down to the first block
      for (let i = 0; i < 12; i++) {
        const key = await p.page.evaluate(() => document.activeElement?.getAttribute("data-key") ?? null);
        if (key === "m:layer1.0") break;
        await p.page.keyboard.press("ArrowDown");
      }
      assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute("data-key") ?? null), "m:layer1.0");
      assert.equal(await p.page.locator(".cs-graph .cs-edge-skip").count(), 0);
      await p.page.keyboard.press("Space");
      await p.page.waitForSelector(".cs-cluster[data-module='layer1.0']");
      assert.equal(await p.page.locator(".cs-graph .cs-edge-skip").count(), 1, "the block's skip connection is drawn");
      assert.ok(await p.page.locator(".cs-node-op circle").count(), "the add is a node");
      await p.screenshot("graph-expanded-dark");
      const collapsed = ((await p.state()) as { collapsed: Record<string, string[]> }).collapsed["resnet18"]!;
      assert.ok(!collapsed.includes("layer1.0"));
      // focus is on the cluster header now; Space collapses it again
      await p.page.waitForFunction(() => document.activeElement?.getAttribute("data-key") === "h:m:layer1.0");
      await p.page.keyboard.press("Space");
      await p.page.waitForFunction(() => !document.querySelector(".cs-cluster[data-module='layer1.0']"));
      // Enter on a plain node opens its source
      await p.page.focus(".cs-node[data-key='n:1']");
      await p.page.keyboard.press("Enter");
      const open = await p.waitForPosted("openSource");
      assert.ok(validateGraphToHost(open).ok);
      const loc = open["location"] as { file: string; range: { start: { line: number } } };
      assert.equal(loc.file, resnet.ref.file);
      assert.equal(loc.range.start.line, resnet.model.graph[1]!.location!.range.start.line);
      // a click too
      await p.page.click(".cs-node[data-key='n:2']");
      await p.waitForPosted("openSource", 2);
      // the model switcher posts selectModel
      assert.equal(await p.page.locator(".cs-model-field.cs-hidden").count(), 1, "one model: no switcher");
    } finally {
      await p.close();
    }
  });

  it("highlights errors: the node where analysis stopped, and the problem list", async () => {
    const p = await loaded("light", brokenSnapshot());
    try {
      const err = p.page.locator(".cs-node.cs-kind-error");
      assert.equal(await err.count(), 1);
      assert.match((await err.textContent()) ?? "", /analysis stopped.*expects 32 input channels/);
      assert.match((await p.page.textContent(".cs-diag-list")) ?? "", /error.*Conv2d expects 32 input channels but receives 16.*line 16/);
      assert.match((await p.page.textContent(".cs-notice")) ?? "", /graph stops at the first one/);
      assert.equal(await p.page.locator(".cs-graph .cs-edge-skip").count(), 1, "the residual block is expanded (a small graph)");
      await p.page.click(".cs-diag-list a");
      const open = await p.waitForPosted("openSource");
      assert.equal((open["location"] as { range: { start: { line: number } } }).range.start.line, 15);
      await p.screenshot("graph-error-light");
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await p.close();
    }
  });

  it("a model that is not there any more: a message, no graph", async () => {
    const p = await session.open("graph", "dark");
    try {
      await p.waitForPosted("ready");
      await p.post({
        type: "snapshot",
        model: resnet.ref,
        models: ["resnet34"],
        graph: null,
        diagnostics: [],
        message: 'There is no model "resnet18" in this file; it has resnet34.',
      });
      await p.page.waitForSelector(".cs-notice");
      assert.match((await p.page.textContent(".cs-notice")) ?? "", /no model "resnet18"/);
    } finally {
      await p.close();
    }
  });
});
