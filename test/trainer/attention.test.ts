import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { ModelAnalysis } from "../../src/shared/analysis";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import { LAYER_TENSORS } from "../../src/trainer/model/init";
import type { TF } from "../../src/trainer/model/types";

/**
 * Issue 14: the TensorFlow.js lowering of nn.MultiheadAttention's masks and weights (numbers from
 * torch 1.13, float64) and of torchvision's StochasticDepth in training; PyTorch's initialisation of
 * MultiheadAttention. The transformer zoo's equivalence goldens cover gradients.
 */

function analyse(source: string): ModelAnalysis[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-attention-trainer-"));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(file, source);
  const r = new Analyzer().analyzeFile(file);
  assert.deepEqual(r.diagnostics, []);
  return r.models;
}

/** The values torch's side of this test fills tensors with (scripts: see the test's comment). */
function fill(n: number, offset: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + offset) * 0.5);
}

function close(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < 2e-5, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

let tf: TF;
before(async () => {
  const sel = await selectBackend("wasm", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

describe("nn.MultiheadAttention in the trainer", () => {
  const [model] = analyse(`import { nn, type Tensor } from "cnn-studio";
class Masked extends nn.Module {
  attn = nn.MultiheadAttention(4, 2, { batchFirst: true });
  forward(q: Tensor, kv: Tensor, pad: Tensor, mask: Tensor): Tensor[] {
    const [y, w] = this.attn(q, kv, kv, { keyPaddingMask: pad, attnMask: mask });
    return [y, w!];
  }
}
/**
 * @input [1, 3, 4]
 * @input [1, 5, 4]
 * @input [1, 5]
 * @input [3, 5]
 */
export const masked = new Masked();
`);

  test("float masks are added to the scores; output and averaged weights as torch 1.13 computes them", () => {
    // torch 1.13: nn.MultiheadAttention(4, 2, batch_first=True), the state_dict entry j filled with
    // sin(0.37·i + j)·0.5, q = fill(10), kv = fill(20), key padding [0, 0, 0, 0, −1e4] and
    // attnMask zeros but [0, 1] = −1e4, [2, 0] = 0.5 (given to torch 1.13 as one combined float attn_mask).
    const c = compileModel(tf, model!, { seed: 1 });
    try {
      assert.deepEqual([...c.parameters.keys()], ["attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias"]);
      [...c.parameters.values()].forEach((v, j) => v.assign(tf.tensor(fill(v.size, j), v.shape)));
      const mask = new Array<number>(15).fill(0);
      mask[1] = -1e4;
      mask[10] = 0.5;
      const inputs = [tf.tensor(fill(12, 10), [1, 3, 4]), tf.tensor(fill(20, 20), [1, 5, 4]), tf.tensor([0, 0, 0, 0, -1e4], [1, 5]), tf.tensor(mask, [3, 5])];
      const item = model!.graph.find((n) => n.type === "item")!;
      const out = model!.graph.find((n) => n.type === "MultiheadAttention")!;
      const got = c.activations(inputs, [out.id, item.id]);
      close(
        got.get(out.id)!.dataSync(),
        [-0.392165, 0.475581, 0.287835, -0.897512, -0.380319, 0.477777, 0.276388, -0.901784, -0.25603, 0.474961, 0.151588, -0.921599],
        "output",
      );
      close(
        got.get(item.id)!.dataSync(),
        [0.223057, 0.0, 0.467736, 0.309207, 0.0, 0.201167, 0.245332, 0.310427, 0.243074, 0.0, 0.490859, 0.185014, 0.135901, 0.188226, 0.0],
        "weights",
      );
      assert.deepEqual(got.get(item.id)!.shape, [1, 3, 5]);
    } finally {
      c.dispose();
    }
  });

  test("an unbatched call ([L, E]) gives what a batch of one gives, sequence first and batch first", () => {
    const models = analyse(`import { nn, torch, type Tensor } from "cnn-studio";
class Attn extends nn.Module {
  attn: nn.MultiheadAttention;
  constructor(batchFirst: boolean) {
    super();
    this.attn = nn.MultiheadAttention(4, 2, { batchFirst });
  }
  forward(x: Tensor): Tensor {
    const [y, w] = this.attn(x, x, x);
    return torch.cat([torch.flatten(y), torch.flatten(w!)]);
  }
}
/** @input [3, 4] */
export const unbatched = new Attn(false);
/** @input [3, 1, 4] */
export const seqFirst = new Attn(false);
/** @input [1, 3, 4] */
export const batchFirst = new Attn(true);
`);
    const results = models.map((m) => {
      const c = compileModel(tf, m, { seed: 1 });
      try {
        [...c.parameters.values()].forEach((v, j) => v.assign(tf.tensor(fill(v.size, j), v.shape)));
        return [...c.apply([tf.tensor(fill(12, 7), m.inputs[0] as number[])], false).dataSync()];
      } finally {
        c.dispose();
      }
    });
    assert.equal(results[0]!.length, 12 + 9);
    close(results[1]!, results[0]!, "[L, 1, E]");
    close(results[2]!, results[0]!, "[1, L, E] batch first");
  });

  test("PyTorch's initialisation: xavier_uniform_ in_proj_weight, zero biases, out_proj as a Linear", () => {
    const specs = LAYER_TENSORS.MultiheadAttention({ embedDim: 8, numHeads: 2, dropout: 0, bias: true, kdim: 8, vdim: 8, batchFirst: false });
    assert.deepEqual(
      specs.map((s) => [s.name, s.shape, s.init]),
      [
        ["in_proj_weight", [24, 8], { kind: "uniform", bound: Math.sqrt(6 / 32) }],
        ["in_proj_bias", [24], { kind: "const", value: 0 }],
        ["out_proj.weight", [8, 8], { kind: "uniform", bound: 1 / Math.sqrt(8) }],
        ["out_proj.bias", [8], { kind: "const", value: 0 }],
      ],
    );
    const separate = LAYER_TENSORS.MultiheadAttention({ embedDim: 8, numHeads: 2, dropout: 0, bias: false, kdim: 4, vdim: 6, batchFirst: false });
    assert.deepEqual(
      separate.map((s) => [s.name, s.shape]),
      [
        ["q_proj_weight", [8, 8]],
        ["k_proj_weight", [8, 4]],
        ["v_proj_weight", [8, 6]],
        ["out_proj.weight", [8, 8]],
      ],
    );
  });
});

describe("ops.StochasticDepth in the trainer", () => {
  const [row, batch] = analyse(`import { ops } from "cnn-studio";
/** @input [N, 3, 2, 2] */
export const row = ops.StochasticDepth(0.5, "row");
/** @input [N, 3, 2, 2] */
export const batch = ops.StochasticDepth(0.5, "batch");
`);

  test("training drops whole rows (or the whole batch) with p and scales the rest by 1/(1 − p); evaluation is the identity", () => {
    for (const [m, perRow] of [
      [row!, true],
      [batch!, false],
    ] as const) {
      const c = compileModel(tf, m, { seed: 3 });
      try {
        const x = tf.ones([64, 3, 2, 2]);
        assert.deepEqual([...c.apply([x], false).dataSync()], new Array(64 * 12).fill(1), "evaluation");
        const rows: number[] = [];
        for (let k = 0; k < 4; k++) {
          const y = c.apply([x], true).dataSync();
          for (let n = 0; n < 64; n++) {
            const values = new Set(y.slice(n * 12, (n + 1) * 12));
            assert.equal(values.size, 1, "a row is kept or dropped whole");
            const v = [...values][0]!;
            assert.ok(v === 0 || v === 2, `kept values are scaled by 1/(1 − p): ${v}`);
            rows.push(v);
          }
        }
        const kept = rows.filter((v) => v === 2).length;
        if (perRow) assert.ok(kept > 64 && kept < 192, `about half of 256 rows kept: ${kept}`);
        else for (let k = 0; k < 4; k++) assert.equal(new Set(rows.slice(k * 64, (k + 1) * 64)).size, 1, "the whole batch is kept or dropped");
      } finally {
        c.dispose();
      }
    }
  });
});
