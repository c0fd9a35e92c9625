import assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer } from "../../src/analyzer/index";
import type { FileAnalysis, ModelAnalysis } from "../../src/shared/analysis";
import { selectBackend } from "../../src/trainer/model/backend";
import { compileModel, CompileError } from "../../src/trainer/model/compile";
import type { TF } from "../../src/trainer/model/types";
import { ROOT } from "./helpers/golden";

/**
 * The model compiler beyond the PyTorch goldens: state_dict names and counts of the examples,
 * PyTorch's default initialisation (seeded), shared weights, custom leaf modules, frozen layers,
 * several inputs, dropout, feature maps, errors, and no leaked tensors.
 */

let tf: TF;
before(async () => {
  const sel = await selectBackend("wasm", { strict: true });
  assert.ok(sel.ok);
  tf = sel.tf;
});

const analyses = new Map<string, FileAnalysis>();
function model(file: string, name: string): ModelAnalysis {
  let a = analyses.get(file);
  if (!a) {
    a = new Analyzer().analyzeFile(path.join(ROOT, file));
    analyses.set(file, a);
  }
  const m = a.models.find((x) => x.name === name);
  assert.ok(m, `${file} has no model ${name}`);
  return m;
}

const MISC = "test/fixtures/trainer/misc.ts";

describe("state_dict of the examples", () => {
  const cases: [string, string, number, number][] = [
    ["examples/lenet5.ts", "lenet5", 10, 0],
    ["examples/simple-cnn.ts", "simpleCnn", 8, 0],
    ["examples/resnet.ts", "resnet18", 62, 60],
    ["examples/mobilenet-v2.ts", "mobilenetV2", 158, 156],
    ["examples/googlenet.ts", "googlenet", 173, 171],
    ["examples/efficientnet.ts", "efficientnetB0", 213, 147],
  ];
  for (const [file, name, nParams, nBuffers] of cases) {
    test(`${name}: ${nParams} parameters and ${nBuffers} buffers, as many values as the analysis counts`, () => {
      const m = model(file, name);
      const before = tf.memory().numTensors;
      const c = compileModel(tf, m, { seed: 1 });
      try {
        assert.equal(c.parameters.size, nParams);
        assert.equal(c.buffers.size, nBuffers);
        const count = (vs: Iterable<tfc.Variable>) => [...vs].reduce((a, v) => a + v.size, 0);
        assert.equal(count(c.parameters.values()), m.params);
        assert.equal(count(c.buffers.values()), m.buffers);
      } finally {
        c.dispose();
      }
      assert.equal(tf.memory().numTensors, before, "dispose frees every tensor");
    });
  }

  test("resnet18 names and order follow PyTorch's state_dict", () => {
    const c = compileModel(tf, model("examples/resnet.ts", "resnet18"), { seed: 1 });
    try {
      const names = [...c.parameters.keys()];
      assert.deepEqual(names.slice(0, 6), ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias"]);
      assert.deepEqual(names.slice(-2), ["fc.weight", "fc.bias"]);
      assert.ok(names.includes("layer2.0.downsample.0.weight") && names.includes("layer2.0.downsample.1.bias"));
      assert.deepEqual([...c.buffers.keys()].slice(0, 3), ["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"]);
      assert.deepEqual(c.parameters.get("conv1.weight")!.shape, [64, 3, 7, 7]);
      assert.deepEqual(c.parameters.get("fc.weight")!.shape, [1000, 512]);
      assert.equal(c.buffers.get("bn1.num_batches_tracked")!.dtype, "int32");
    } finally {
      c.dispose();
    }
  });
});

describe("PyTorch's default initialisation", () => {
  test("Conv2d/Linear: U(−1/√fan_in, 1/√fan_in) for weights and biases; BatchNorm: 1, 0, 0, 1, 0", () => {
    const c = compileModel(tf, model("examples/resnet.ts", "resnet18"), { seed: 7 });
    try {
      const check = (name: string, fanIn: number) => {
        const v = c.parameters.get(name)!.dataSync();
        const bound = 1 / Math.sqrt(fanIn);
        let max = 0;
        let sq = 0;
        let sum = 0;
        for (const x of v) {
          max = Math.max(max, Math.abs(x));
          sq += x * x;
          sum += x;
        }
        const std = Math.sqrt(sq / v.length);
        assert.ok(max <= bound && max > 0.95 * bound, `${name}: max |w| ${max} vs bound ${bound}`);
        if (v.length > 1000) {
          assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.03 * bound, `${name}: std ${std} vs ${bound / Math.sqrt(3)}`);
          assert.ok(Math.abs(sum / v.length) < 0.03 * bound, `${name}: mean ${sum / v.length}`);
        }
      };
      check("conv1.weight", 3 * 7 * 7);
      check("layer3.1.conv2.weight", 256 * 3 * 3);
      check("fc.weight", 512);
      check("fc.bias", 512);
      const values = (n: string) => [...(c.parameters.get(n) ?? c.buffers.get(n))!.dataSync()];
      assert.ok(values("bn1.weight").every((x) => x === 1));
      assert.ok(values("bn1.bias").every((x) => x === 0));
      assert.ok(values("bn1.running_mean").every((x) => x === 0));
      assert.ok(values("bn1.running_var").every((x) => x === 1));
      assert.deepEqual(values("bn1.num_batches_tracked"), [0]);
    } finally {
      c.dispose();
    }
  });

  test("seeded: the same seed gives the same weights, another seed others", () => {
    const m = model("examples/lenet5.ts", "lenet5");
    const [a, b, c] = [1, 1, 2].map((seed) => compileModel(tf, m, { seed }));
    try {
      const w = (x: typeof a) => [...x!.parameters.get("7.weight")!.dataSync()];
      assert.deepEqual(w(a), w(b));
      assert.notDeepEqual(w(a), w(c));
    } finally {
      [a, b, c].forEach((x) => x!.dispose());
    }
  });

  test("ConvTranspose2d fan_in is out_channels/groups · kernel area (PyTorch's weight.size(1))", () => {
    const c = compileModel(tf, model("test/fixtures/trainer/zoo.ts", "convZoo"), { seed: 3 });
    try {
      const max = (n: string) => Math.max(...[...c.parameters.get(n)!.dataSync()].map(Math.abs));
      assert.deepEqual(c.parameters.get("6.weight")!.shape, [12, 4, 3, 3]);
      assert.ok(max("6.weight") <= 1 / Math.sqrt(4 * 9) && max("6.weight") > 0.9 / Math.sqrt(4 * 9));
      assert.deepEqual(c.parameters.get("8.weight")!.shape, [4, 2, 3, 3]);
      assert.ok(max("8.weight") <= 1 / Math.sqrt(2 * 9));
    } finally {
      c.dispose();
    }
  });
});

describe("graph features", () => {
  test("a module called twice shares its weights; its gradient sums both calls; custom leaves keep their operations", () => {
    const c = compileModel(tf, model(MISC, "shared"), { seed: 5 });
    try {
      assert.deepEqual([...c.parameters.keys()], ["fc.weight", "fc.bias", "head.weight", "head.bias"]);
      const x = tf.tensor2d([
        [0.5, -1, 2, 0.1, -0.3, 1.5],
        [1, 2, -1, 0, 0.7, -2],
      ]);
      const [w1, b1, w2, b2] = [...c.parameters.values()] as tfc.Tensor[];
      const manual = (fw: tfc.Tensor, fb: tfc.Tensor, hw: tfc.Tensor, hb: tfc.Tensor) => {
        const fc = (t: tfc.Tensor) => tf.add(tf.matMul(t as tfc.Tensor2D, fw as tfc.Tensor2D, false, true), fb);
        return tf.add(tf.matMul(tf.mul(fc(tf.relu(fc(x))), 2) as tfc.Tensor2D, hw as tfc.Tensor2D, false, true), hb);
      };
      tf.tidy(() => {
        assert.deepEqual([...c.apply([x], false).dataSync()], [...manual(w1!, b1!, w2!, b2!).dataSync()]);
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(c.apply([x], true))) as tfc.Scalar, [...c.parameters.values()]);
        const expected = tf.grads((a: tfc.Tensor, b: tfc.Tensor, d: tfc.Tensor, e: tfc.Tensor) => tf.sum(tf.square(manual(a, b, d, e))))([w1!, b1!, w2!, b2!]);
        [...c.parameters.values()].forEach((v, i) => {
          const got = grads[v.name]!.dataSync();
          const want = expected[i]!.dataSync();
          got.forEach((g, j) => assert.ok(Math.abs(g - want[j]!) <= 1e-5 * Math.max(1, Math.abs(want[j]!)), `gradient ${v.name}[${j}]`));
        });
      });
    } finally {
      c.dispose();
    }
  });

  test("frozen layers (requiresGrad_(false)) are state_dict entries that are not trainable", () => {
    const c = compileModel(tf, model(MISC, "frozen"), { seed: 5 });
    try {
      const trainable = [...c.parameters].filter(([, v]) => v.trainable).map(([n]) => n);
      assert.deepEqual(trainable, ["head.weight", "head.bias"]);
      assert.deepEqual([...c.parameters.keys()], ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "head.weight", "head.bias"]);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(c.apply([tf.ones([2, 3, 5, 5])], true)) as tfc.Scalar, [...c.parameters.values()]);
        // tfjs reports the non-trainable variables of an explicit list with null gradients.
        assert.deepEqual(Object.values(grads).filter((g) => g !== null).length, 2);
      });
    } finally {
      c.dispose();
    }
  });

  test("several inputs, checked against the @input shapes", () => {
    const c = compileModel(tf, model(MISC, "twoInputs"), { seed: 5 });
    try {
      tf.tidy(() => {
        assert.deepEqual(c.apply([tf.ones([3, 3]), tf.ones([3, 5])], false).shape, [3, 8]);
        assert.throws(() => c.apply([tf.ones([3, 3])], false), /takes 2 inputs, got 1/);
        assert.throws(() => c.apply([tf.ones([3, 4]), tf.ones([3, 5])], false), /input 1 should be \[N, 3\], got \[3, 4\]/);
      });
    } finally {
      c.dispose();
    }
  });

  test("dropout: inverted scaling in training, per-channel masks for Dropout2d, identity in evaluation", () => {
    const c = compileModel(tf, model(MISC, "dropouts"), { seed: 11 });
    try {
      tf.tidy(() => {
        const x = tf.ones([8, 16, 6, 6]);
        assert.ok([...c.apply([x], false).dataSync()].every((v) => v === 1));
        const y = c.apply([x], true).dataSync();
        // Dropout2d keeps a channel with probability 0.75 (×4/3), then Dropout keeps 0.5 (×2).
        const kept = [...y].filter((v) => v !== 0);
        assert.ok(
          kept.every((v) => Math.abs(v - 8 / 3) < 1e-5),
          "survivors are scaled by 1/(1 − p) twice",
        );
        const fraction = kept.length / y.length;
        assert.ok(Math.abs(fraction - 0.375) < 0.03, `kept fraction ${fraction}, expected 0.375`);
        // A channel dropped by Dropout2d is zero at all 36 positions.
        let zeroChannels = 0;
        for (let ch = 0; ch < 8 * 16; ch++) if (y.slice(ch * 36, ch * 36 + 36).every((v) => v === 0)) zeroChannels++;
        assert.ok(Math.abs(zeroChannels / 128 - 0.25) < 0.12, `dropped channels ${zeroChannels}/128`);
        const again = c.apply([x], true).dataSync();
        assert.notDeepEqual([...again], [...y], "each training call draws new masks");
      });
    } finally {
      c.dispose();
    }
  });

  test("activations: NCHW feature maps of graph nodes, as the analysis shapes them", () => {
    const m = model("examples/simple-cnn.ts", "simpleCnn");
    const c = compileModel(tf, m, { seed: 2 });
    const start = tf.memory().numTensors;
    try {
      const x = tf.randomNormal([2, 3, 32, 32], 0, 1, "float32", 1);
      const ids = m.graph.filter((n) => n.kind !== "input").map((n) => n.id);
      const acts = c.activations([x], ids);
      for (const id of ids) {
        const node = m.graph[id]!;
        assert.deepEqual(
          acts.get(id)!.shape,
          node.output.map((d) => (typeof d === "number" ? d : 2)),
          `${node.label} shape`,
        );
      }
      // The first convolution, computed by hand in NCHW terms.
      const conv = m.graph.find((n) => n.type === "Conv2d")!;
      const manual = tf.tidy(() => {
        const w = tf.transpose(c.parameters.get("features.0.weight")!, [2, 3, 1, 0]) as tfc.Tensor4D;
        const y = tf.add(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tfc.Tensor4D, w, 1, 1), c.parameters.get("features.0.bias")!);
        return tf.transpose(y, [0, 3, 1, 2]);
      });
      const got = acts.get(conv.id)!.dataSync();
      manual.dataSync().forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-4));
      const out = m.graph.find((n) => n.kind === "output")!;
      const applied = c.apply([x], false);
      assert.deepEqual([...acts.get(out.id)!.dataSync()], [...applied.dataSync()]);
      tf.dispose([x, manual, applied, ...acts.values()]);
      assert.equal(tf.memory().numTensors, start);
    } finally {
      c.dispose();
    }
  });

  test("training steps leak no tensors", () => {
    const c = compileModel(tf, model("test/fixtures/trainer/blocks.ts", "inception"), { seed: 2 });
    try {
      const x = tf.randomNormal([2, 8, 8, 8]);
      const start = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        tf.tidy(() => {
          tf.variableGrads(() => tf.sum(c.apply([x], true)) as tfc.Scalar, [...c.parameters.values()]);
        });
        tf.tidy(() => {
          c.apply([x], false);
        });
      }
      assert.equal(tf.memory().numTensors, start);
      assert.deepEqual([...c.buffers.get("branch1.bn.num_batches_tracked")!.dataSync()], [3]);
      x.dispose();
    } finally {
      c.dispose();
    }
  });
});

test("SGD on the compiled LeNet-5 lowers the loss (gradients point downhill)", () => {
  const c = compileModel(tf, model("examples/lenet5.ts", "lenet5"), { seed: 4 });
  try {
    const x = tf.randomNormal([16, 1, 32, 32], 0, 1, "float32", 3);
    const labels = tf.oneHot(
      tf.tensor1d(
        [...Array(16).keys()].map((i) => i % 10),
        "int32",
      ),
      10,
    );
    const loss = () => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(c.apply([x], true)), labels), 1))) as tfc.Scalar;
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, [...c.parameters.values()]);
        losses.push(value.dataSync()[0]!);
        for (const v of c.parameters.values()) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)));
      });
    }
    assert.ok(losses[29]! < 0.95 * losses[0]! && losses.every((l, i) => i === 0 || l < losses[0]!), `loss ${losses[0]} → ${losses[29]}`);
    tf.dispose([x, labels]);
  } finally {
    c.dispose();
  }
});

describe("errors", () => {
  test("a model whose analysis stopped at an error is refused", () => {
    const m = { ...model("examples/lenet5.ts", "lenet5"), output: null };
    assert.throws(() => compileModel(tf, m, { seed: 1 }), CompileError);
  });

  test("an unsupported operation names the node", () => {
    const m = model("examples/lenet5.ts", "lenet5");
    const broken: ModelAnalysis = {
      ...m,
      graph: m.graph.map((n) => (n.kind === "op" ? n : n.type === "Tanh" ? { ...n, kind: "op", label: "erfinv", type: "erfinv" } : n)),
    };
    assert.throws(() => compileModel(tf, broken, { seed: 1 }), /erfinv.*not supported/);
  });

  test("Upsample modes tfjs cannot do exactly (bicubic) are refused at compile time", () => {
    const m = model("test/fixtures/trainer/zoo.ts", "opsZoo");
    const broken: ModelAnalysis = { ...m, graph: m.graph.map((n) => (n.type === "Upsample" ? { ...n, attrs: { ...n.attrs, mode: "bicubic" } } : n)) };
    assert.throws(() => compileModel(tf, broken, { seed: 1 }), /bicubic/);
  });
});
