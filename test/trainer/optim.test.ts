import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { trainConfig, type OptimizerName, type ScheduleName } from "../../src/shared/training";
import { countCorrect, crossEntropy } from "../../src/trainer/train/loss";
import { createOptimizer } from "../../src/trainer/train/optimizers";
import { createSchedule } from "../../src/trainer/train/schedules";
import { ROOT, testTf } from "./helpers/env";

/** PyTorch goldens: scripts/golden/trainer_optim.py → test/golden/trainer-optim/optim.json. */

interface Golden {
  init: Record<string, { shape: number[]; values: number[] }>;
  grads: Record<string, number[]>[];
  optimizers: {
    name: string;
    optimizer: OptimizerName;
    config: { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number; betas?: [number, number]; eps?: number };
    lrs: number[] | null;
    momenta: number[] | null;
    steps: Record<string, number[]>[];
  }[];
  schedules: {
    name: string;
    optimizer: OptimizerName;
    config: { name: ScheduleName; stepSize?: number; gamma?: number; minLr?: number };
    lr: number;
    epochs: number;
    stepsPerEpoch: number;
    sequence: { epoch: number; step: number; lr: number; momentum: number }[];
  }[];
  crossEntropy: { logits: number[]; shape: [number, number]; labels: number[]; loss: number; grad: number[] };
}

const golden = JSON.parse(fs.readFileSync(path.join(ROOT, "test/golden/trainer-optim/optim.json"), "utf8")) as Golden;

function close(actual: ArrayLike<number>, expected: readonly number[], what: string, rel = 2e-5, abs = 2e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= abs + rel * Math.abs(e), `${what}[${i}]: ${a} vs PyTorch ${e} (diff ${Math.abs(a - e)})`);
  }
}

describe("optimisers match PyTorch", () => {
  for (const c of golden.optimizers) {
    test(c.name, async () => {
      const { tf } = await testTf();
      const params = new Map<string, tfc.Variable>();
      for (const [k, v] of Object.entries(golden.init)) params.set(k, tf.variable(tf.tensor(v.values, v.shape, "float32"), true, `optim-test-${c.name}-${k}`));
      const base = trainConfig({
        file: "x",
        model: "m",
        dataset: { kind: "mnist-sample" },
        runsDir: "r",
        optimizer: { name: c.optimizer, ...c.config },
      }).optimizer;
      const opt = createOptimizer(tf, params, base);
      const before = tf.memory().numTensors;
      c.steps.forEach((expected, s) => {
        if (c.lrs) opt.lr = c.lrs[s]!;
        if (c.momenta) opt.momentum = c.momenta[s]!;
        const grads = new Map<string, tfc.Tensor>();
        for (const [k, v] of Object.entries(golden.grads[s]!)) grads.set(k, tf.tensor(v, golden.init[k]!.shape, "float32"));
        opt.step(grads);
        for (const g of grads.values()) g.dispose();
        for (const [k, values] of Object.entries(expected)) close(params.get(k)!.dataSync(), values, `${c.name} step ${s + 1} ${k}`);
      });
      // state slots are created once; the steps leak nothing
      assert.ok(tf.memory().numTensors - before <= 2 * params.size, `tensors leaked: ${tf.memory().numTensors - before}`);
      // the state round-trips
      const state = opt.state();
      const again = createOptimizer(tf, params, base);
      assert.equal(again.load(state), null);
      assert.deepEqual(again.state().scalars, state.scalars);
      opt.dispose();
      again.dispose();
      for (const p of params.values()) p.dispose();
    });
  }

  test("a state that does not fit the parameters is refused with the sizes", async () => {
    const { tf } = await testTf();
    const params = new Map([["w", tf.variable(tf.zeros([2, 2]), true, "optim-test-misfit")]]);
    const opt = createOptimizer(
      tf,
      params,
      trainConfig({ file: "x", model: "m", dataset: { kind: "mnist-sample" }, runsDir: "r", optimizer: { name: "adam" } }).optimizer,
    );
    const err = opt.load({ scalars: { lr: 0.001, beta1: 0.9, step: 3 }, tensors: new Map([["w.exp_avg", { shape: [3], data: new Float32Array(3) }]]) });
    assert.match(err ?? "", /w\.exp_avg has 3 values but parameter w has 4/);
    assert.match(opt.load({ scalars: {}, tensors: new Map() }) ?? "", /needs lr, beta1 and step/);
    opt.dispose();
    params.get("w")!.dispose();
  });
});

describe("schedules match PyTorch", () => {
  for (const s of golden.schedules) {
    test(s.name, () => {
      const cfg = trainConfig({ file: "x", model: "m", dataset: { kind: "mnist-sample" }, runsDir: "r", schedule: s.config }).schedule;
      const sched = createSchedule(cfg, s.lr, s.epochs, s.stepsPerEpoch, s.optimizer);
      for (const e of s.sequence) {
        const h = sched.at(e.epoch, e.step);
        assert.ok(Math.abs(h.lr - e.lr) <= 1e-12 + 1e-9 * e.lr, `${s.name} step ${e.step}: lr ${h.lr} vs PyTorch ${e.lr}`);
        if (s.config.name === "onecycle")
          assert.ok(Math.abs(h.momentum! - e.momentum) <= 1e-12, `${s.name} step ${e.step}: momentum ${h.momentum} vs PyTorch ${e.momentum}`);
        else assert.equal(h.momentum, undefined);
      }
    });
  }
});

describe("loss and accuracy", () => {
  test("cross-entropy and its gradient match PyTorch", async () => {
    const { tf } = await testTf();
    const ce = golden.crossEntropy;
    const z = tf.variable(tf.tensor(ce.logits, ce.shape, "float32"), true, "ce-test-logits");
    const { value, grads } = tf.variableGrads(() => crossEntropy(tf, z, Int32Array.from(ce.labels)), [z]);
    close(value.dataSync(), [ce.loss], "loss", 1e-6, 1e-6);
    close(grads[z.name]!.dataSync(), ce.grad, "gradient", 1e-5, 1e-7);
    value.dispose();
    grads[z.name]!.dispose();
    z.dispose();
  });

  test("top-1 and top-5 counts, ties resolved like argmax", () => {
    // 3 samples, 6 classes
    const logits = Float32Array.from([
      0.1,
      0.9,
      0.3,
      0.2,
      0.0,
      0.5, // label 1: top-1
      1,
      1,
      0,
      0,
      0,
      0, // label 1 ties with 0: argmax says 0, so not top-1, but top-5
      6,
      5,
      4,
      3,
      2,
      1, // label 5: rank 5, not in the top 5
    ]);
    assert.deepEqual(countCorrect(logits, 3, 6, Int32Array.from([1, 1, 5]), 5), { top1: 1, topK: 2 });
  });
});
