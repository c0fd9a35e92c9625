import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { trainConfig } from "../../../src/shared/training";
import { loadDataset } from "../../../src/trainer/data";
import { generateShapes10, loadShapes10Sample, SHAPES10, SHAPES10_CLASSES } from "../../../src/trainer/data/shapes10Sample";
import { TfjsEngine } from "../../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps, ROOT, tempDir } from "../helpers/env";

/** Issue 19, item 15: the generated 3-channel sample, and that it needs a CNN. */

const FIXTURE = path.join(ROOT, "test/fixtures/trainer/shapes10.ts");

test("shapes10-sample: 6,000 seeded 3×32×32 images, 10 balanced classes, 5,000/1,000 split, the same on every load", () => {
  const r = loadShapes10Sample();
  assert.ok(r.ok);
  const d = r.value;
  assert.deepEqual([d.name, d.channels, d.height, d.width, d.classes], ["shapes10-sample", 3, 32, 32, 10]);
  assert.deepEqual(d.classNames, [...SHAPES10_CLASSES]);
  assert.deepEqual([d.train.count, d.validation.count], [5000, 1000]);
  assert.equal(d.train.images.length, 5000 * 3 * 32 * 32);
  const perClass = new Array<number>(10).fill(0);
  for (const l of [...d.train.labels, ...d.validation.labels]) perClass[l]! += 1;
  assert.deepEqual(perClass, new Array<number>(10).fill(600));
  // seeded: a second generation gives the same bytes; another seed does not
  const a = generateShapes10(50);
  assert.deepEqual(generateShapes10(50), a);
  assert.notDeepEqual(generateShapes10(50, SHAPES10.seed + 1).images, a.images);
  // colour carries no class: every class's mean colour is mid-grey, within a few levels
  for (let k = 0; k < 10; k++) {
    const mean = [0, 0, 0];
    let n = 0;
    for (let i = 0; i < d.train.count; i++) {
      if (d.train.labels[i] !== k) continue;
      n++;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let p = 0; p < 1024; p++) s += d.train.images[i * 3072 + c * 1024 + p]!;
        mean[c]! += s / 1024;
      }
    }
    for (const m of mean) assert.ok(Math.abs(m / n - 127.5) < 20, `class ${SHAPES10_CLASSES[k]}: mean colour ${mean.map((v) => (v / n).toFixed(1))}`);
  }
});

test("shapes10-sample loads through --dataset for a 3×32×32 model and refuses a 1-channel one, naming it", () => {
  assert.ok(loadDataset({ kind: "shapes10-sample" }, { input: { channels: 3, height: 32, width: 32, classes: 10 }, validationFraction: 0.2, seed: 0 }).ok);
  const grey = loadDataset({ kind: "shapes10-sample" }, { input: { channels: 1, height: 28, width: 28, classes: 10 }, validationFraction: 0.2, seed: 0 });
  assert.ok(!grey.ok && grey.error.includes("shapes10-sample"), grey.ok ? "" : grey.error);
});

async function train(model: string): Promise<number> {
  const events = collect();
  const session = new TfjsEngine(deps(), events.emit);
  await session.handle({
    type: "start",
    config: trainConfig({
      file: FIXTURE,
      model,
      dataset: { kind: "shapes10-sample" },
      runsDir: tempDir(),
      epochs: 2,
      batchSize: 64,
      seed: 0,
      optimizer: { name: "adam", lr: 0.003 },
    }),
  });
  session.dispose();
  assert.deepEqual(events.of("error"), []);
  return events.of("completed")[0]!.final!.valAccuracy;
}

test("shapes10-sample needs a CNN: a linear model trained as long stays far below a small CNN (2 epochs each)", { timeout: 120_000 }, async () => {
  const linear = await train("linearShapes");
  const cnn = await train("smallCnnShapes");
  const line = `linear ${(100 * linear).toFixed(1)}%, small CNN ${(100 * cnn).toFixed(1)}%`;
  console.log(line);
  assert.ok(linear < 0.3, `the linear model stays below 30%: ${line}`);
  assert.ok(cnn > linear + 0.15, `the CNN is at least 15 points better: ${line}`);
});
