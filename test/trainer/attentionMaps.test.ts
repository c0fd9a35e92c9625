import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { attentionLayers, patchGrid } from "../../src/extension/panels/modelData";
import { Inspector } from "../../src/trainer/inspect";
import { compileModel } from "../../src/trainer/model/compile";
import { deps, tempDir, testTf } from "./helpers/env";

/**
 * The attention view's data (issue 14.6): which layers are attention layers and over which patch
 * grid, and the per-head weights the trainer records while it runs the model (also where the
 * model asks for none, as torchvision's ViT does with `needWeights: false`).
 */

const MODEL = `import { nn, type Tensor } from "cnn-studio";

/** Patches of 7×7 pixels as 16 tokens (channels) of 16 features, and attention over them. */
class TinyAttention extends nn.Module {
  patches = nn.Conv2d(1, 16, 7, { stride: 7 });
  attn = nn.MultiheadAttention(16, 4, { batchFirst: true });
  head = nn.Linear(16 * 16, 10);
  forward(x: Tensor): Tensor {
    const tokens = this.patches(x).flatten(2);
    const [y] = this.attn(tokens, tokens, tokens, { needWeights: false });
    return this.head(y.flatten(1));
  }
}
/** @input [N, 1, 28, 28] */
export const tiny = new TinyAttention();
`;

function analysed() {
  const dir = tempDir("cnn-studio-attention-");
  const file = path.join(dir, "tiny.ts");
  fs.writeFileSync(file, MODEL);
  const model = new Analyzer().analyzeFile(file).models.find((m) => m.name === "tiny");
  assert.ok(model, "the model is analysed");
  return { file, model };
}

test("patch grids: a class token and a square grid, no class token, another aspect ratio, none", () => {
  assert.deepEqual(patchGrid(197, 224, 224), { grid: [14, 14], firstPatch: 1 });
  assert.deepEqual(patchGrid(17, 28, 28), { grid: [4, 4], firstPatch: 1 });
  assert.deepEqual(patchGrid(16, 28, 28), { grid: [4, 4], firstPatch: 0 });
  assert.deepEqual(patchGrid(9, 28, 56), { grid: [2, 4], firstPatch: 1 });
  assert.equal(patchGrid(7, 28, 28), null);
});

test("the attention layers of a model, with heads, token counts and patch grid", () => {
  const { model } = analysed();
  const [layer, ...rest] = attentionLayers(model);
  assert.deepEqual(rest, []);
  assert.ok(layer);
  assert.deepEqual({ ...layer, nodeId: 0 }, { nodeId: 0, label: "attn", heads: 4, queries: 16, keys: 16, grid: [4, 4], firstPatch: 0 });
});

test("the compiled model records per-head attention weights that sum to 1, though the model asks for none", async () => {
  const { model } = analysed();
  const { tf } = await testTf();
  const compiled = compileModel(tf, model, { seed: 1 });
  const nodeId = attentionLayers(model)[0]!.nodeId;
  const x = tf.randomUniform([2, 1, 28, 28], 0, 1, "float32", 3);
  const w = compiled.attentionWeights([x], [nodeId]).get(nodeId)!;
  assert.deepEqual(w.shape, [2, 4, 16, 16]);
  const sums = tf.sum(w, -1).dataSync();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `row sum ${s}`);
  // the same forward pass gives the same logits as without recording
  const a = compiled.apply([x], false).dataSync();
  const again = compiled.apply([x], false).dataSync();
  assert.deepEqual([...a], [...again]);
  assert.throws(() => compiled.attentionWeights([x], [model.graph.find((n) => n.type === "Conv2d")!.id]), /not an attention layer/);
  w.dispose();
  x.dispose();
  compiled.dispose();
});

test("the inspector answers an attention query for one sample, and refuses a layer that is not attention", async () => {
  const { file, model } = analysed();
  const inspector = new Inspector(deps());
  const nodeId = attentionLayers(model)[0]!.nodeId;
  const input = { kind: "sample", split: "validation", index: 0 } as const;
  const r = await inspector.inspect({ kind: "attention", file, model: "tiny", checkpoint: null, input, nodeId });
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.equal(r.value.kind, "attention");
  if (r.value.kind !== "attention") return;
  assert.deepEqual(r.value.weights.shape, [4, 16, 16]);
  assert.deepEqual(r.value.input.shape, [1, 28, 28]);
  const conv = model.graph.find((n) => n.type === "Conv2d")!.id;
  const refused = await inspector.inspect({ kind: "attention", file, model: "tiny", checkpoint: null, input, nodeId: conv });
  assert.ok(!refused.ok);
  if (!refused.ok) assert.match(refused.error, /patches \(graph node \d+\) is a Conv2d, not an attention layer/);
  inspector.dispose?.();
});
