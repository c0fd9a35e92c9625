import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { EXAMPLES, metricsOf, tempDir } from "../helpers/env";
import { trainTfjs } from "../helpers/tfjsRun";
import { allBackgroundMiou, segConfig } from "./helpers";

/**
 * The TensorFlow.js engine trains a segmentation model (issue 14): examples/segmentation-shapes.ts's
 * small U-Net on the generated shapes-seg sample for two epochs beats the trivial all-background
 * prediction's mean IoU by far, and reports pixel accuracy and mean IoU in its events and
 * metrics.jsonl (about 30 s on two cores). The PyTorch engine's twin is test/export/torchSegmentation.test.ts.
 */

test("a small U-Net trains on shapes-seg with TensorFlow.js: its mean IoU beats all-background's", async () => {
  const runs = tempDir();
  try {
    const { events } = await trainTfjs(segConfig(runs));
    assert.deepEqual(events.of("error"), []);
    const started = events.of("started")[0]!;
    assert.equal(started.dataset.classes, 4);
    const epochs = events.of("epochEnd");
    assert.equal(epochs.length, 2);
    const last = epochs[1]!;
    const baseline = allBackgroundMiou();
    assert.ok(baseline > 0.1 && baseline < 0.25, `all-background mIoU ${baseline}`);
    assert.ok(last.valMiou !== undefined && last.valMiou > baseline + 0.2, `mIoU ${last.valMiou} vs all-background ${baseline}`);
    assert.ok(last.valAccuracy > 0.8, `pixel accuracy ${last.valAccuracy}`);
    assert.equal(last.valTop5, null);
    const lines = metricsOf(started.runDir).filter((m) => m["type"] === "epoch");
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!["valMiou"], last.valMiou);
    assert.match(fs.readFileSync(path.join(started.runDir, "log.txt"), "utf8"), /mean IoU \d+\.\d\d%/);
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});

test("a classifier on shapes-seg is refused before training, saying why", async () => {
  const runs = tempDir();
  try {
    const { events } = await trainTfjs(segConfig(runs, { file: path.join(EXAMPLES, "lenet5.ts"), model: "lenet5Mnist" }));
    const e = events.of("error")[0];
    assert.ok(e, JSON.stringify(events.events));
    assert.match(e.message, /shapes-seg is a segmentation dataset \(a class per pixel\), but the model outputs class scores \[N, 10\]/);
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});

test("random resized crops (--augment standard) are refused for masks before training, saying what to use", async () => {
  const runs = tempDir();
  try {
    const { events } = await trainTfjs(segConfig(runs, { data: { normalize: "dataset", augment: "standard", resize: "stretch" } }));
    const e = events.of("error")[0];
    assert.ok(e, JSON.stringify(events.events));
    assert.equal(e.phase, "dataset");
    assert.match(e.message, /--augment standard \(random resized crops\) is not supported for segmentation masks yet; use --augment flip/);
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});
