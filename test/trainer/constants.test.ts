import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer } from "../../src/analyzer/index";
import type { DeclaredTensor, ModelAnalysis } from "../../src/shared/analysis";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import type { TF } from "../../src/trainer/model/types";
import { moduleModel, onlyModel } from "../analyzer/language/helpers";
import { ROOT } from "./helpers/golden";

/**
 * Issue 14: tensors a constructor computes from creation functions (Swin's relative position
 * index: arange, meshgrid, stack, sub, in-place add_ on select views, sum) are evaluated by the
 * trainer from the expression the analyzer records; a tiny Swin trains a step on TensorFlow.js
 * (test/golden/trainer/swinBlocks.json compares its outputs and gradients with PyTorch's).
 */

let tf: TF;
before(async () => {
  const sel = await selectBackend("wasm", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

const SWIN = path.join(ROOT, "test/fixtures/trainer/swinZoo.ts");
const analysis = (() => {
  let a: ReturnType<Analyzer["analyzeFile"]> | undefined;
  return () => (a ??= new Analyzer().analyzeFile(SWIN));
})();
const swin = (name: string): ModelAnalysis => {
  const m = analysis().models.find((x) => x.name === name);
  assert.ok(
    m,
    `${name}: ${analysis()
      .diagnostics.map((d) => d.message)
      .join("; ")}`,
  );
  return m;
};
const declared = (m: ModelAnalysis, path: string, name: string): DeclaredTensor => {
  const t = m.modules.find((x) => x.path === path)?.declaredTensors?.find((x) => x.name === name);
  assert.ok(t, `${path}.${name}`);
  return t;
};

/** torchvision's relative_position_index of a wh × ww window, computed directly. */
function relativePositionIndex(wh: number, ww: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < wh * ww; i++)
    for (let j = 0; j < wh * ww; j++) {
      const dh = Math.floor(i / ww) - Math.floor(j / ww) + wh - 1;
      const dw = (i % ww) - (j % ww) + ww - 1;
      out.push(dh * (2 * ww - 1) + dw);
    }
  return out;
}

describe("constructor-computed tensors", () => {
  test("the analyzer records the expression of Swin's relative position index", () => {
    const t = declared(swin("swinBlocks"), "0.attn", "relative_position_index");
    assert.equal(t.init.kind, "computed");
    assert.ok(t.init.kind === "computed" && t.init.graph);
    assert.deepEqual(
      t.init.graph.nodes.map((n) => n.op),
      ["arange", "arange", "meshgrid", "meshgrid", "stack", "torch.flatten", "unsqueeze", "unsqueeze", "sub", "permute", "contiguous"].concat([
        "select",
        "add_",
        "selectScatter",
        "select",
        "add_",
        "selectScatter",
        "select",
        "mul_",
        "selectScatter",
        "sum",
        "flatten",
      ]),
    );
    assert.deepEqual(t.init.graph.nodes.at(-1)?.output, [256]);
  });

  test("the trainer computes it exactly as PyTorch does", () => {
    const c = compileModel(tf, swin("swinBlocks"), { seed: 0 });
    try {
      for (const block of ["0", "1"]) {
        const v = c.buffers.get(`${block}.attn.relative_position_index`);
        assert.ok(v);
        assert.deepEqual(Array.from(v.dataSync()), relativePositionIndex(4, 4));
      }
    } finally {
      c.dispose();
    }
  });

  test("torch.eye, linspace, full and a meshgrid with 'xy' indexing, computed in a constructor (with PyTorch's values)", () => {
    const m = onlyModel(
      moduleModel(
        `  constructor() {
    super();
    const [gx, gy] = torch.meshgrid([torch.arange(3), torch.arange(2)], { indexing: "xy" });
    this.registerBuffer("grid", torch.stack([gx, gy], -1));
    this.registerBuffer("eye", torch.eye(2, 3).mul(2).add(torch.full([2, 3], 0.5)));
    this.registerBuffer("ramp", torch.linspace(0, 1, 5).mul(4));
  }
  forward(x: Tensor): Tensor {
    return x.add(this.grid.sum()).add(this.eye.sum()).add(this.ramp.sum());
  }`,
      ),
    );
    const c = compileModel(tf, m, { seed: 0 });
    try {
      const grid = c.buffers.get("grid")!;
      assert.deepEqual(grid.shape, [2, 3, 2]);
      assert.deepEqual(Array.from(grid.dataSync()), [0, 0, 1, 0, 2, 0, 0, 1, 1, 1, 2, 1]);
      assert.deepEqual(Array.from(c.buffers.get("eye")!.dataSync()), [2.5, 0.5, 0.5, 0.5, 2.5, 0.5]);
      assert.deepEqual(Array.from(c.buffers.get("ramp")!.dataSync()), [0, 1, 2, 3, 4]);
    } finally {
      c.dispose();
    }
  });

  test("a computed tensor kept as a plain attribute (not a buffer) is a constant of the compiled model", () => {
    const m = onlyModel(
      moduleModel(
        `  scale: Tensor;
  constructor() {
    super();
    this.scale = torch.arange(8).div(4).view(1, 8, 1, 1);
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.scale);
  }`,
        "[N, 8, 2, 2]",
      ),
    );
    const c = compileModel(tf, m, { seed: 0 });
    try {
      assert.equal(c.buffers.size, 0, "not in the state_dict");
      const y = c.apply([tf.ones([1, 8, 2, 2])], false);
      assert.deepEqual(
        Array.from(y.dataSync()).filter((_, i) => i % 4 === 0),
        [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75],
      );
      y.dispose();
    } finally {
      c.dispose();
    }
  });

  test("an operation the trainer cannot compute is named in the error", () => {
    const m = structuredClone(swin("swinBlocks"));
    const t = declared(m, "0.attn", "relative_position_index");
    assert.ok(t.init.kind === "computed" && t.init.graph);
    t.init.graph.nodes[8]!.op = "frobnicate";
    assert.throws(
      () => compileModel(tf, m, { seed: 0 }),
      /^Error: 0\.attn\.relative_position_index: the trainer cannot compute 'frobnicate', used by the constructor to make this tensor, yet$/,
    );
  });

  test("a tiny Swin classifier trains a step on TensorFlow.js", () => {
    const c = compileModel(tf, swin("swinTiny"), { seed: 1 });
    try {
      const x = tf.randomNormal([2, 3, 32, 32], 0, 1, "float32", 7);
      const labels = tf.oneHot(tf.tensor1d([3, 8], "int32"), 10);
      const loss = (): tfc.Scalar =>
        tf.tidy(() => {
          const logits = c.apply([x], true);
          return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, labels), 1)));
        });
      const params = [...c.parameters.values()];
      const { value, grads } = tf.variableGrads(loss, params);
      const before = value.dataSync()[0]!;
      assert.ok(Number.isFinite(before), `a finite loss: ${before}`);
      const table = grads[c.parameters.get("features.1.0.attn.relative_position_bias_table")!.name];
      assert.ok(table && tf.any(tf.notEqual(table, 0)).dataSync()[0], "the relative position bias table has a gradient");
      for (const p of params) {
        const g = grads[p.name];
        if (g) p.assign(tf.sub(p, tf.mul(g, 0.05)));
      }
      const after = loss().dataSync()[0]!;
      assert.ok(after < before, `one SGD step lowers the loss: ${before} → ${after}`);
      tf.dispose([x, labels, value, ...Object.values(grads)]);
    } finally {
      c.dispose();
    }
  });
});
