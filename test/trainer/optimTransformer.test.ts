import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { trainConfig, type OptimizerConfig, type OptimizerName, type ScheduleConfig } from "../../src/shared/training";
import { crossEntropy } from "../../src/trainer/train/loss";
import { clipGradNorm, createOptimizer, excludedFromDecay } from "../../src/trainer/train/optimizers";
import { createSchedule } from "../../src/trainer/train/schedules";
import { ROOT, testTf } from "./helpers/env";

/**
 * The training options transformers need, against PyTorch: scripts/golden/trainer_transformer_optim.py
 * → test/golden/trainer-optim/transformer.json (weight-decay exclusion in two parameter groups,
 * SequentialLR(LinearLR, CosineAnnealingLR), clip_grad_norm_, CrossEntropyLoss(label_smoothing)).
 */

type Values = Record<string, number[]>;
interface Golden {
  init: Record<string, { shape: number[]; values: number[] }>;
  embeddingModules: string[];
  excluded: string[];
  grads: Values[];
  decay: { name: string; optimizer: OptimizerName; config: Partial<OptimizerConfig>; steps: Values[] }[];
  schedules: {
    name: string;
    lr: number;
    epochs: number;
    stepsPerEpoch: number;
    config: Partial<ScheduleConfig>;
    sequence: { epoch: number; step: number; lr: number }[];
  }[];
  clip: { maxNorm: number; grads: Values; totalNorm: number; clipped: Values }[];
  clippedAdamW: { config: Partial<OptimizerConfig>; steps: Values[] };
  labelSmoothing: { logits: number[]; shape: [number, number]; labels: number[]; cases: { labelSmoothing: number; loss: number; grad: number[] }[] };
}

const golden = JSON.parse(fs.readFileSync(path.join(ROOT, "test/golden/trainer-optim/transformer.json"), "utf8")) as Golden;
const BASE = { file: "x", model: "m", dataset: { kind: "mnist-sample" as const }, runsDir: "r" };

function close(actual: ArrayLike<number>, expected: readonly number[], what: string, rel = 1e-5, abs = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= abs + rel * Math.abs(e), `${what}[${i}]: ${a} vs PyTorch ${e} (diff ${Math.abs(a - e)})`);
  }
}

async function parameters(tag: string): Promise<{ tf: typeof tfc; params: Map<string, tfc.Variable> }> {
  const { tf } = await testTf();
  const params = new Map<string, tfc.Variable>();
  for (const [k, v] of Object.entries(golden.init)) params.set(k, tf.variable(tf.tensor(v.values, v.shape, "float32"), true, `${tag}-${k}`));
  return { tf, params };
}

function gradients(tf: typeof tfc, values: Values): Map<string, tfc.Tensor> {
  const grads = new Map<string, tfc.Tensor>();
  for (const [k, v] of Object.entries(values)) grads.set(k, tf.tensor(v, golden.init[k]!.shape, "float32"));
  return grads;
}

describe("weight-decay exclusion matches PyTorch's two parameter groups", () => {
  test("the rule spares what timm spares: 1-D parameters, Embedding weights, *token, *pos_embed*, *position_bias*", () => {
    const embeddings = new Set(golden.embeddingModules);
    const spared = Object.entries(golden.init)
      .filter(([name, v]) => excludedFromDecay(name, v.shape, embeddings))
      .map(([name]) => name);
    assert.deepEqual(spared, golden.excluded);
    assert.equal(excludedFromDecay("encoder.layers.0.mlp.0.weight", [3072, 768], embeddings), false);
    assert.equal(excludedFromDecay("features.1.0.layer_scale", [96, 1, 1], embeddings), false, "3-D layer scale decays, as in timm's rule");
    assert.equal(excludedFromDecay("weight", [10, 4], new Set([""])), true, "a model that is an Embedding");
  });

  for (const c of golden.decay) {
    test(c.name, async () => {
      const { tf, params } = await parameters(`decay-${c.name}`);
      const config = trainConfig({ ...BASE, optimizer: { name: c.optimizer, ...c.config, excludeFromDecay: true } }).optimizer;
      const opt = createOptimizer(tf, params, config, new Set(golden.embeddingModules));
      c.steps.forEach((expected, s) => {
        const grads = gradients(tf, golden.grads[s]!);
        opt.step(grads);
        for (const g of grads.values()) g.dispose();
        for (const [k, values] of Object.entries(expected)) close(params.get(k)!.dataSync(), values, `${c.name} step ${s + 1} ${k}`);
      });
      opt.dispose();
      for (const p of params.values()) p.dispose();
    });
  }

  test("without the option every parameter decays (PyTorch's default), so the excluded ones differ from the golden", async () => {
    const c = golden.decay[0]!;
    const { tf, params } = await parameters("decay-default");
    const config = trainConfig({ ...BASE, optimizer: { name: c.optimizer, ...c.config } }).optimizer;
    assert.equal(config.excludeFromDecay, false);
    const opt = createOptimizer(tf, params, config, new Set(golden.embeddingModules));
    const grads = gradients(tf, golden.grads[0]!);
    opt.step(grads);
    const bias = params.get("fc.bias")!.dataSync();
    const expected = c.steps[0]!["fc.bias"]!;
    assert.ok(
      expected.some((e, i) => Math.abs(bias[i]! - e) > 1e-6),
      "fc.bias decayed",
    );
    for (const g of grads.values()) g.dispose();
    opt.dispose();
    for (const p of params.values()) p.dispose();
  });
});

describe("warm-up + cosine matches SequentialLR(LinearLR, CosineAnnealingLR) stepped every batch", () => {
  for (const s of golden.schedules) {
    test(s.name, () => {
      const cfg = trainConfig({ ...BASE, schedule: s.config }).schedule;
      const sched = createSchedule(cfg, s.lr, s.epochs, s.stepsPerEpoch, "adamw");
      for (const e of s.sequence) {
        const h = sched.at(e.epoch, e.step);
        assert.ok(Math.abs(h.lr - e.lr) <= 1e-12 + 1e-9 * e.lr, `${s.name} step ${e.step}: lr ${h.lr} vs PyTorch ${e.lr}`);
        assert.equal(h.momentum, undefined);
      }
    });
  }
});

describe("gradient clipping matches torch.nn.utils.clip_grad_norm_", () => {
  for (const c of golden.clip) {
    test(`max_norm ${c.maxNorm}`, async () => {
      const { tf } = await testTf();
      const grads = gradients(tf, c.grads);
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const r = clipGradNorm(tf, grads, c.maxNorm);
        return { norm: r.totalNorm.dataSync()[0]!, values: Object.fromEntries([...r.grads].map(([k, g]) => [k, Array.from(g.dataSync())])) };
      });
      assert.equal(tf.memory().numTensors, before, "nothing leaks from the tidy");
      close([out.norm], [c.totalNorm], "total norm");
      for (const [k, v] of Object.entries(c.clipped)) close(out.values[k]!, v, `max_norm ${c.maxNorm} ${k}`);
      for (const g of grads.values()) g.dispose();
    });
  }

  test("AdamW with clipping at 0.7 and the decay exclusion, six steps (clip, then step, as both engines do)", async () => {
    const { tf, params } = await parameters("clipped-adamw");
    const config = trainConfig({ ...BASE, optimizer: { name: "adamw", ...golden.clippedAdamW.config } }).optimizer;
    const opt = createOptimizer(tf, params, config, new Set(golden.embeddingModules));
    golden.clippedAdamW.steps.forEach((expected, s) => {
      const grads = gradients(tf, golden.grads[s]!);
      tf.tidy(() => opt.step(clipGradNorm(tf, grads, config.clipGradNorm).grads));
      for (const g of grads.values()) g.dispose();
      for (const [k, values] of Object.entries(expected)) close(params.get(k)!.dataSync(), values, `step ${s + 1} ${k}`);
    });
    opt.dispose();
    for (const p of params.values()) p.dispose();
  });
});

describe("label smoothing matches nn.CrossEntropyLoss(label_smoothing)", () => {
  const ls = golden.labelSmoothing;
  for (const c of ls.cases) {
    test(`label_smoothing ${c.labelSmoothing}: loss and gradient`, async () => {
      const { tf } = await testTf();
      const z = tf.variable(tf.tensor(ls.logits, ls.shape, "float32"), true, `ls-test-${c.labelSmoothing}`);
      const { value, grads } = tf.variableGrads(() => crossEntropy(tf, z, Int32Array.from(ls.labels), c.labelSmoothing), [z]);
      close(value.dataSync(), [c.loss], "loss", 1e-6, 1e-6);
      close(grads[z.name]!.dataSync(), c.grad, "gradient", 1e-5, 1e-7);
      value.dispose();
      grads[z.name]!.dispose();
      z.dispose();
    });
  }
});
