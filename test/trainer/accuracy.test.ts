import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { trainConfig } from "../../src/shared/training";
import { TfjsEngine } from "../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, EXAMPLES, ROOT, tempDir } from "./helpers/env";

/**
 * LeNet-5 on the bundled mnist-sample reaches at least 97% held-out accuracy, within one
 * percentage point of PyTorch trained with the same data, optimiser, schedule, epochs and batch
 * size (scripts/golden/trainer_accuracy.py → test/golden/trainer-optim/accuracy.json).
 */

interface Reference {
  recipe: { model: string; epochs: number; batchSize: number; optimizer: "sgd"; lr: number; momentum: number; nesterov: boolean; schedule: "onecycle" };
  runs: { seed: number; valAccuracy: number }[];
  meanValAccuracy: number;
}

const reference = JSON.parse(fs.readFileSync(path.join(ROOT, "test/golden/trainer-optim/accuracy.json"), "utf8")) as Reference;

test("LeNet-5 on mnist-sample: ≥ 97% and within 1 point of PyTorch", { timeout: 600_000 }, async () => {
  const r = reference.recipe;
  const events = collect();
  const session = new TfjsEngine(deps(), events.emit);
  await session.handle({
    type: "start",
    config: trainConfig({
      file: path.join(EXAMPLES, "lenet5.ts"),
      model: r.model,
      dataset: { kind: "mnist-sample" },
      runsDir: tempDir(),
      epochs: r.epochs,
      batchSize: r.batchSize,
      seed: 0,
      optimizer: { name: r.optimizer, lr: r.lr, momentum: r.momentum, nesterov: r.nesterov },
      schedule: { name: r.schedule },
    }),
  });
  session.dispose();
  assert.deepEqual(events.of("error"), []);
  const final = events.of("completed")[0]!.final!;
  const ours = final.valAccuracy;
  const torch = reference.meanValAccuracy;
  const line = `CNN Studio ${(100 * ours).toFixed(2)}%, PyTorch ${(100 * torch).toFixed(2)}% (seeds ${reference.runs.map((x) => (100 * x.valAccuracy).toFixed(2)).join(", ")})`;
  assert.ok(ours >= 0.97, `LeNet-5 reaches 97%: ${line}`);
  assert.ok(Math.abs(ours - torch) <= 0.01, `within 1 point of PyTorch: ${line}`);
  // the learning curve is sane: each epoch's validation accuracy is recorded, the last is the best or close
  const curve = events.of("epochEnd").map((e) => e.valAccuracy);
  assert.equal(curve.length, r.epochs);
  assert.ok(curve.at(-1)! >= Math.max(...curve) - 0.005, `curve ${curve}`);
});
