import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { checkFitsModel, loadDataset, type ModelInputSpec } from "../../../src/trainer/data/index";
import { decodeMask } from "../../../src/trainer/data/maskPng";
import { loadShapesSeg } from "../../../src/trainer/data/shapesSeg";
import { palettePng, rgbPng, segFolder } from "../helpers/segFolder";

/**
 * Segmentation datasets (issue 14): `segfolder:DIR` (images/ + masks/, or Pascal VOC's
 * JPEGImages/ + SegmentationClass/ with palette masks), the generated `shapes-seg`, and the messages
 * of bad input, each naming the file and the value.
 */

const SEG: ModelInputSpec = { channels: 3, height: 4, width: 4, classes: 3, segmentation: true };
const load = (text: string, input: ModelInputSpec = SEG) =>
  text === "shapes-seg"
    ? loadDataset({ kind: "shapes-seg" }, { input, validationFraction: 0.25, seed: 0 })
    : loadDataset({ kind: "segfolder", dir: text }, { input, validationFraction: 0.25, seed: 0 });

describe("segfolder datasets", () => {
  test("palette PNG masks give their indices (every PNG filter), resized with nearest-neighbour sampling", () => {
    const values = Array.from({ length: 6 * 5 }, (_, i) => (i * 5) % 7);
    for (const filter of [0, 1, 2, 3]) {
      const m = decodeMask(palettePng(6, 5, values, filter), "m.png");
      assert.ok(m.ok, m.ok ? "" : m.error);
      assert.deepEqual([...m.value.values], values);
    }
    const dir = segFolder();
    try {
      const r = load(dir);
      assert.ok(r.ok, r.ok ? "" : r.error);
      const d = r.value;
      assert.equal(d.task, "segmentation");
      assert.equal(d.train.count + d.validation.count, 6);
      assert.equal(d.classes, 3, "the largest mask value below 255, plus one");
      // 8×8 → 4×4 nearest: columns 0–1 class 0, columns 2–3 the class; pixel (0, 0) samples source (1, 1): class 0
      const m = [...d.train.masks!.subarray(0, 16)];
      assert.deepEqual(m.slice(0, 4), [0, 0, m[2], m[2]]);
      assert.ok(m[2] === 1 || m[2] === 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Pascal VOC's JPEGImages/ + SegmentationClass/ layout with classes.txt; images without a mask are skipped there", () => {
    const dir = segFolder(6, 8, "JPEGImages", "SegmentationClass");
    try {
      fs.writeFileSync(
        path.join(dir, "JPEGImages", "extra.png"),
        rgbPng(8, 8, () => 1),
      );
      fs.writeFileSync(path.join(dir, "classes.txt"), "background\nplane\nbike\n");
      const r = load(dir);
      assert.ok(r.ok, r.ok ? "" : r.error);
      assert.deepEqual(r.value.classNames, ["background", "plane", "bike"]);
      assert.equal(r.value.train.count + r.value.validation.count, 6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad input names the file and the value: missing mask, mask size, class out of range, corrupt PNG, classifier data", () => {
    const dir = segFolder();
    try {
      fs.writeFileSync(
        path.join(dir, "images", "9.png"),
        rgbPng(8, 8, () => 1),
      );
      const missing = load(dir);
      assert.ok(!missing.ok);
      assert.match(missing.error, /images\/9\.png has no mask: expected .*masks\/9\.png/);
      fs.writeFileSync(path.join(dir, "masks", "9.png"), palettePng(4, 8, Array(32).fill(0)));
      const size = load(dir);
      assert.ok(!size.ok);
      assert.match(size.error, /masks\/9\.png is 4×8 but its image images\/9\.png is 8×8; a mask must have its image's size/);
      fs.writeFileSync(path.join(dir, "masks", "9.png"), palettePng(8, 8, Array(64).fill(7)));
      const range = load(dir);
      assert.ok(!range.ok);
      assert.match(
        range.error,
        /masks\/9\.png: pixel \(0, 0\) .* has class 7, out of range for the model's 3 output classes \(expected 0 to 2, or 255 to ignore\)/,
      );
      fs.writeFileSync(path.join(dir, "masks", "9.png"), Buffer.from("not a png at all, just text"));
      const corrupt = load(dir);
      assert.ok(!corrupt.ok);
      assert.match(corrupt.error, /masks\/9\.png: not a PNG file/);
      fs.writeFileSync(
        path.join(dir, "masks", "9.png"),
        rgbPng(8, 8, (x) => x * 20),
      );
      const colour = load(dir);
      assert.ok(!colour.ok);
      assert.match(colour.error, /masks\/9\.png: the mask is a colour image/);
      fs.rmSync(path.join(dir, "masks"), { recursive: true });
      const layout = load(dir);
      assert.ok(!layout.ok);
      assert.match(layout.error, /needs an images\/ and a masks\/ folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("shapes-seg and the model's kind", () => {
  test("shapes-seg is generated the same each time, at the model's size, with every class present", () => {
    const a = loadShapesSeg(3, 32, 32);
    const b = loadShapesSeg(3, 32, 32);
    assert.ok(a.ok && b.ok);
    assert.deepEqual(a.value.train.masks, b.value.train.masks);
    assert.deepEqual(a.value.validation.images, b.value.validation.images);
    assert.equal(a.value.train.count, 320);
    assert.equal(a.value.validation.count, 80);
    const seen = new Set(a.value.validation.masks);
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
    assert.ok(!loadShapesSeg(4, 32, 32).ok);
  });

  test("a classifier on segmentation data, and a segmentation model on classification data, are refused saying why", () => {
    const seg = loadShapesSeg(1, 28, 28);
    assert.ok(seg.ok);
    const classifier = checkFitsModel(seg.value, { channels: 1, height: 28, width: 28, classes: 10 });
    assert.ok(!classifier.ok);
    assert.match(
      classifier.error,
      /shapes-seg is a segmentation dataset \(a class per pixel\), but the model outputs class scores \[N, 10\] \(an image classifier\)/,
    );
    const mnist = loadDataset(
      { kind: "mnist-sample" },
      { input: { channels: 1, height: 28, width: 28, classes: 4, segmentation: true }, validationFraction: 0.2, seed: 0 },
    );
    assert.ok(!mnist.ok);
    assert.match(mnist.error, /mnist-sample has one label per image, but the model outputs per-pixel class scores \(a segmentation model\)/);
  });
});
