import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { trainConfig, type OptimizerName, type ScheduleName } from "../../src/shared/training";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, ROOT, tempDir } from "./helpers/env";

/**
 * The MNIST transformers (examples/vit-mnist.ts vitMnist, examples/convnext-mnist.ts
 * convnextMnist) trained on the bundled mnist-sample (8,000 training digits, as LeNet-5 in
 * accuracy.test.ts) reach PyTorch's held-out accuracy within 1.5 percentage points: PyTorch trained
 * the same models (torchvision's classes, same initial values) with the same data, optimiser,
 * one-cycle schedule, epochs and batch size, for three seeds
 * (scripts/golden/transformer_accuracy.py → test/golden/trainer-optim/transformerAccuracy.json).
 * The recipe is short enough for the default test run: each training takes about two minutes of
 * one core in TensorFlow.js's wasm backend.
 */

interface Recipe {
  model: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  weightDecay: number;
  schedule: ScheduleName;
}

interface Reference {
  models: Record<string, { recipe: Recipe; runs: { seed: number; valAccuracy: number }[]; meanValAccuracy: number }>;
}

const reference = JSON.parse(fs.readFileSync(path.join(ROOT, "test/golden/trainer-optim/transformerAccuracy.json"), "utf8")) as Reference;

const files: Record<string, string> = { vitMnist: "vit-mnist.ts", convnextMnist: "convnext-mnist.ts" };

/** The accuracy PyTorch reaches with both models (the run here must come within 1.5 points of it): above it, runs of different seeds agree to about a point. */
const FLOOR = 0.9;

test(`the PyTorch reference covers both MNIST transformers, each above ${100 * FLOOR}%`, () => {
  assert.deepEqual(Object.keys(reference.models).sort(), Object.keys(files).sort());
  for (const [name, r] of Object.entries(reference.models)) {
    assert.equal(r.runs.length, 3, name);
    assert.ok(r.meanValAccuracy > FLOOR, `${name}: ${r.meanValAccuracy}`);
  }
});

for (const [name, file] of Object.entries(files)) {
  test(`${name} on mnist-sample: within 1.5 points of PyTorch`, { timeout: 900_000 }, async () => {
    const ref = reference.models[name];
    assert.ok(ref, `no PyTorch reference for ${name}`);
    const r = ref.recipe;
    const events = collect();
    const session = new TfjsEngine(deps(), events.emit);
    await session.handle({
      type: "start",
      config: trainConfig({
        file: path.join(EXAMPLES, file),
        model: r.model,
        dataset: { kind: "mnist-sample" },
        runsDir: tempDir(),
        epochs: r.epochs,
        batchSize: r.batchSize,
        seed: 0,
        optimizer: { name: r.optimizer, lr: r.lr, weightDecay: r.weightDecay },
        schedule: { name: r.schedule },
      }),
    });
    session.dispose();
    assert.deepEqual(events.of("error"), []);
    const ours = events.of("completed")[0]!.final!.valAccuracy;
    const torch = ref.meanValAccuracy;
    const line = `CNN Studio ${(100 * ours).toFixed(2)}%, PyTorch ${(100 * torch).toFixed(2)}% (seeds ${ref.runs
      .map((x) => (100 * x.valAccuracy).toFixed(2))
      .join(", ")})`;
    assert.ok(Math.abs(ours - torch) <= 0.015, `within 1.5 points of PyTorch: ${line}`);
    assert.equal(events.of("epochEnd").length, r.epochs);
  });
}
