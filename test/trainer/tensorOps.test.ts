import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { Analyzer, diskHost } from "../../src/analyzer/index";
import type { ModelAnalysis } from "../../src/shared/analysis";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import type { TF } from "../../src/trainer/model/types";
import { ROOT } from "./helpers/golden";

/**
 * Issue 14: the trainer's lowering of tensor operations beyond the PyTorch golden
 * (transformerOpsZoo): in-place operations on views write through to the viewed tensor, and
 * symbolic batch expressions resolve at run time. Expected values computed by hand (and checked
 * with torch 1.13).
 */

let tf: TF;
before(async () => {
  const sel = await selectBackend("js", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

function analyse(source: string, name: string): ModelAnalysis {
  const file = path.join(ROOT, "test", "fixtures", "trainer", "__tensorOps__.ts");
  const a = new Analyzer({ readFile: (f) => (f === file ? source : diskHost.readFile(f)) }).analyzeFile(file);
  assert.deepEqual(
    a.diagnostics.map((d) => d.message),
    [],
  );
  const m = a.models.find((x) => x.name === name);
  assert.ok(m);
  return m;
}

function run(m: ModelAnalysis, shape: number[], values: number[]): { shape: number[]; values: number[] } {
  const compiled = compileModel(tf, m, { seed: 1 });
  try {
    return tf.tidy(() => {
      const out = compiled.apply([tf.tensor(values, shape)], false);
      return { shape: out.shape, values: Array.from(out.dataSync()) };
    });
  } finally {
    compiled.dispose();
  }
}

describe("tensor operations in the trainer", () => {
  test("x.select(1, 0).add_(10) and x.narrow(2, 1, 1).mul_(2) change x, as in PyTorch", () => {
    const m = analyse(
      `import { nn, type Tensor } from "cnn-studio";
class Inplace extends nn.Module {
  forward(x: Tensor) {
    x = x.clone();
    x.select(1, 0).add_(10);
    x.narrow(2, 1, 1).mul_(2);
    return x;
  }
}
/** @input [N, 2, 2] */
export const inplace = new Inplace();
`,
      "inplace",
    );
    assert.deepEqual(
      m.graph.filter((n) => n.kind === "op").map((n) => n.label),
      ["clone", "select", "add_", "selectScatter", "narrow", "mul_", "sliceScatter"],
    );
    // x = [[[1, 2], [3, 4]]] → row 0 + 10 → [[11, 12], [3, 4]] → column 1 × 2 → [[11, 24], [3, 8]]
    // (torch: x = torch.tensor([[[1., 2], [3, 4]]]); x[:, 0].add_(10); x.narrow(2, 1, 1).mul_(2))
    const out = run(m, [1, 2, 2], [1, 2, 3, 4]);
    assert.deepEqual(out, { shape: [1, 2, 2], values: [11, 24, 3, 8] });
  });

  test("Swin's window partition with B * numWindows resolves the batch at run time", () => {
    const m = analyse(
      `import { nn, type Tensor } from "cnn-studio";
class Windows extends nn.Module {
  forward(x: Tensor) {
    const B = x.shape[0]!;
    const w = x.view(B, 2, 2, 2, 2, 1).permute(0, 1, 3, 2, 4, 5).reshape(B * 4, 4, 1);
    return w.view(Math.floor(w.shape[0]! / 4), 2, 2, 2, 2, 1).permute(0, 1, 3, 2, 4, 5).reshape(B, 4, 4, 1);
  }
}
/** @input [N, 4, 4, 1] */
export const windows = new Windows();
`,
      "windows",
    );
    const values = Array.from({ length: 32 }, (_, i) => i);
    // partition then reverse is the identity, for a batch of 2
    assert.deepEqual(run(m, [2, 4, 4, 1], values), { shape: [2, 4, 4, 1], values });
  });
});

describe("F.scaledDotProductAttention in the trainer", () => {
  test("equals softmax(q·kᵀ / sqrt(E))·v written with matmul (torch 1.13 has no SDPA to compare with)", () => {
    const source = (body: string) => `import { nn, F, type Tensor } from "cnn-studio";
class A extends nn.Module {
  forward(x: Tensor) {
    const q = x.narrow(3, 0, 4);
    const k = x.narrow(3, 1, 4).mul(0.5);
    const v = x.narrow(3, 2, 4).sub(1);
    return ${body};
  }
}
/** @input [N, 2, 6, 6] */
export const a = new A();
`;
    const values = Array.from({ length: 72 }, (_, i) => Math.sin(i));
    const sdpa = run(analyse(source("F.scaledDotProductAttention(q, k, v)"), "a"), [1, 2, 6, 6], values);
    const manual = run(analyse(source("q.matmul(k.transpose(-2, -1)).div(2).softmax(-1).matmul(v)"), "a"), [1, 2, 6, 6], values);
    assert.deepEqual(sdpa.shape, [1, 2, 6, 4]);
    sdpa.values.forEach((v, i) => assert.ok(Math.abs(v - manual.values[i]!) < 1e-6, `entry ${i}: ${v} vs ${manual.values[i]}`));
  });
});
