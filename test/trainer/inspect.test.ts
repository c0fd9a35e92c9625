import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { ModelAnalysis, WindowField } from "../../src/shared/analysis";
import { trainConfig, type InspectKind, type InspectQuery, type InspectResultOf } from "../../src/shared/training";
import type { InputSpec } from "../../src/shared/webview/common";
import { TrainerClient } from "../../src/trainer/trainerClient";
import { Inspector } from "../../src/trainer/inspect";
import { compileModel } from "../../src/trainer/model/compile";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, smallMnistIdx, tempDir, testTf, TRAINER } from "./helpers/env";

/**
 * The Inspector (src/trainer/inspect.ts): feature maps, input gradients, initial weights and the
 * dataset for the panels, in-process and through the trainer process.
 */

const FILE = path.join(EXAMPLES, "lenet5.ts");
const MODEL = "lenet5Mnist";
const analysis: ModelAnalysis = new Analyzer().analyzeFile(FILE).models.find((m) => m.name === MODEL)!;
const nodeOf = (label: string) => analysis.graph.find((n) => n.label === label)!;
const CONV1 = nodeOf("features.0");
const CONV2 = nodeOf("features.3");
const LOGITS = nodeOf("classifier.4");
const spatial = analysis.graph.filter((n) => n.kind !== "output" && n.output.length === 4);

const inspector = new Inspector(deps());
let checkpoint = "";
let session: TfjsEngine;
const events = collect();

async function ask<K extends InspectKind>(q: Extract<InspectQuery, { kind: K }>): Promise<InspectResultOf<K>> {
  const r = await inspector.inspect(q);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.equal(r.value.kind, q.kind);
  return r.value as InspectResultOf<K>;
}

async function refused(q: InspectQuery): Promise<string> {
  const r = await inspector.inspect(q);
  assert.ok(!r.ok, `${q.kind} should be refused`);
  return r.error;
}

const sample = (index: number, split: "train" | "validation" = "validation"): InputSpec => ({ kind: "sample", split, index });

/** A drawn "1": a vertical stroke, values in [0, 1]. */
function drawing(size = 28): InputSpec {
  const data = new Float32Array(size * size);
  for (let y = 5; y < size - 5; y++) for (let x = 12; x < 16; x++) data[y * size + x] = x === 12 || x === 15 ? 0.5 : 1;
  return { kind: "pixels", source: "drawing", name: "drawing", tensor: { shape: [1, size, size], data } };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

before(async () => {
  // a short real run (1 epoch of 320 images): its checkpoint, and the loop's own feature maps to compare with
  session = new TfjsEngine(deps(), events.emit);
  await session.handle({
    type: "start",
    config: trainConfig({
      file: FILE,
      model: MODEL,
      dataset: { kind: "idx", dir: smallMnistIdx(320, 100) },
      runsDir: tempDir(),
      epochs: 1,
      batchSize: 32,
      seed: 3,
      optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
    }),
  });
  assert.equal(events.of("completed").length, 1, JSON.stringify(events.of("error")));
  checkpoint = events.of("checkpoint").at(-1)!.path;
});

after(() => {
  session.dispose();
  inspector.dispose();
});

describe("Inspector in-process (LeNet-5)", { timeout: 120_000 }, () => {
  test("untrained feature maps of a mnist-sample sample: every spatial node with the analysis' shape", async () => {
    const t0 = performance.now();
    const r = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(3), nodeIds: spatial.map((n) => n.id) });
    const cold = performance.now() - t0;
    const t1 = performance.now();
    await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(4), nodeIds: [CONV1.id] });
    console.log(
      `in-process featureMaps: first ${cold.toFixed(0)} ms (analysis, compile, mnist-sample; the backend is up), then ${(performance.now() - t1).toFixed(0)} ms`,
    );
    assert.deepEqual(r.input.shape, [1, 28, 28]);
    assert.ok(r.input.data.every((v) => v >= 0 && v <= 1) && r.input.data.some((v) => v > 0.5), "the input before normalisation, in [0, 1]");
    assert.ok(r.label !== null && r.label >= 0 && r.label < 10);
    assert.deepEqual(
      r.maps.map((m) => [m.nodeId, m.tensor.shape]),
      spatial.map((n) => [n.id, n.output.slice(1)]),
    );
    assert.ok(r.maps.every((m) => m.tensor.data instanceof Float32Array && m.tensor.data.length === m.tensor.shape.reduce((a, b) => a * b, 1)));
    const logits = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(3), nodeIds: [LOGITS.id] });
    assert.deepEqual(logits.maps[0]!.tensor.shape, [10, 1, 1], "a flat output as [C, 1, 1]");

    const ds = await ask({ kind: "dataset", file: FILE, model: MODEL, checkpoint: null });
    assert.deepEqual(ds.dataset, {
      name: "mnist-sample",
      channels: 1,
      height: 28,
      width: 28,
      classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      trainCount: 8000,
      validationCount: 2000,
    });
    const none = await ask({ kind: "dataset", file: FILE, model: "lenet5", checkpoint: null });
    assert.equal(none.dataset, null, "mnist-sample does not fit a 32×32 input");
  });

  test("a checkpoint's feature maps: its run's data, the trained weights, equal to the training loop's", async () => {
    const nodeIds = [CONV1.id, CONV2.id, LOGITS.id];
    const trained = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: sample(4), nodeIds });
    session.featureMaps(7, nodeIds, "validation", 4);
    const loop = events.of("featureMaps")[0]!;
    assert.equal(trained.label, loop.label);
    for (const [i, m] of trained.maps.entries()) {
      assert.deepEqual([1, ...m.tensor.shape].slice(0, loop.maps[i]!.shape.length), loop.maps[i]!.shape);
      assert.ok(maxAbsDiff(m.tensor.data, loop.maps[i]!.data) < 1e-5, `node ${m.nodeId} equals the loop's`);
    }
    const ds = await ask({ kind: "dataset", file: FILE, model: MODEL, checkpoint });
    assert.deepEqual([ds.dataset?.trainCount, ds.dataset?.validationCount], [320, 100], "the run's own (small) dataset");
    // the untrained model on the same sample differs; switching back and forth is exact
    const untrained = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(4), nodeIds });
    assert.ok(maxAbsDiff(untrained.maps[0]!.tensor.data, trained.maps[0]!.tensor.data) > 1e-3, "trained weights differ from the initial ones");
    const again = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: sample(4), nodeIds });
    assert.equal(maxAbsDiff(again.maps[2]!.tensor.data, trained.maps[2]!.tensor.data), 0);
  });

  test("pixels (a drawn digit) are normalised like the data and come back as given", async () => {
    const input = drawing();
    const r = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input, nodeIds: [CONV1.id, LOGITS.id] });
    assert.equal(r.label, null);
    assert.deepEqual([...r.input.data], [...(input as Extract<InputSpec, { kind: "pixels" }>).tensor.data]);
    assert.deepEqual(
      r.maps.map((m) => m.tensor.shape),
      [
        [6, 24, 24],
        [10, 1, 1],
      ],
    );
    assert.ok(r.maps[1]!.tensor.data.every(Number.isFinite));
    // a blank corner of the drawing: conv1 sees only the normalised background there (bias + weights × (0 − mean)/std), not 0
    const blank = await ask({
      kind: "featureMaps",
      file: FILE,
      model: MODEL,
      checkpoint: null,
      input: { ...input, tensor: { shape: [1, 28, 28], data: new Float32Array(784) } } as InputSpec,
      nodeIds: [CONV1.id],
    });
    const zero = await ask({ kind: "initialWeights", file: FILE, model: MODEL, parameter: "features.0.bias" });
    assert.notEqual(blank.maps[0]!.tensor.data[0], zero.weight.data[0], "a black input is normalised (mnist-sample's mean is not 0)");
  });

  test("the input gradient of a conv2 unit is non-zero exactly inside its theoretical receptive field", async () => {
    const rf = CONV2.receptiveField! as WindowField;
    assert.deepEqual(rf, { size: [14, 14], jump: [2, 2], start: [6.5, 6.5] });
    for (const [checkpointOf, unit] of [
      [null, { channel: null, y: 1, x: 2 }],
      [checkpoint, { channel: 5, y: 4, x: 0 }],
    ] as const) {
      const r = await ask({ kind: "inputGradient", file: FILE, model: MODEL, checkpoint: checkpointOf, input: sample(1), nodeId: CONV2.id, unit });
      assert.deepEqual(r.gradient.shape, [1, 28, 28]);
      // the box as the receptive-field panel draws it (webview/receptiveField/field.ts unitBox)
      const cy = rf.start[0] + unit.y * rf.jump[0];
      const cx = rf.start[1] + unit.x * rf.jump[1];
      const top = cy - (rf.size[0] - 1) / 2;
      const left = cx - (rf.size[1] - 1) / 2;
      const [bottom, right] = [top + rf.size[0] - 1, left + rf.size[1] - 1];
      let inside = 0;
      let nonZeroInside = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const g = r.gradient.data[y * 28 + x]!;
          if (y >= top && y <= bottom && x >= left && x <= right) {
            inside++;
            if (g !== 0) nonZeroInside++;
          } else assert.equal(g, 0, `gradient at (${y}, ${x}) outside rows ${top}–${bottom}, columns ${left}–${right}`);
        }
      }
      assert.equal(inside, 14 * 14);
      assert.ok(nonZeroInside >= 0.95 * inside, `${nonZeroInside} of ${inside} non-zero inside`);
      assert.notEqual(r.gradient.data[Math.floor(cy) * 28 + Math.floor(cx)], 0, "the centre");
    }
  });

  test("initial weights: the freshly compiled model's parameter (seed 0), PyTorch layout", async () => {
    const { tf } = await testTf();
    const compiled = compileModel(tf, analysis, { seed: 0 });
    try {
      for (const name of ["features.0.weight", "classifier.0.weight", "classifier.4.bias"]) {
        const r = await ask({ kind: "initialWeights", file: FILE, model: MODEL, parameter: name });
        const v = compiled.parameters.get(name)!;
        assert.deepEqual(r.weight.shape, v.shape);
        assert.deepEqual([...r.weight.data], [...(v.dataSync() as Float32Array)]);
      }
      assert.deepEqual((await ask({ kind: "initialWeights", file: FILE, model: MODEL, parameter: "features.3.weight" })).weight.shape, [16, 6, 5, 5]);
    } finally {
      compiled.dispose();
    }
  });

  test("bad queries are refused with messages that name the values", async () => {
    const base = { file: FILE, model: MODEL, checkpoint: null };
    const fm = { ...base, kind: "featureMaps" as const, input: sample(0), nodeIds: [CONV1.id] };
    const cases: [InspectQuery, RegExp][] = [
      [{ ...fm, model: "lenet7" }, /lenet5\.ts has no model 'lenet7' \(models: lenet5, lenet5Mnist\)/],
      [{ ...fm, file: path.join(EXAMPLES, "nope.ts") }, /cannot read the model file .*nope\.ts/],
      [{ ...fm, nodeIds: [CONV1.id, 99] }, /lenet5Mnist has no graph node 99 \(its nodes are 0 to \d+\)/],
      [{ ...fm, input: sample(2000) }, /sample 2000 is out of range: the validation split of mnist-sample has 2000 images \(0 to 1999\)/],
      [{ ...fm, checkpoint, input: sample(100) }, /sample 100 is out of range: the validation split of idx:.* has 100 images/],
      [{ ...fm, input: drawing(32) }, /the input "drawing" is \[1, 32, 32\] but lenet5Mnist takes \[C, H, W\] = \[1, 28, 28\]/],
      [{ ...fm, model: "lenet5", input: sample(0) }, /no samples to show: mnist-sample: images are 28×28 but the model's @input expects 32×32/],
      [{ ...fm, checkpoint: path.join(tempDir(), "checkpoints", "e0001-s000001.json") }, /unreadable checkpoint index/],
      [
        { ...base, kind: "inputGradient", input: sample(0), nodeId: CONV2.id, unit: { channel: 16, y: 0, x: 0 } },
        /channel 16 is out of range: features\.3 \(graph node \d+\) has 16 channels \(0 to 15\)/,
      ],
      [
        { ...base, kind: "inputGradient", input: sample(0), nodeId: CONV2.id, unit: { channel: null, y: 8, x: 1 } },
        /unit \(y 8, x 1\) is out of range: features\.3 \(graph node \d+\) outputs 8×8 \(y 0 to 7, x 0 to 7\)/,
      ],
      [
        { file: FILE, model: MODEL, kind: "initialWeights", parameter: "features.1.weight" },
        /lenet5Mnist has no parameter "features\.1\.weight" \(its parameters: features\.0\.weight, features\.0\.bias/,
      ],
    ];
    for (const [q, re] of cases) assert.match(await refused(q), re);
    // a checkpoint of another model
    const other = await refused({ ...fm, model: "lenet5", input: drawing(32), checkpoint });
    assert.match(
      other,
      /the checkpoint does not fit lenet5 as the file defines it now: .*e0001-s000010\.safetensors has no tensor 0\.weight \(the model changed since the checkpoint\?\)/,
    );
    // and the inspector still works
    assert.equal((await ask({ ...fm })).maps.length, 1);
  });

  test("the editor's unsaved text is what is computed (its node ids are the editor's), the file on disk again without it", async () => {
    const text = fs.readFileSync(FILE, "utf8");
    const edited = text.replace(
      "      nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),\n      nn.Conv2d(6, 16, 5)",
      "      nn.Conv2d(1, 8, 5), nn.Tanh(), nn.AvgPool2d(2),\n      nn.Conv2d(8, 16, 5)",
    );
    assert.notEqual(edited, text);
    const q: Extract<InspectQuery, { kind: "featureMaps" }> = {
      kind: "featureMaps",
      file: FILE,
      model: MODEL,
      checkpoint: null,
      input: sample(0),
      nodeIds: [CONV1.id],
    };
    assert.deepEqual((await ask({ ...q, text: edited })).maps[0]!.tensor.shape, [8, 24, 24]);
    assert.deepEqual((await ask(q)).maps[0]!.tensor.shape, [6, 24, 24]);
    assert.match(await refused({ ...q, text: "export const x = ;" }), /has no model 'lenet5Mnist'/);
  });

  test("no tensors leak across queries", async () => {
    const { tf } = await testTf();
    const queries: InspectQuery[] = [
      { kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: sample(2), nodeIds: [CONV1.id, LOGITS.id] },
      { kind: "inputGradient", file: FILE, model: MODEL, checkpoint: null, input: drawing(), nodeId: CONV2.id, unit: { channel: 1, y: 2, x: 2 } },
      { kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(2), nodeIds: [99] },
    ];
    for (const q of queries) await inspector.inspect(q);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) for (const q of queries) await inspector.inspect(q);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("Inspector in the trainer process", { timeout: 120_000 }, () => {
  test("inspect round trip: Float32Arrays intact, errors as request errors, a run's process answers too", async () => {
    const client = new TrainerClient({ trainerPath: TRAINER });
    try {
      const t0 = performance.now();
      const r = await client.inspect({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: drawing(), nodeIds: [CONV1.id, CONV2.id] });
      const cold = performance.now() - t0;
      const t1 = performance.now();
      await client.inspect({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: sample(5), nodeIds: [CONV1.id] });
      console.log(`trainer process featureMaps: cold ${cold.toFixed(0)} ms (process start included), warm ${(performance.now() - t1).toFixed(0)} ms`);
      assert.ok(r.input.data instanceof Float32Array && r.maps.every((m) => m.tensor.data instanceof Float32Array));
      assert.deepEqual(
        r.maps.map((m) => m.tensor.shape),
        [
          [6, 24, 24],
          [16, 8, 8],
        ],
      );
      const local = await ask({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint, input: drawing(), nodeIds: [CONV1.id, CONV2.id] });
      assert.ok(maxAbsDiff(local.maps[1]!.tensor.data, r.maps[1]!.tensor.data) < 1e-5);
      const g = await client.inspect({
        kind: "inputGradient",
        file: FILE,
        model: MODEL,
        checkpoint: null,
        input: sample(0),
        nodeId: CONV2.id,
        unit: { channel: 0, y: 3, x: 3 },
      });
      assert.ok(g.gradient.data instanceof Float32Array && g.gradient.data.some((v) => v !== 0));
      await assert.rejects(
        client.inspect({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: sample(0), nodeIds: [500] }),
        /has no graph node 500/,
      );
      assert.equal((await client.ping()).state, "idle", "no run: the process just answers");
    } finally {
      await client.shutdown();
    }
  });
});
