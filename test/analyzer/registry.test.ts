import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { resolveArgs } from "../../src/analyzer/layers/args";
import { FUNCTIONAL_KINDS, LAYERS, LAYER_CATALOG, LAYER_TYPES, type LayerKind, type LayerType } from "../../src/analyzer/layers/index";
import { isLayerError, type ArgValue, type Args } from "../../src/analyzer/layers/kind";
import { NN_MODULES } from "../../src/export/api";
import { exportSource } from "../export/helpers";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel, LAYER_BUILDERS } from "../../src/trainer/model/compile";
import { LAYER_TENSORS, type TensorSpec } from "../../src/trainer/model/init";
import { interpolationMatrix } from "../../src/trainer/model/layers/upsample";
import type { TF } from "../../src/trainer/model/types";

/**
 * Issue 13.1: one registry per side, each a record over LayerType (the compiler already refuses a
 * missing kind; this lists the keys so that a kind added at run time, or a table typed loosely,
 * fails too), and the sides agree with each other.
 */

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

describe("every side has every layer kind", () => {
  const registries: [string, object][] = [
    ["analyzer LAYERS (shape, parameters, MACs, receptive field)", LAYERS],
    ["LAYER_CATALOG (category, input parameter)", LAYER_CATALOG],
    ["trainer LAYER_BUILDERS (tfjs lowering)", LAYER_BUILDERS],
    ["trainer LAYER_TENSORS (parameters, buffers, initialisation)", LAYER_TENSORS],
    ["export NN_MODULES (PyTorch module)", NN_MODULES],
  ];
  for (const [name, registry] of registries) {
    test(name, () => assert.deepEqual(sorted(Object.keys(registry)), sorted(LAYER_TYPES)));
  }

  test("each kind is filed under its own type, and the functional forms name kinds", () => {
    for (const t of LAYER_TYPES) assert.equal(LAYERS[t].type, t);
    for (const [f, kind] of FUNCTIONAL_KINDS) assert.ok(LAYER_TYPES.includes(kind.type as LayerType), `F.${f}`);
  });

  test("each kind's input parameter is one of its parameters", () => {
    for (const t of LAYER_TYPES) {
      const input = LAYER_CATALOG[t].input;
      if (input)
        assert.ok(
          (LAYERS[t] as LayerKind).params.some((p) => p.name === input.param),
          `${t}.${input.param}`,
        );
    }
  });
});

/** Arguments for one instance of every kind (a new kind fails to compile here until it has some). */
const SAMPLES: { [T in LayerType]: ArgValue[] } = {
  Conv2d: [6, 12, [3, 5], 1, 0, 1, 3, true],
  ConvTranspose2d: [6, 4, 3, 2, 1, 1, 2, true],
  Linear: [7, 5],
  MaxPool2d: [3],
  AvgPool2d: [2],
  AdaptiveAvgPool2d: [1],
  AdaptiveMaxPool2d: [[2, 3]],
  BatchNorm2d: [8],
  BatchNorm1d: [8, 1e-5, 0.1, false],
  LocalResponseNorm: [3],
  Dropout: [0.2],
  Dropout2d: [],
  Flatten: [],
  ReLU: [],
  ReLU6: [],
  LeakyReLU: [0.2],
  ELU: [],
  GELU: [],
  SiLU: [],
  Sigmoid: [],
  Tanh: [],
  Hardswish: [],
  Hardsigmoid: [],
  Softmax: [1],
  Upsample: [null, 2],
  Identity: [],
  // ---- modules: issue 14 ----
  LayerNorm: [[4, 5], 1e-6, true, false],
  GroupNorm: [2, 6],
  Conv1d: [6, 12, 3, 1, 0, 1, 3, true],
  MaxPool1d: [3],
  AvgPool1d: [2],
  AdaptiveAvgPool1d: [4],
  Embedding: [10, 3, 0],
  Unflatten: [1, [2, -1]],
  PixelShuffle: [2],
  ZeroPad2d: [[1, 2, 3, 4]],
  Mish: [],
  PReLU: [3],
  // ---- attention: ----
  MultiheadAttention: [8, 2, 0.1, false],
  StochasticDepth: [0.2, "row"],
  Permute: [[0, 2, 3, 1]],
};

function sampleConfig(t: LayerType): Args {
  const kind = LAYERS[t] as LayerKind;
  const r = resolveArgs(kind, SAMPLES[t], undefined);
  assert.ok(r.ok, `${t}: ${r.ok ? "" : r.problem.message}`);
  const c = kind.build ? kind.build(r.args) : r.args;
  assert.ok(!isLayerError(c), `${t}: ${isLayerError(c) ? c.message : ""}`);
  return c;
}

/** A call of every kind's factory, as a user writes it. */
const CALLS: { [T in LayerType]: string } = {
  Conv2d: "nn.Conv2d(3, 8, 3, { padding: 1 })",
  ConvTranspose2d: "nn.ConvTranspose2d(8, 8, 2, { stride: 2 })",
  Linear: "nn.Linear(8, 4)",
  MaxPool2d: "nn.MaxPool2d(2)",
  AvgPool2d: "nn.AvgPool2d(2)",
  AdaptiveAvgPool2d: "nn.AdaptiveAvgPool2d(1)",
  AdaptiveMaxPool2d: "nn.AdaptiveMaxPool2d(1)",
  BatchNorm2d: "nn.BatchNorm2d(8)",
  BatchNorm1d: "nn.BatchNorm1d(8)",
  LocalResponseNorm: "nn.LocalResponseNorm(2)",
  Dropout: "nn.Dropout(0.1)",
  Dropout2d: "nn.Dropout2d()",
  Flatten: "nn.Flatten()",
  ReLU: "nn.ReLU()",
  ReLU6: "nn.ReLU6()",
  LeakyReLU: "nn.LeakyReLU(0.2)",
  ELU: "nn.ELU()",
  GELU: "nn.GELU()",
  SiLU: "nn.SiLU()",
  Sigmoid: "nn.Sigmoid()",
  Tanh: "nn.Tanh()",
  Hardswish: "nn.Hardswish()",
  Hardsigmoid: "nn.Hardsigmoid()",
  Softmax: "nn.Softmax(1)",
  Upsample: "nn.Upsample({ scaleFactor: 2 })",
  Identity: "nn.Identity(7)",
  // ---- modules: issue 14 ----
  LayerNorm: "nn.LayerNorm([8, 4], { eps: 1e-6 })",
  GroupNorm: "nn.GroupNorm(2, 8)",
  Conv1d: "nn.Conv1d(8, 8, 3, { padding: 1 })",
  MaxPool1d: "nn.MaxPool1d(2)",
  AvgPool1d: "nn.AvgPool1d(2)",
  AdaptiveAvgPool1d: "nn.AdaptiveAvgPool1d(1)",
  Embedding: "nn.Embedding(10, 4)",
  Unflatten: "nn.Unflatten(1, [2, 4])",
  PixelShuffle: "nn.PixelShuffle(2)",
  ZeroPad2d: "nn.ZeroPad2d([1, 0, 2, 0])",
  Mish: "nn.Mish()",
  PReLU: "nn.PReLU()",
  // ---- attention: ----
  MultiheadAttention: "nn.MultiheadAttention(8, 2, { batchFirst: true })",
  StochasticDepth: 'ops.StochasticDepth(0.1, "row")',
  Permute: "ops.Permute([0, 2, 3, 1])",
};

test("the PyTorch export writes each kind as its NN_MODULES entry says", () => {
  const source = `import { nn, ops } from "cnn-studio";\n\nexport const all = nn.ModuleList([\n${LAYER_TYPES.map((t) => `  ${CALLS[t]},`).join("\n")}\n]);\n`;
  const r = exportSource({ "model.ts": source });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message),
    [],
  );
  const code = r.code;
  for (const t of LAYER_TYPES) {
    const m = NN_MODULES[t];
    assert.ok(code.includes(m.noArgs ? `${m.py}()` : `${m.py}(`), `${t}: ${m.py} in\n${code}`);
  }
});

const size = (specs: readonly TensorSpec[]): bigint => specs.reduce((a, s) => a + s.shape.reduce((p, d) => p * BigInt(d), 1n), 0n);

test("the trainer's tensors of each kind are as many as the analyzer counts", () => {
  for (const t of LAYER_TYPES) {
    const config = sampleConfig(t);
    const specs = (LAYER_TENSORS[t] as (c: Args) => readonly TensorSpec[])(config);
    const counts = (LAYERS[t] as LayerKind).counts(config);
    assert.equal(size(specs.filter((s) => !s.buffer)), counts.params, `${t} parameters`);
    assert.equal(size(specs.filter((s) => s.buffer)), counts.buffers, `${t} buffers`);
  }
});

describe("functional forms and the trainer read the arguments written", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-registry-"));
  const file = path.join(dir, "model.ts");
  fs.writeFileSync(
    file,
    `import { nn, F, type Tensor } from "cnn-studio";

class Net extends nn.Module {
  up = nn.Upsample({ scaleFactor: 1.5, mode: "bilinear", recomputeScaleFactor: true });
  forward(x: Tensor): Tensor {
    const y = F.leakyRelu(F.elu(x, 0.5), 0.2);
    return this.up(F.dropout(F.gelu(y, { approximate: "tanh" }), 0, this.training));
  }
}

/** @input [1, 1, 3, 3] */
export const net = new Net();
`,
  );
  const m = new Analyzer().analyzeFile(file);
  const model = m.models[0]!;

  test("F.elu, F.leakyRelu, F.gelu and F.dropout carry their arguments (the trainer used defaults)", () => {
    assert.deepEqual(m.diagnostics, []);
    const attrs = (type: string) => model.graph.find((n) => n.type === type)?.attrs;
    assert.deepEqual(attrs("ELU"), { alpha: 0.5 });
    assert.deepEqual(attrs("LeakyReLU"), { negativeSlope: 0.2 });
    assert.deepEqual(attrs("GELU"), { approximate: "tanh" });
    assert.deepEqual(attrs("Dropout"), { p: 0 });
  });

  let tf: TF;
  before(async () => {
    const sel = await selectBackend("wasm", { strict: true });
    assert.ok(sel.ok);
    tf = sel.tf;
  });

  test("training with F.dropout(x, 0) keeps every value; recomputeScaleFactor samples by in/out", () => {
    const c = compileModel(tf, model, { seed: 1 });
    try {
      const values = [-2, -1, 0, 1, 2, 3, 4, 5, 6];
      const x = tf.tensor4d(values, [1, 1, 3, 3]);
      const train = c.apply([x], true).dataSync();
      const evaluated = c.apply([x], false).dataSync();
      assert.deepEqual([...train], [...evaluated], "dropout with p = 0 is the identity in training too");
      // [1, 1, 3, 3] → [1, 1, 4, 4]: sampled at in/out = 3/4, not 1/1.5.
      const act = (v: number): number => {
        const e = v > 0 ? v : 0.5 * (Math.exp(v) - 1);
        const l = e > 0 ? e : 0.2 * e;
        return 0.5 * l * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (l + 0.044715 * l ** 3)));
      };
      const a = values.map(act);
      const m = interpolationMatrix("bilinear", false, 3, 4, null);
      assert.notDeepEqual(m, interpolationMatrix("bilinear", false, 3, 4, 1.5));
      const expected: number[] = [];
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          let s = 0;
          for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) s += m[i * 3 + r]! * m[j * 3 + q]! * a[r * 3 + q]!;
          expected.push(s);
        }
      [...evaluated].forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `${i}: ${v} vs ${expected[i]}`));
    } finally {
      c.dispose();
    }
  });
});
