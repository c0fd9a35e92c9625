import assert from "node:assert/strict";
import * as path from "node:path";
import { trainConfig, type TrainConfig } from "../../../src/shared/training";
import { loadShapesSeg } from "../../../src/trainer/data/shapesSeg";
import { ConfusionMatrix } from "../../../src/trainer/train/segmentation";
import { EXAMPLES } from "../helpers/env";

/** What the segmentation training tests of both engines share: the run of the small U-Net on shapes-seg, and its baseline. */

export const SHAPES = path.join(EXAMPLES, "segmentation-shapes.ts");

export function segConfig(runsDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return trainConfig({
    file: SHAPES,
    model: "unetShapes",
    dataset: { kind: "shapes-seg" },
    runsDir,
    epochs: 2,
    batchSize: 16,
    seed: 1,
    optimizer: { name: "adam", lr: 0.01 },
    schedule: { name: "none" },
    augment: { cropPadding: 0, flip: true },
    ...over,
  });
}

/** The mean IoU of predicting background everywhere on shapes-seg's validation split at 32×32. */
export function allBackgroundMiou(): number {
  const d = loadShapesSeg(3, 32, 32);
  assert.ok(d.ok);
  const v = d.value.validation;
  const cm = new ConfusionMatrix(4);
  const logits = new Float32Array(v.count * 4 * 32 * 32);
  for (let n = 0; n < v.count; n++) logits.fill(1, n * 4 * 1024, n * 4 * 1024 + 1024);
  cm.add(logits, v.count, v.masks!);
  return cm.meanIou();
}
