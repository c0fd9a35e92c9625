import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { normalizationTable } from "../../../src/trainer/data/batches";
import { decodeImage } from "../../../src/trainer/data/image";
import { normalizationFor } from "../../../src/trainer/data/normalize";
import {
  augmentImage,
  colorJitter,
  cropPlanes,
  randomResizedCropBox,
  resizeCenterCrop,
  resizeTo,
  roundHalfEven,
  withChannels,
  type Planes,
} from "../../../src/trainer/data/transforms";
import type { ImageDataset } from "../../../src/trainer/data/types";
import { loadDataset } from "../../../src/trainer/data/index";
import { rngFor } from "../../../src/trainer/rng";
import { ROOT, tempDir } from "../helpers/env";

/** The image transforms of issue 15 against torchvision 0.14 + PIL (Debian's /usr/bin/python3) on the same images. */

const PYTHON = "/usr/bin/python3";
const CHECK = path.join(ROOT, "test", "trainer", "data", "torchvision_check.py");
const hasTorchvision = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torchvision, PIL"]).status === 0;
const skip = hasTorchvision ? false : `torchvision is not installed for ${PYTHON} (python3-torchvision)`;

type Nested = number | Nested[];
/** Cases asked for while the suite is defined, answered by one Python run (importing torch takes seconds). */
const asked: object[] = [];
let answers: Nested[] | null = null;
function ask(cases: object[]): () => Nested[] {
  const from = asked.length;
  asked.push(...cases);
  return () => {
    if (answers === null) {
      const r = spawnSync(PYTHON, [CHECK, JSON.stringify(asked)], { encoding: "utf8", maxBuffer: 1 << 28 });
      if (r.status !== 0) assert.fail(`torchvision_check.py failed: ${r.stderr}`);
      answers = JSON.parse(r.stdout) as Nested[];
    }
    return answers.slice(from, from + cases.length);
  };
}
const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

/** A 53×37 RGB PNG with smooth and sharp structure (gradients, stripes, a square). */
function testImage(dir: string, w = 53, h = 37): string {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      png.data[i] = (x * 255) / (w - 1);
      png.data[i + 1] = (x + y) % 7 < 3 ? 230 : 20;
      png.data[i + 2] = x > 10 && x < 30 && y > 8 && y < 25 ? 255 : (y * 255) / (h - 1);
      png.data[i + 3] = 255;
    }
  const file = path.join(dir, `img${w}x${h}.png`);
  fs.writeFileSync(file, PNG.sync.write(png));
  return file;
}

function planesOf(file: string, channels: 1 | 3): Planes {
  const d = decodeImage(fs.readFileSync(file), file);
  assert.ok(d.ok, d.ok ? "" : d.error);
  return withChannels(d.value, channels).planes;
}

function maxDiff(a: ArrayLike<number>, b: readonly number[]): number {
  assert.equal(a.length, b.length, "same number of values");
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("image transforms against torchvision", { skip }, () => {
  const dir = tempDir();
  const file = testImage(dir);
  const tall = testImage(dir, 20, 45);

  const sizes: [number, number][] = [
    [24, 24],
    [32, 16],
    [7, 9],
    [64, 64],
  ];
  const cases = [
    ...sizes.map((size) => ({ file, op: "resizeCenterCrop", size })),
    ...sizes.map((size) => ({ file: tall, op: "resizeCenterCrop", size })),
    { file, op: "resize", size: [19, 80] },
    { file, op: "resizeCenterCrop", size: [24, 24], mode: "L" },
  ];
  const resized = ask(cases);
  test("Resize(round(S·256/224)) + CenterCrop(S) and plain resizes: within 1 of PIL (PIL rounds to bytes between its two passes)", () => {
    const want = resized();
    const rgb = planesOf(file, 3);
    const got = [
      ...sizes.map(([H, W]) => resizeCenterCrop(rgb, H, W)),
      ...sizes.map(([H, W]) => resizeCenterCrop(planesOf(tall, 3), H, W)),
      resizeTo(rgb, 19, 80),
      resizeCenterCrop(planesOf(file, 1), 24, 24),
    ];
    got.forEach((g, k) => {
      const w = flat(want[k]!);
      assert.ok(maxDiff(g.data, w) <= 1, `case ${JSON.stringify(cases[k])}: max difference ${maxDiff(g.data, w)}`);
    });
  });

  const boxes = [
    { top: 3, left: 5, h: 20, w: 31 },
    { top: 0, left: 0, h: 37, w: 53 },
    { top: 10, left: 40, h: 6, w: 8 },
  ];
  const cropped = ask(boxes.map((b) => ({ file, op: "resizedCrop", ...b, size: [16, 16] })));
  test("a resized crop (RandomResizedCrop's work for a drawn box) is within 1 of F.resized_crop", () => {
    const want = cropped();
    const rgb = planesOf(file, 3);
    boxes.forEach((b, k) => {
      const g = resizeTo(cropPlanes(rgb, b.top, b.left, b.h, b.w), 16, 16);
      assert.ok(maxDiff(g.data, flat(want[k]!)) <= 1, `box ${JSON.stringify(b)}`);
    });
  });

  const outs = ["P", "RGBA", "LA"].map((m) => path.join(dir, `as${m}.png`));
  ask(["P", "RGBA", "LA"].map((m, k) => ({ file, op: "save", as: m, out: outs[k] })));
  const modes = ask([{ file, op: "resize", size: [37, 53], mode: "L" }, ...outs.map((f) => ({ file: f, op: "resize", size: [37, 53], mode: "RGB" }))]);
  test("colour to grey is PIL's convert('L') exactly; palette, RGBA and grey-alpha PNGs decode as PIL's convert('RGB')", () => {
    const want = modes();
    assert.equal(maxDiff(planesOf(file, 1).data, flat(want[0]!)), 0);
    outs.forEach((f, k) => assert.equal(maxDiff(planesOf(f, 3).data, flat(want[k + 1]!)), 0, f));
  });

  const normalized = ask([{ file, op: "normalize" }]);
  test("--normalize imagenet is ToTensor + Normalize(ImageNet mean, std)", () => {
    const [want] = normalized();
    const rgb = planesOf(file, 3);
    const d = { channels: 3, height: 37, width: 53 } as ImageDataset;
    const n = normalizationFor("imagenet", d);
    assert.ok(n.ok);
    const tables = normalizationTable(n.value);
    const x = rgb.data.map((v, i) => tables[Math.floor(i / (37 * 53))]![v]!);
    assert.ok(maxDiff(x, flat(want!)) < 1e-5);
  });

  const ops = ["brightness", "contrast", "saturation"] as const;
  const jittered = ask(ops.map((op) => ({ file, op, factor: 1.3 })));
  test("brightness, contrast and saturation follow torchvision's tensor ops (then whole bytes)", () => {
    const want = jittered();
    const rgb = planesOf(file, 3);
    // one factor at a time: a generator whose draws put the op first with factor 1.3
    ops.forEach((op, k) => {
      const w = flat(want[k]!);
      const g = singleJitter(rgb, k, 1.3);
      assert.ok(maxDiff(g.data, w) <= 0.5 + 1e-3, `${op}: ${maxDiff(g.data, w)}`);
    });
  });
});

/** colorJitter with the op `k` alone (the others' factors 1, so they change nothing). */
function singleJitter(p: Planes, k: number, factor: number): Planes {
  // colorJitter draws: a permutation of 3 (two draws), then three factors u → 0.6 + 0.8u
  const u = (f: number) => (f - 0.6) / 0.8;
  const draws = [0.99, 0.99, ...[0, 1, 2].map((i) => u(i === k ? factor : 1))];
  let at = 0;
  const rng = { next: () => draws[at++]!, int: (n: number) => Math.floor(draws[at++]! * n) };
  return colorJitter(p, rng);
}

describe("augmentation draws", () => {
  const img: Planes = { channels: 3, height: 30, width: 40, data: new Float32Array(3 * 30 * 40).map((_, i) => (i * 37) % 256) };

  test("the same seed and step give the same image; another step or seed another one", () => {
    const at = (seed: number, step: number) => augmentImage(img, "strong", 16, 16, rngFor(seed, "augment", step)).data;
    assert.deepEqual(at(3, 7), at(3, 7));
    assert.notDeepEqual(at(3, 7), at(3, 8));
    assert.notDeepEqual(at(3, 7), at(4, 7));
  });

  test("RandomResizedCrop boxes lie in the image with an area of 8–100% and a ratio of 3/4–4/3 (or the centred fallback)", () => {
    for (let step = 1; step <= 300; step++) {
      const b = randomResizedCropBox(30, 40, rngFor(1, "augment", step));
      assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.h <= 30 && b.left + b.w <= 40, JSON.stringify(b));
      const area = (b.h * b.w) / 1200;
      assert.ok(area >= 0.07 && area <= 1, `area ${area}`);
      assert.ok(b.w / b.h >= 0.7 && b.w / b.h <= 1.4, `ratio ${b.w / b.h}`);
    }
    // a 1×100 strip never fits the ratio: the centred crop of the nearest ratio
    const never = randomResizedCropBox(1, 100, rngFor(0, "augment", 1));
    assert.deepEqual(never, { top: 0, left: 49, h: 1, w: 1 });
    assert.deepEqual([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(2.5), roundHalfEven(-0.5), roundHalfEven(2.4)], [0, 2, 2, -0, 2]);
  });
});

describe("image folders with the data options", () => {
  test("colour images for a 1-channel model: an error without the options (as before), converted with one note with them", () => {
    const dir = tempDir();
    for (const c of ["a", "b"]) {
      fs.mkdirSync(path.join(dir, c));
      for (let i = 0; i < 3; i++) testImage(path.join(dir, c), 20 + i, 10 + i);
    }
    const input = { channels: 1, height: 8, width: 8, classes: 2 };
    const before = loadDataset({ kind: "folder", dir }, { input, validationFraction: 0.2, seed: 0 });
    assert.ok(!before.ok);
    assert.match(before.error, /a colour \(RGB\) image, but the model's @input has 1 channel/);
    const after = loadDataset({ kind: "folder", dir }, { input, validationFraction: 0.2, seed: 0, resize: "crop" });
    assert.ok(after.ok, after.ok ? "" : after.error);
    assert.equal(after.value.notes?.length, 1);
    assert.match(after.value.notes![0]!, /^colour images were converted to greyscale for the model's 1-channel @input \(PIL's convert\("L"\) luma\)/);
    assert.equal(after.value.train.images.length, after.value.train.count * 64);
  });
});
