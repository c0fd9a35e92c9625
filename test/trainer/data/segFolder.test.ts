import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { classCoverageWarning, loadDataset, type ImageDataset } from "../../../src/trainer/data/index";
import { segFolder } from "../helpers/segFolder";

/**
 * The class-count warning of a segmentation folder says what each number counts: the classes
 * `classes.txt` names, the classes the masks use, and the model's outputs (a VOC folder whose masks
 * use 13 of its 21 classes is not "a dataset with 13 classes").
 */

function loadSeg(dir: string, outputs: number): ImageDataset {
  const r = loadDataset(
    { kind: "segfolder", dir },
    { input: { channels: 3, height: 4, width: 4, classes: outputs, segmentation: true }, validationFraction: 0.25, seed: 0 },
  );
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

describe("segfolder class-count warning", () => {
  test("with classes.txt: the classes it names, the classes the masks use of them, the model's outputs", () => {
    const dir = segFolder();
    try {
      const names = ["background", ...Array.from({ length: 20 }, (_, i) => `class${i + 1}`)];
      fs.writeFileSync(path.join(dir, "classes.txt"), `${names.join("\n")}\n`);
      const d = loadSeg(dir, 21);
      assert.equal(d.classes, 21);
      assert.equal(
        classCoverageWarning("unet", 4, loadSeg(dir, 4)),
        `${path.join(dir, "classes.txt")} names 21 classes but unet has 4 output classes; the masks use labels 0 to 2, so it trains, but the names past the first 4 belong to no output`,
        "more names than outputs is said, not only fewer labels",
      );
      assert.equal(
        classCoverageWarning("fcnResnet50", 21, d),
        `${path.join(dir, "classes.txt")} names 21 classes; the masks use 3 of them (labels 0 to 2); fcnResnet50 has 21 output classes, so the other 18 are never the right answer`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without classes.txt: the classes the masks use and the model's outputs", () => {
    const dir = segFolder();
    try {
      assert.equal(
        classCoverageWarning("unet", 4, loadSeg(dir, 4)),
        `the masks of segfolder:${dir} use 3 classes (labels 0 to 2); unet has 4 output classes, so the other one is never the right answer`,
      );
      assert.equal(classCoverageWarning("unet", 3, loadSeg(dir, 3)), null, "every output is used by the masks");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
