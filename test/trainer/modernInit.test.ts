import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import { normal } from "../../src/trainer/model/init";
import type { TF } from "../../src/trainer/model/types";
import { ROOT } from "./helpers/golden";

/**
 * Issue 14: PyTorch's initialisation of the new kinds (reset_parameters): LayerNorm and GroupNorm
 * weight 1, bias 0; PReLU `init`; Embedding N(0, 1) with the paddingIdx row zero; Conv1d
 * kaiming-uniform bound 1/√(inChannels/groups · kernelSize), as Conv2d. (The equivalence goldens
 * load PyTorch's weights, so they do not check this.)
 */

let tf: TF;
before(async () => {
  const sel = await selectBackend("wasm", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

const analysis = new Analyzer().analyzeFile(path.join(ROOT, "test/fixtures/trainer/modernZoo.ts"));

function initial(name: string): Map<string, { shape: number[]; values: Float32Array }> {
  const m = analysis.models.find((x) => x.name === name);
  assert.ok(m, name);
  const c = compileModel(tf, m, { seed: 3 });
  try {
    return new Map([...c.parameters].map(([k, v]) => [k, { shape: v.shape, values: v.dataSync() as Float32Array }]));
  } finally {
    c.dispose();
  }
}

const all = (values: Float32Array, v: number): boolean => values.every((x) => x === v);

test("LayerNorm, GroupNorm: weight 1, bias 0; PReLU: its init; Conv1d: kaiming-uniform bound", () => {
  const p = initial("modernZoo1d");
  assert.ok(all(p.get("ln.weight")!.values, 1) && all(p.get("ln.bias")!.values, 0));
  assert.ok(all(p.get("gn.weight")!.values, 1) && all(p.get("gn.bias")!.values, 0));
  assert.equal(p.has("ln2.weight"), false, "elementwiseAffine: false has no parameters");
  assert.deepEqual(p.get("prelu.weight")!.shape, [8]);
  assert.ok(all(p.get("prelu.weight")!.values, 0.25));
  const w = p.get("conv.weight")!;
  assert.deepEqual(w.shape, [8, 4, 3]);
  const bound = 1 / Math.sqrt(4 * 3);
  assert.ok(w.values.every((x) => Math.abs(x) <= bound));
  assert.ok(Math.max(...w.values.map(Math.abs)) > 0.8 * bound, "spread over the bound");
});

test("Embedding: N(0, 1), the paddingIdx row zero", () => {
  const p = initial("embeddingZoo");
  const big = p.get("emb2.weight")!;
  assert.deepEqual(big.shape, [10, 3]);
  const w = p.get("emb.weight")!;
  assert.ok(all(w.values.slice(2 * 4, 3 * 4), 0), "row 2 (paddingIdx) is zero");
  assert.ok(!all(w.values.slice(0, 4), 0));
});

test("Embedding's normal draw has mean 0 and variance 1", () => {
  const v = normal(1, "emb.weight", 100000, 0, 1);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
});

test("an unbatched [C, L] through Conv1d and the 1-D pools equals the batched [1, C, L]", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-unbatched-"));
  const file = path.join(dir, "seq.ts");
  const body = "nn.Sequential(nn.Conv1d(3, 4, 3, { padding: 1 }), nn.MaxPool1d(2), nn.AvgPool1d(2), nn.AdaptiveAvgPool1d(3))";
  fs.writeFileSync(
    file,
    `import { nn } from "cnn-studio";\n\n/** @input [3, 8] */\nexport const flat = ${body};\n\n/** @input [1, 3, 8] */\nexport const batched = ${body};\n`,
  );
  try {
    const a = new Analyzer().analyzeFile(file);
    assert.deepEqual(a.diagnostics, []);
    const run = (name: string, shape: number[]): number[] => {
      const c = compileModel(
        tf,
        a.models.find((m) => m.name === name)!,
        { seed: 5 },
      );
      try {
        const x = tf.tensor(
          Array.from({ length: 24 }, (_, i) => Math.sin(i)),
          shape,
        );
        const y = c.apply([x], false);
        assert.deepEqual(y.shape, [...shape.slice(0, -2), 4, 3]);
        const values = [...y.dataSync()];
        x.dispose();
        y.dispose();
        return values;
      } finally {
        c.dispose();
      }
    };
    assert.deepEqual(run("flat", [3, 8]), run("batched", [1, 3, 8]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
