import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer } from "../../src/analyzer/index";
import type { FileAnalysis, ModelAnalysis } from "../../src/shared/analysis";
import type { BackendChoice } from "../../src/shared/training";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel } from "../../src/trainer/model/compile";
import type { CompiledModel, TF } from "../../src/trainer/model/types";
import { decode, GOLDEN_MODELS, loadGolden, ROOT, scaledError, type TrainerGolden } from "./helpers/golden";

/**
 * The compiled models against PyTorch (test/golden/trainer/*.json, made by
 * scripts/golden/trainer_equivalence.py from torchvision's classes and PyTorch modules): with the
 * golden weights loaded, the evaluation output, the training output (batch statistics), the
 * gradient of every parameter and of the input for the loss sum(output · R), and the running
 * statistics after the step must match PyTorch (float64 reference) within 1e-4 of the largest
 * magnitude of each tensor, or — for quantities that nearly cancel, where float32 rounding
 * dominates — within 10× the error of PyTorch's own float32 computation of that tensor
 * (`float32Deviation` of the golden) — on the plain CPU backend with tfjs's own kernels, on the CPU backend
 * with our gradient kernels, and on WebAssembly with our gradient kernels.
 */

const TOLERANCE = 1e-4;

const analyses = new Map<string, FileAnalysis>();
function modelFor(g: TrainerGolden): ModelAnalysis {
  let a = analyses.get(g.file);
  if (!a) {
    a = new Analyzer().analyzeFile(path.join(ROOT, g.file));
    analyses.set(g.file, a);
  }
  const m = a.models.find((x) => x.name === g.model);
  assert.ok(m, `${g.file} has no analysed model ${g.model} (${a.diagnostics.map((d) => d.message).join("; ")})`);
  return m;
}

function loadState(tf: TF, compiled: CompiledModel, g: TrainerGolden): void {
  const expected = Object.keys(g.state).sort();
  const actual = [...compiled.parameters.keys(), ...compiled.buffers.keys()].sort();
  assert.deepEqual(actual, expected, "state_dict names");
  for (const [name, enc] of Object.entries(g.state)) {
    const v = compiled.parameters.get(name) ?? compiled.buffers.get(name)!;
    assert.deepEqual(v.shape, enc.shape, `${name} shape`);
    const t = tf.tensor(decode(enc), enc.shape, v.dtype);
    v.assign(t);
    t.dispose();
  }
}

interface Worst {
  what: string;
  /** max |Δ| relative to the largest expected magnitude */
  error: number;
  abs: number;
  /** PyTorch float32's own max |Δ| on this tensor */
  torch: number;
}

/** Runs one golden: returns the worst scaled error of each quantity. */
function check(tf: TF, g: TrainerGolden): Worst[] {
  const compiled = compileModel(tf, modelFor(g), { seed: 0 });
  const worst: Worst[] = [];
  const compare = (what: string, actual: tfc.Tensor, expected: { shape: number[] } & Parameters<typeof decode>[0], torchFloat32: number): void => {
    assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
    const { error, abs, scale } = scaledError(actual.dataSync(), decode(expected));
    worst.push({ what, error, abs, torch: torchFloat32 });
    assert.ok(
      error <= TOLERANCE || abs <= 10 * torchFloat32,
      `${g.model} ${what}: max |Δ| ${abs.toExponential(2)} for values up to ${scale.toExponential(2)} (relative ${error.toExponential(2)} > ${TOLERANCE}; PyTorch float32 itself is off by ${torchFloat32.toExponential(2)})`,
    );
  };
  const dev = g.float32Deviation;
  try {
    loadState(tf, compiled, g);
    tf.tidy(() => {
      // Integer indices (embeddings) are an int32 tensor without a gradient, as in PyTorch.
      const indices = g.input.dtype === "int64";
      const x: tfc.Tensor = tf.tensor(decode(g.input), g.input.shape, indices ? "int32" : "float32");
      compare("evalOutput", compiled.apply([x], false), g.evalOutput, dev.evalOutput);
      const r = tf.tensor(decode(g.lossWeights), g.lossWeights.shape);
      const xv = tf.variable(x, !indices);
      const params = [...compiled.parameters.values()];
      let out: tfc.Tensor | null = null;
      const { grads } = tf.variableGrads(
        () => {
          out = tf.keep(compiled.apply([xv], true));
          return tf.sum(tf.mul(out, r)) as tfc.Scalar;
        },
        indices ? params : [...params, xv],
      );
      compare("trainOutput", out!, g.trainOutput, dev.trainOutput);
      for (const [name, v] of compiled.parameters) {
        const grad = grads[v.name];
        assert.ok(grad, `no gradient for ${name}`);
        compare(`grad ${name}`, grad, g.grads[name]!, dev.grads[name] ?? 0);
      }
      if (g.inputGrad) compare("inputGrad", grads[xv.name]!, g.inputGrad, dev.inputGrad ?? 0);
      else assert.ok(indices, "a float input has a gradient in the golden");
      for (const [name, v] of compiled.buffers) compare(`after ${name}`, v, g.stateAfter[name]!, dev.stateAfter[name] ?? 0);
      xv.dispose();
      (out as tfc.Tensor | null)?.dispose();
    });
  } finally {
    compiled.dispose();
  }
  return worst;
}

const VARIANTS: { name: string; choice: BackendChoice; fastCpuKernels: boolean }[] = [
  { name: "cpu (tfjs kernels)", choice: "js", fastCpuKernels: false },
  { name: "wasm (our gradient kernels)", choice: "wasm", fastCpuKernels: false },
  { name: "cpu (our gradient kernels)", choice: "js", fastCpuKernels: true },
];

const goldens = GOLDEN_MODELS.map(loadGolden);
const summary: string[] = [];

for (const variant of VARIANTS) {
  describe(`equivalence with PyTorch on ${variant.name}`, () => {
    let tf: TF;
    before(async () => {
      const sel = await selectBackend(variant.choice, { strict: true, fastCpuKernels: variant.fastCpuKernels });
      assert.ok(sel.ok, sel.ok ? "" : sel.error);
      tf = sel.tf;
    });
    for (const g of goldens) {
      test(g.model, () => {
        const start = tf.memory().numTensors;
        const worst = check(tf, g);
        assert.equal(tf.memory().numTensors, start, "tensors leaked");
        // Worst relative error per kind, over the tensors that are not pure float32 noise
        // (analytically ~0, e.g. the bias before a training-mode BatchNorm); those are listed.
        const real = (w: Worst) => w.error <= TOLERANCE;
        const byKind = (p: string) => Math.max(0, ...worst.filter((w) => w.what.startsWith(p) && real(w)).map((w) => w.error));
        const noise = worst.filter((w) => !real(w)).map((w) => `${w.what} |Δ| ${w.abs.toExponential(1)} (PyTorch f32 ${w.torch.toExponential(1)})`);
        summary.push(
          `${variant.name.padEnd(28)} ${g.model.padEnd(24)} out ${byKind("evalOutput").toExponential(1)}/${byKind("trainOutput").toExponential(1)}  grads ${byKind("grad ").toExponential(1)}  input grad ${byKind("inputGrad").toExponential(1)}  stats ${byKind("after").toExponential(1)}${noise.length ? `  noise-level: ${noise.join(", ")}` : ""}`,
        );
      });
    }
  });
}

after(() => {
  if (process.env.TRAINER_EQUIVALENCE_SUMMARY) console.log(summary.join("\n"));
});
