import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { fillBatch, normalizationTable } from "../../../src/trainer/data/batches";
import type { Split } from "../../../src/trainer/data/types";
import { rngFor } from "../../../src/trainer/rng";
import { ConfusionMatrix, fillMasks, pixelLossSum, segmentationLoss } from "../../../src/trainer/train/segmentation";
import { ROOT, testTf } from "../helpers/env";

/**
 * Segmentation's loss and metrics against PyTorch (test/trainer/segmentation/torch_reference.py run
 * with /usr/bin/python3): F.cross_entropy(ignore_index=255) of `out` plus 0.5 × that of `aux`, its
 * gradients, and torchvision's ConfusionMatrix pixel accuracy and IoU. Skipped without PyTorch.
 */

const PYTHON = process.env["CNN_STUDIO_TEST_PYTHON"] ?? "/usr/bin/python3";
const REFERENCE = path.join(ROOT, "test", "trainer", "segmentation", "torch_reference.py");
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;
const noTorch = hasTorch ? false : `PyTorch is not installed for ${PYTHON} (python3-torch)`;

const SHAPE = [2, 3, 4, 5] as const;
const SIZE = SHAPE.reduce((a, b) => a * b, 1);
const values = (phase: number) => Array.from({ length: SIZE }, (_, i) => 2.5 * Math.sin(1.7 * i + phase) + 0.3 * Math.cos(0.37 * i * i));
/** Classes 0 and 1 and ignored pixels; class 2 only where the prediction puts it. */
const TARGET = Array.from({ length: 2 * 4 * 5 }, (_, i) => (i % 7 === 3 ? 255 : i % 3 === 0 ? 1 : 0));

interface Reference {
  loss: number;
  gradOut: number[];
  gradAux: number[] | null;
  accuracy: number;
  iou: (number | null)[];
}

const answered = new Map<string, Reference>();
function reference(out: number[], aux: number[] | null): Reference {
  const key = JSON.stringify([out, aux]);
  const known = answered.get(key);
  if (known) return known;
  const r = spawnSync(PYTHON, [REFERENCE, JSON.stringify({ shape: SHAPE, out, aux, target: TARGET })], { encoding: "utf8" });
  if (r.status !== 0) assert.fail(`torch_reference.py failed: ${r.stderr}`);
  const ref = JSON.parse(r.stdout) as Reference;
  answered.set(key, ref);
  return ref;
}

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
}

describe("segmentation loss and metrics against PyTorch", { skip: noTorch }, () => {
  for (const withAux of [false, true]) {
    test(`per-pixel cross-entropy with ignore_index 255${withAux ? " plus 0.5 × aux" : ""}: loss and gradients within 1e-5`, async () => {
      const { tf } = await testTf();
      const out = values(0);
      const aux = withAux ? values(1.1) : null;
      const ref = reference(out, aux);
      const zOut = tf.tensor4d(out, [...SHAPE]);
      const zAux = tf.tensor4d(aux ?? out, [...SHAPE]);
      const f = (a: tfc.Tensor, b: tfc.Tensor) =>
        segmentationLoss(
          tf,
          new Map(
            withAux
              ? [
                  ["out", a],
                  ["aux", b],
                ]
              : [["out", a]],
          ),
          a,
          TARGET,
        );
      const loss = f(zOut, zAux).dataSync()[0]!;
      assert.ok(Math.abs(loss - ref.loss) <= 1e-5, `loss ${loss} vs PyTorch ${ref.loss}`);
      if (withAux) {
        const [gOut, gAux] = tf.grads(f)([zOut, zAux]);
        close(gOut!.dataSync(), ref.gradOut, 1e-6, "gradient of out");
        close(gAux!.dataSync(), ref.gradAux!, 1e-6, "gradient of aux");
      } else
        close(
          tf
            .grad((a: tfc.Tensor) => f(a, a))(zOut)
            .dataSync(),
          ref.gradOut,
          1e-6,
          "gradient of out",
        );
      // the evaluation loss (float64 in JS) is the same mean
      const { sum, count } = pixelLossSum(Float32Array.from(out), SHAPE[0], SHAPE[1], TARGET);
      if (!withAux) assert.ok(Math.abs(sum / count - ref.loss) <= 1e-5);
    });
  }

  test("pixel accuracy and IoU are torchvision's ConfusionMatrix's; mIoU averages the classes present", () => {
    const out = values(0);
    const ref = reference(out, null);
    const cm = new ConfusionMatrix(SHAPE[1]);
    cm.add(Float32Array.from(out), SHAPE[0], TARGET);
    assert.ok(Math.abs(cm.pixelAccuracy() - ref.accuracy) < 1e-6, `${cm.pixelAccuracy()} vs ${ref.accuracy}`);
    const iou = cm.iou();
    ref.iou.forEach((x, c) => (x === null ? assert.ok(Number.isNaN(iou[c]!)) : assert.ok(Math.abs(iou[c]! - x) < 1e-6, `IoU of class ${c}`)));
    const present = ref.iou.filter((x): x is number => x !== null);
    assert.ok(Math.abs(cm.meanIou() - present.reduce((a, b) => a + b, 0) / present.length) < 1e-6);
  });
});

test("a class in neither targets nor predictions is left out of the mean IoU", () => {
  const cm = new ConfusionMatrix(3);
  // 2 pixels, both class 0, predicted 0 and 1: IoU 0 → 1/2, 1 → 0/1, class 2 absent
  cm.add(Float32Array.from([5, 0, 0, 5, 0, 0]), 1, [0, 0]);
  assert.deepEqual(cm.iou().slice(0, 2), [0.5, 0]);
  assert.ok(Number.isNaN(cm.iou()[2]!));
  assert.equal(cm.meanIou(), 0.25);
  assert.equal(cm.pixelAccuracy(), 0.5);
});

test("masks are cropped and flipped with their images (the same draws), padding ignored (255)", () => {
  const H = 6;
  const W = 5;
  const count = 3;
  // image pixel value = mask value + 10: after augmentation they must still agree wherever the mask is not padding
  const masks = Uint8Array.from({ length: count * H * W }, (_, i) => (i * 7) % 11);
  const split: Split = { count, images: Uint8Array.from(masks, (m) => m + 10), labels: new Int32Array(count), masks };
  const idx = [2, 0, 1];
  const augment = { cropPadding: 2, flip: true };
  const identity = normalizationTable({ mean: [0], std: [1 / 255] });
  for (let step = 1; step <= 8; step++) {
    const x = new Float32Array(count * H * W);
    const y = new Int32Array(count * H * W);
    fillBatch(split, idx, { channels: 1, height: H, width: W }, identity, augment, rngFor(7, "augment", step), x, new Int32Array(count));
    fillMasks(split, idx, H, W, augment, rngFor(7, "augment", step), y);
    for (let i = 0; i < x.length; i++) {
      if (y[i] === 255) assert.equal(Math.round(x[i]!), 0, `padding at ${i}`);
      else assert.equal(Math.round(x[i]!), y[i]! + 10, `step ${step}, pixel ${i}`);
    }
  }
});
