import * as path from "node:path";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer } from "../src/analyzer/index";
import type { BackendChoice } from "../src/shared/training";
import { selectBackend } from "../src/trainer/model/backend";
import { compileModel } from "../src/trainer/model/compile";
import type { TF } from "../src/trainer/model/types";
import { summarize } from "./stats";

/**
 * Training-step speed of the compiled models: one forward and backward pass (gradients of a
 * softmax cross-entropy for every parameter; no optimiser update) for LeNet-5 (1×32×32) and
 * SimpleCNN (3×32×32) at batch 64, on the plain CPU backend with tfjs's own gradient kernels, on
 * the CPU backend with ours, and on WebAssembly with ours (tfjs-backend-wasm has no convolution
 * filter gradient of its own). Prints the median step time, images per second, the ratios, and
 * the slowest kernels of a wasm step.
 *
 * BENCH_STOCK_CPU=0 skips tfjs's own cpu kernels for SimpleCNN (its filter gradient alone takes
 * minutes at batch 64). BENCH_STEPS sets the measured steps (default 5).
 */

const ROOT = path.resolve(__dirname, "..", "..");
const BATCH = 64;
const STEPS = Number(process.env.BENCH_STEPS ?? 5);
const CASES = [
  { file: "examples/lenet5.ts", model: "lenet5", what: "LeNet-5 1×32×32" },
  { file: "examples/simple-cnn.ts", model: "simpleCnn", what: "SimpleCNN 3×32×32" },
];
const VARIANTS: { name: string; choice: BackendChoice; fast: boolean }[] = [
  { name: "cpu, tfjs kernels", choice: "js", fast: false },
  { name: "cpu, our kernels", choice: "js", fast: true },
  { name: "wasm, our kernels", choice: "wasm", fast: true },
];

const ips = (x: number): string => x.toFixed(x < 10 ? 2 : 0);

function crossEntropy(tf: TF, logits: tfc.Tensor, labels: tfc.Tensor): tfc.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), labels), 1))) as tfc.Scalar;
}

async function main(): Promise<void> {
  const analyzer = new Analyzer();
  const results = new Map<string, number>();
  console.log(`batch ${BATCH}, forward + backward (all parameter gradients), median of ${STEPS} steps after 2 warm-up steps`);
  console.log("model                  backend               step ms     images/s");
  for (const c of CASES) {
    const m = analyzer.analyzeFile(path.join(ROOT, c.file)).models.find((x) => x.name === c.model);
    if (!m) throw new Error(`no model ${c.model}`);
    for (const v of VARIANTS) {
      if (!v.fast && c.model === "simpleCnn" && process.env.BENCH_STOCK_CPU === "0") continue;
      // fastCpuKernels false also restores tfjs's own cpu kernels after a variant with ours.
      const sel = await selectBackend(v.choice, { strict: true, fastCpuKernels: v.fast });
      if (!sel.ok) throw new Error(sel.error);
      const tf = sel.tf;
      const compiled = compileModel(tf, m, { seed: 1 });
      const shape = m.inputs[0]!.map((d) => (typeof d === "number" ? d : BATCH));
      const x = tf.randomNormal(shape, 0, 1, "float32", 1);
      const labels = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: BATCH }, (_, i) => i % 10),
          "int32",
        ),
        10,
      );
      const params = [...compiled.parameters.values()];
      const step = (): number => {
        const t0 = performance.now();
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => crossEntropy(tf, compiled.apply([x], true), labels), params);
          value.dataSync();
          for (const g of Object.values(grads)) g.dataSync();
        });
        return performance.now() - t0;
      };
      const slowStock = !v.fast && c.model === "simpleCnn";
      const warm = slowStock ? 0 : 2;
      for (let i = 0; i < warm; i++) step();
      const times = Array.from({ length: slowStock ? 1 : STEPS }, step);
      const { p50 } = summarize(times);
      results.set(`${c.model}/${v.name}`, p50);
      console.log(
        `${c.what.padEnd(22)} ${v.name.padEnd(20)} ${p50.toFixed(1).padStart(8)} ${ips((BATCH / p50) * 1000).padStart(12)}${slowStock ? "   (1 step)" : ""}`,
      );
      if (v.choice === "wasm") await profile(tf, () => crossEntropy(tf, compiled.apply([x], true), labels), params);
      tf.dispose([x, labels]);
      compiled.dispose();
    }
  }
  console.log("\nratios (step time; > 1: wasm faster)");
  for (const c of CASES) {
    const w = results.get(`${c.model}/wasm, our kernels`)!;
    const stock = results.get(`${c.model}/cpu, tfjs kernels`);
    const ours = results.get(`${c.model}/cpu, our kernels`)!;
    console.log(
      `${c.what.padEnd(22)} cpu (tfjs kernels) / wasm ${stock ? (stock / w).toFixed(1).padStart(6) : "     -"}×   cpu (our kernels) / wasm ${(ours / w).toFixed(1).padStart(6)}×${stock ? `   cpu tfjs / cpu ours ${(stock / ours).toFixed(1)}×` : ""}`,
    );
  }
}

/** The kernels that take most of a wasm training step. */
async function profile(tf: TF, loss: () => tfc.Scalar, params: tfc.Variable[]): Promise<void> {
  const info = await tf.profile(() => {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, params);
      for (const g of Object.values(grads)) g.dataSync();
    });
  });
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + Number(await k.kernelTimeMs));
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`    wasm kernels (${total.toFixed(0)} ms in kernels): ${top.map(([n, t]) => `${n} ${t.toFixed(0)}`).join(", ")}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
