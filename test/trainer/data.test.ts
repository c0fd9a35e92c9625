import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { deflateSync, gzipSync } from "node:zlib";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { channelStats, fillBatch, normalizationTable } from "../../src/trainer/data/batches";
import { classCoverageWarning, describeLabels, loadDataset, type ImageDataset, type ModelInputSpec, type Result } from "../../src/trainer/data/index";
import { loadMnistSample } from "../../src/trainer/data/mnistSample";
import { permutation, rngFor } from "../../src/trainer/rng";
import { tempDir } from "./helpers/env";

const MNIST: ModelInputSpec = { channels: 1, height: 28, width: 28, classes: 10 };
const opts = (input: ModelInputSpec) => ({ input, validationFraction: 0.25, seed: 1 });

function ok<T>(r: Result<T>): T {
  if (!r.ok) assert.fail(`expected success, got: ${r.error}`);
  return r.value;
}
function err<T>(r: Result<T>): string {
  if (r.ok) assert.fail("expected an error");
  return r.error;
}

/** IDX bytes: magic, dims, data. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

function writeIdxDir(dir: string, n: number, side: number, opts: { gzip?: boolean; labels?: (i: number) => number } = {}): void {
  const put = (name: string, b: Buffer) => fs.writeFileSync(path.join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(b) : b);
  for (const prefix of ["train", "t10k"]) {
    const count = prefix === "train" ? n : Math.ceil(n / 2);
    const pixels = new Uint8Array(count * side * side).map((_, i) => (i * 7) % 256);
    const labels = new Uint8Array(count).map((_, i) => (opts.labels ? opts.labels(i) : i % 10));
    put(`${prefix}-images-idx3-ubyte`, idx([count, side, side], pixels));
    put(`${prefix}-labels-idx1-ubyte`, idx([count], labels));
  }
}

describe("mnist-sample (bundled)", () => {
  test("10,000 real digits, fixed 8,000/2,000 split, all classes in both", () => {
    const d = ok(loadMnistSample());
    assert.equal(d.train.count, 8000);
    assert.equal(d.validation.count, 2000);
    assert.deepEqual([d.channels, d.height, d.width, d.classes], [1, 28, 28, 10]);
    assert.equal(d.train.images.length, 8000 * 784);
    for (const s of [d.train, d.validation]) {
      const counts = new Array(10).fill(0);
      for (const l of s.labels) counts[l]++;
      assert.ok(
        counts.every((c) => c > s.count / 20),
        `classes are balanced enough: ${counts}`,
      );
    }
    // real digits: mostly background, some ink; MNIST's well-known mean ≈ 0.13
    const stats = channelStats(d.train, 1, 784);
    assert.ok(stats.mean[0]! > 0.1 && stats.mean[0]! < 0.16, `mean ${stats.mean[0]}`);
    assert.ok(stats.std[0]! > 0.28 && stats.std[0]! < 0.34, `std ${stats.std[0]}`);
    // the file is compact
    assert.ok(fs.statSync(path.resolve(__dirname, "../../../dist/data/mnist-sample.bin")).size < 3e6);
  });

  test("does not fit a 32×32 model or a 5-class model, with the values in the message", () => {
    assert.match(err(loadDataset({ kind: "mnist-sample" }, opts({ ...MNIST, height: 32, width: 32 }))), /28×28 but the model's @input expects 32×32/);
    assert.match(err(loadDataset({ kind: "mnist-sample" }, opts({ ...MNIST, channels: 3 }))), /1 channel but the model's @input expects 3/);
    assert.match(
      err(loadDataset({ kind: "mnist-sample" }, opts({ ...MNIST, classes: 5 }))),
      /label 9 \("9"\) at index \d+ is out of range for the model's 5 output classes \(expected labels 0 to 4\)/,
    );
  });
});

describe("IDX files", () => {
  for (const gzip of [false, true]) {
    test(`loads train and t10k ${gzip ? "gzipped" : "plain"}`, () => {
      const dir = tempDir();
      writeIdxDir(dir, 20, 28, { gzip });
      const d = ok(loadDataset({ kind: "idx", dir }, opts(MNIST)));
      assert.equal(d.train.count, 20);
      assert.equal(d.validation.count, 10);
      assert.equal(d.classes, 10);
      assert.equal(d.train.images[5], 35);
      assert.equal(d.validation.labels[3], 3);
    });
  }

  test("the train-images.idx3-ubyte spelling is accepted too", () => {
    const dir = tempDir();
    writeIdxDir(dir, 4, 28);
    for (const f of fs.readdirSync(dir)) fs.renameSync(path.join(dir, f), path.join(dir, f.replace("-idx", ".idx")));
    ok(loadDataset({ kind: "idx", dir }, opts(MNIST)));
  });

  test("a truncated file names the file and the sizes", () => {
    const dir = tempDir();
    writeIdxDir(dir, 20, 28);
    const f = path.join(dir, "train-images-idx3-ubyte");
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1000));
    assert.equal(
      err(loadDataset({ kind: "idx", dir }, opts(MNIST))),
      "train-images-idx3-ubyte: truncated: the header says 20×28×28 (15696 bytes with the header) but the file has 1000 bytes",
    );
  });

  test("a truncated gzip stream is a corrupt-gzip error naming the file", () => {
    const dir = tempDir();
    writeIdxDir(dir, 20, 28, { gzip: true });
    const f = path.join(dir, "t10k-labels-idx1-ubyte.gz");
    const b = fs.readFileSync(f);
    fs.writeFileSync(f, b.subarray(0, b.length - 12));
    assert.match(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), /t10k-labels-idx1-ubyte\.gz: corrupt gzip data/);
  });

  test("a wrong magic number says expected and found", () => {
    const dir = tempDir();
    writeIdxDir(dir, 4, 28);
    // labels where images belong
    fs.copyFileSync(path.join(dir, "train-labels-idx1-ubyte"), path.join(dir, "train-images-idx3-ubyte"));
    assert.equal(
      err(loadDataset({ kind: "idx", dir }, opts(MNIST))),
      "train-images-idx3-ubyte: wrong magic number: expected 0x00000803 (unsigned bytes, 3 dimensions), found 0x00000801 (1 dimensions instead of 3)",
    );
    fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte"), Buffer.from("PK\x03\x04 not an idx file"));
    assert.match(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), /found 0x504b0304 \(not an IDX file\)/);
  });

  test("label and image counts must agree; extra bytes are an error", () => {
    const dir = tempDir();
    writeIdxDir(dir, 6, 28);
    fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), idx([5], new Uint8Array(5)));
    assert.equal(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), "train-labels-idx1-ubyte has 5 labels but train-images-idx3-ubyte has 6 images");
    fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), Buffer.concat([idx([6], new Uint8Array(6)), Buffer.from([1, 2])]));
    assert.match(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), /train-labels-idx1-ubyte: 2 unexpected bytes after the 6 values/);
  });

  test("missing files, a wrong image size and out-of-range labels", () => {
    const dir = tempDir();
    assert.match(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), /has no train-images-idx3-ubyte\[\.gz\]/);
    assert.match(err(loadDataset({ kind: "idx", dir: path.join(dir, "nope") }, opts(MNIST))), /cannot read the IDX folder .*nope \(ENOENT\)/);
    writeIdxDir(dir, 4, 32);
    assert.match(err(loadDataset({ kind: "idx", dir }, opts(MNIST))), /images are 32×32 but the model's @input expects 28×28/);
    const dir2 = tempDir();
    writeIdxDir(dir2, 12, 28, { labels: (i) => (i === 11 ? 12 : 0) });
    assert.equal(
      err(loadDataset({ kind: "idx", dir: dir2 }, opts(MNIST))),
      'train-labels-idx1-ubyte: label 12 ("12") at index 11 is out of range for the model\'s 10 output classes (expected labels 0 to 9)',
    );
  });
});

describe("CIFAR-10 binary batches", () => {
  const CIFAR: ModelInputSpec = { channels: 3, height: 32, width: 32, classes: 10 };
  const batch = (n: number, label = (i: number) => i % 10) => {
    const b = Buffer.alloc(n * 3073);
    for (let i = 0; i < n; i++) {
      b[i * 3073] = label(i);
      for (let p = 0; p < 3072; p++) b[i * 3073 + 1 + p] = (p + i) % 256;
    }
    return b;
  };
  test("loads data_batch_*.bin and test_batch.bin, also from cifar-10-batches-bin/", () => {
    const root = tempDir();
    const dir = path.join(root, "cifar-10-batches-bin");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "data_batch_1.bin"), batch(5));
    fs.writeFileSync(path.join(dir, "data_batch_2.bin"), batch(3));
    fs.writeFileSync(path.join(dir, "test_batch.bin"), batch(4));
    const d: ImageDataset = ok(loadDataset({ kind: "cifar10", dir: root }, opts(CIFAR)));
    assert.equal(d.train.count, 8);
    assert.equal(d.validation.count, 4);
    assert.deepEqual(Array.from(d.train.labels), [0, 1, 2, 3, 4, 0, 1, 2]);
    assert.equal(d.train.images[3072 + 1], 2); // image 1, red plane, pixel 1
    assert.equal(d.classNames[3], "cat");
  });
  test("a truncated batch, a CIFAR-100 label and a 1-channel model are errors with the values", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "data_batch_1.bin"), batch(2).subarray(0, 3073 + 100));
    fs.writeFileSync(path.join(dir, "test_batch.bin"), batch(2));
    assert.equal(
      err(loadDataset({ kind: "cifar10", dir }, opts(CIFAR))),
      "data_batch_1.bin: truncated or not a CIFAR-10 binary batch: expected a multiple of 3073 bytes (1 label + 3×32×32 pixels per image), the file has 3173 bytes (1 whole records and 100 bytes left over)",
    );
    fs.writeFileSync(
      path.join(dir, "data_batch_1.bin"),
      batch(3, (i) => (i === 2 ? 57 : 1)),
    );
    assert.match(err(loadDataset({ kind: "cifar10", dir }, opts(CIFAR))), /data_batch_1\.bin: record 2 has label 57, but CIFAR-10 labels are 0 to 9/);
    fs.writeFileSync(path.join(dir, "data_batch_1.bin"), batch(3));
    assert.match(err(loadDataset({ kind: "cifar10", dir }, opts({ ...CIFAR, channels: 1 }))), /images have 3 channels but the model's @input expects 1/);
    assert.equal(
      err(loadDataset({ kind: "cifar10", dir }, opts({ ...CIFAR, classes: 2 }))),
      'data_batch_1.bin: label 2 ("bird") at index 2 is out of range for the model\'s 2 output classes (expected labels 0 to 1)',
    );
  });
});

describe("image folders", () => {
  function png(file: string, w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): void {
    const p = new PNG({ width: w, height: h });
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const [r, g, b] = rgb(x, y);
        p.data.set([r, g, b, 255], 4 * (y * w + x));
      }
    fs.writeFileSync(file, PNG.sync.write(p));
  }
  function jpg(file: string, w: number, h: number, v: number): void {
    const data = Buffer.alloc(w * h * 4, v);
    fs.writeFileSync(file, jpeg.encode({ data, width: w, height: h }, 95).data);
  }
  function classes(dir: string, names: string[], perClass: number, make: (file: string, k: number, i: number) => void): void {
    names.forEach((n, k) => {
      fs.mkdirSync(path.join(dir, n), { recursive: true });
      for (let i = 0; i < perClass; i++) make(path.join(dir, n), k, i);
    });
  }

  test("PNG and JPEG, resized to the model's size, classes sorted by name, seeded hold-out", () => {
    const dir = tempDir();
    classes(dir, ["dog", "cat"], 5, (d, k, i) =>
      i % 2 ? png(path.join(d, `${i}.png`), 40, 20, () => [k * 200, k * 200, k * 200]) : jpg(path.join(d, `${i}.jpg`), 16, 16, 100 + k * 100),
    );
    fs.writeFileSync(path.join(dir, "cat", "notes.txt"), "not an image");
    const spec: ModelInputSpec = { channels: 1, height: 8, width: 8, classes: 2 };
    const d = ok(loadDataset({ kind: "folder", dir }, { input: spec, validationFraction: 0.2, seed: 3 }));
    assert.deepEqual(d.classNames, ["cat", "dog"]);
    assert.equal(d.train.count, 8);
    assert.equal(d.validation.count, 2);
    assert.equal(d.train.images.length, 8 * 64);
    // a uniform image stays uniform after resizing (PNG 0 for cat, 200 for dog; JPEG ≈ 100/200)
    const first = d.train.images.subarray(0, 64);
    assert.ok(first.every((v) => v === first[0]));
    // the same seed holds out the same images
    const again = ok(loadDataset({ kind: "folder", dir }, { input: spec, validationFraction: 0.2, seed: 3 }));
    assert.deepEqual(again.validation.images, d.validation.images);
    // grey images fit a 3-channel model (replicated)
    const rgb = ok(loadDataset({ kind: "folder", dir }, { input: { ...spec, channels: 3 }, validationFraction: 0.2, seed: 3 }));
    assert.equal(rgb.train.images.length, 8 * 3 * 64);
  });

  test("train/ and val/ subfolders are used as the split", () => {
    const dir = tempDir();
    for (const split of ["train", "val"]) classes(path.join(dir, split), ["a", "b", "c"], 2, (d, k, i) => png(path.join(d, `${i}.png`), 4, 4, () => [k, k, k]));
    const d = ok(loadDataset({ kind: "folder", dir }, { input: { channels: 1, height: 4, width: 4, classes: 3 }, validationFraction: 0.2, seed: 0 }));
    assert.equal(d.train.count, 6);
    assert.equal(d.validation.count, 6);
    assert.deepEqual(Array.from(d.validation.labels), [0, 0, 1, 1, 2, 2]);
  });

  test("a colour image for a 1-channel model, a corrupt image, too many classes: errors naming the file", () => {
    const dir = tempDir();
    classes(dir, ["a", "b"], 3, (d, k, i) => png(path.join(d, `${i}.png`), 6, 6, (x) => [x * 10, 0, 255]));
    const spec = { channels: 1, height: 6, width: 6, classes: 2 };
    assert.match(
      err(loadDataset({ kind: "folder", dir }, { input: spec, validationFraction: 0.2, seed: 0 })),
      /^a\/\d\.png: a colour \(RGB\) image, but the model's @input has 1 channel/,
    );
    const dir2 = tempDir();
    classes(dir2, ["a", "b"], 3, (d, k, i) => png(path.join(d, `${i}.png`), 6, 6, () => [9, 9, 9]));
    const bad = path.join(dir2, "b", "1.png");
    fs.writeFileSync(bad, fs.readFileSync(bad).subarray(0, 30));
    assert.match(err(loadDataset({ kind: "folder", dir: dir2 }, { input: spec, validationFraction: 0.2, seed: 0 })), /^b\/1\.png: cannot decode the image/);
    fs.writeFileSync(bad, "GIF89a");
    assert.match(
      err(loadDataset({ kind: "folder", dir: dir2 }, { input: spec, validationFraction: 0.2, seed: 0 })),
      /^b\/1\.png: not a PNG image \(its first bytes are 47 49 46 38\)/,
    );
    fs.rmSync(bad);
    classes(dir2, ["c"], 3, (d, k, i) => png(path.join(d, `${i}.png`), 6, 6, () => [1, 1, 1]));
    assert.match(
      err(loadDataset({ kind: "folder", dir: dir2 }, { input: spec, validationFraction: 0.2, seed: 0 })),
      /label 2 \("c"\) at index \d+ is out of range for the model's 2 output classes/,
    );
    assert.match(err(loadDataset({ kind: "folder", dir: tempDir() }, { input: spec, validationFraction: 0.2, seed: 0 })), /has no class subfolders/);
  });
});

describe("batches", () => {
  const split = { count: 4, images: new Uint8Array(4 * 2 * 3 * 3).map((_, i) => i), labels: Int32Array.from([0, 1, 2, 3]) };
  const shape = { channels: 2, height: 3, width: 3 };

  test("normalisation per channel, labels in order", () => {
    const norm = { mean: [0.5, 0], std: [0.25, 1] };
    const x = new Float32Array(2 * 18);
    const y = new Int32Array(2);
    fillBatch(split, [2, 0], shape, normalizationTable(norm), null, null, x, y);
    assert.deepEqual(Array.from(y), [2, 0]);
    assert.ok(Math.abs(x[0]! - (36 / 255 - 0.5) / 0.25) < 1e-6);
    assert.ok(Math.abs(x[9]! - 45 / 255) < 1e-6); // channel 1 of image 2
  });

  test("flip mirrors rows; crop with padding shifts and pads with the value of black", () => {
    const tables = normalizationTable({ mean: [0, 0], std: [1, 1] });
    const x = new Float32Array(18);
    const y = new Int32Array(1);
    const always = { next: () => 0.1, int: () => 0 };
    fillBatch(split, [0], shape, tables, { cropPadding: 0, flip: true }, always, x, y);
    assert.deepEqual(
      Array.from(x.subarray(0, 3), (v) => Math.round(v * 255)),
      [2, 1, 0],
    );
    // offset −1 in both directions: the first row and column are padding
    fillBatch(split, [0], shape, tables, { cropPadding: 1, flip: false }, always, x, y);
    assert.deepEqual(
      Array.from(x.subarray(0, 9), (v) => Math.round(v * 255)),
      [0, 0, 0, 0, 0, 1, 0, 3, 4],
    );
  });

  test("seeded shuffling: same seed and epoch, same order; another epoch, another order", () => {
    const a = permutation(1000, rngFor(7, "shuffle", 1));
    assert.deepEqual(a, permutation(1000, rngFor(7, "shuffle", 1)));
    assert.notDeepEqual(a, permutation(1000, rngFor(7, "shuffle", 2)));
    assert.notDeepEqual(a, permutation(1000, rngFor(8, "shuffle", 1)));
    assert.deepEqual(
      [...a].sort((p, q) => p - q),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });
});

describe("declared sizes are checked before decoding (decompression bombs)", () => {
  /** A gzip file of `head`, then `megabytes` MB of zeros as further gzip members (about 1 KB each). */
  function gzipBomb(head: Buffer, megabytes: number): Buffer {
    const zeros = gzipSync(Buffer.alloc(2 ** 20));
    return Buffer.concat([gzipSync(head), ...Array.from({ length: megabytes }, () => zeros)]);
  }
  function timed<T>(f: () => T): { value: T; ms: number } {
    const t0 = performance.now();
    const value = f();
    return { value, ms: performance.now() - t0 };
  }

  test("an IDX header claiming a huge count is refused from its header, naming the file", () => {
    const dir = tempDir();
    writeIdxDir(dir, 4, 28);
    // 16 bytes on disk, gzipped or not, announcing 10^9 images of 28×28 (784 GB)
    fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte"), gzipSync(idx([1e9, 28, 28], new Uint8Array(0))));
    fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), idx([1e9], new Uint8Array(0)));
    const r = timed(() => err(loadDataset({ kind: "idx", dir }, opts(MNIST))));
    assert.equal(
      r.value,
      "train-images-idx3-ubyte: its header announces 1,000,000,000 images of 28×28; with the other IDX files that is 788.00 GB in memory, more than the 2.15 GB the trainer holds (the data was not read)",
    );
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  });

  test("a gzip bomb after an honest IDX header stops at what the header announces", () => {
    const dir = tempDir();
    writeIdxDir(dir, 2000, 28, { gzip: true });
    // 1 MB on disk (less than the 1.6 MB of data announced), 1 GB of zeros once inflated
    const file = path.join(dir, "train-images-idx3-ubyte.gz");
    fs.writeFileSync(file, gzipBomb(idx([2000, 28, 28], new Uint8Array(2000 * 784)), 1000));
    const before = process.memoryUsage().rss;
    const r = timed(() => err(loadDataset({ kind: "idx", dir }, opts(MNIST))));
    assert.equal(r.value, `${file}: decompresses to more than the 1.63 MB its header announces (2000×28×28 values) (1.05 MB gzipped); not read further`);
    assert.ok(r.ms < 1000, `${r.ms} ms`);
    assert.ok(process.memoryUsage().rss - before < 200e6, "memory stays bounded");
  });

  test("IDX images of another size than the model's are refused before their data is read", () => {
    const dir = tempDir();
    writeIdxDir(dir, 4, 28, { gzip: true });
    fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte.gz"), gzipBomb(idx([4, 32, 32], new Uint8Array(0)), 1000));
    fs.writeFileSync(path.join(dir, "t10k-images-idx3-ubyte.gz"), gzipBomb(idx([2, 32, 32], new Uint8Array(0)), 1000));
    const r = timed(() => err(loadDataset({ kind: "idx", dir }, opts(MNIST))));
    assert.match(r.value, /images are 32×32 but the model's @input expects 28×28/);
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  });

  /** A PNG whose IHDR says w×h, with `idat` as its image data. */
  function pngFile(w: number, h: number, idat: Buffer, interlaced = false): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const b = Buffer.alloc(12 + data.length);
      b.writeUInt32BE(data.length, 0);
      b.write(type, 4, "ascii");
      data.copy(b, 8);
      return b; // pngjs checks CRCs: fixed below
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(w, 0);
    ihdr.writeUInt32BE(h, 4);
    ihdr.set([8, 2, 0, 0, interlaced ? 1 : 0], 8);
    const parts = [chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0))].map(withCrc);
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...parts]);
  }
  function withCrc(c: Buffer): Buffer {
    let crc = 0xffffffff;
    for (let i = 4; i < c.length - 4; i++) {
      crc ^= c[i]!;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    c.writeUInt32BE((crc ^ 0xffffffff) >>> 0, c.length - 4);
    return c;
  }
  function folderWith(name: string, bytes: Buffer): string {
    const dir = tempDir();
    for (const k of ["a", "b"]) {
      fs.mkdirSync(path.join(dir, k));
      for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, k, `${i}.png`), pngFile(4, 4, deflateSync(Buffer.alloc(4 * 13))));
    }
    fs.writeFileSync(path.join(dir, "b", name), bytes);
    return dir;
  }
  const SMALL: ModelInputSpec = { channels: 3, height: 4, width: 4, classes: 2 };

  test("a 20000×20000 PNG or JPEG is refused from its header, naming the file", () => {
    const png = folderWith("huge.png", pngFile(20000, 20000, deflateSync(Buffer.alloc(1000))));
    const r = timed(() => err(loadDataset({ kind: "folder", dir: png }, { input: SMALL, validationFraction: 0.2, seed: 0 })));
    assert.equal(
      r.value,
      `b/huge.png: a 20000×20000 image (400,000,000 pixels) would take 6.40 GB to decode, more than the 33,554,432 pixels (e.g. 8192×4096) an image may have; the model takes 4×4: shrink the image first (in ${png})`,
    );
    assert.ok(r.ms < 1000, `${r.ms} ms`);
    // a JPEG: SOI, an APP0 segment, then a baseline frame header of 20000×20000
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, 0x4e, 0x20, 0x4e, 0x20, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
    const jpg = folderWith("huge.jpg", Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]));
    assert.match(
      err(loadDataset({ kind: "folder", dir: jpg }, { input: SMALL, validationFraction: 0.2, seed: 0 })),
      /^b\/huge\.jpg: a 20000×20000 image \(400,000,000 pixels\) would take 6\.40 GB to decode/,
    );
  });

  test("an interlaced PNG whose image data inflates past its declared size is not decoded", () => {
    const dir = folderWith("bomb.png", pngFile(4, 4, deflateSync(Buffer.alloc(64 * 2 ** 20)), true));
    const r = timed(() => err(loadDataset({ kind: "folder", dir }, { input: SMALL, validationFraction: 0.2, seed: 0 })));
    assert.match(r.value, /^b\/bomb\.png: the image data inflates to more than the \d+ B its 4×4 size needs; not decoded/);
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  });
});

describe("the classes the data has are the labels present", () => {
  test("an IDX set with only label 3 has 1 class, not 4", () => {
    const dir = tempDir();
    writeIdxDir(dir, 6, 28, { labels: () => 3 });
    const d = ok(loadDataset({ kind: "idx", dir }, opts(MNIST)));
    assert.equal(
      classCoverageWarning("net", 10, d),
      `net has 10 output classes but idx:${dir} has 1 (only label 3); the other outputs are never the right answer`,
    );
    writeIdxDir(dir, 12, 28, { labels: (i) => [0, 2, 3, 4, 7][i % 5]! });
    const gaps = ok(loadDataset({ kind: "idx", dir }, opts(MNIST)));
    assert.match(classCoverageWarning("net", 10, gaps)!, /has 5 \(labels 0, 2 to 4 and 7\)/);
    writeIdxDir(dir, 20, 28);
    assert.equal(classCoverageWarning("net", 10, ok(loadDataset({ kind: "idx", dir }, opts(MNIST)))), null);
    assert.equal(describeLabels([0, 1, 2, 3]), "labels 0 to 3");
  });

  test("an image folder with an empty class folder does not have that class", () => {
    const dir = tempDir();
    for (const k of ["a", "b", "c"]) fs.mkdirSync(path.join(dir, k));
    for (const k of ["a", "c"]) for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, k, `${i}.png`), PNG.sync.write(new PNG({ width: 2, height: 2 })));
    const d = ok(loadDataset({ kind: "folder", dir }, { input: { channels: 1, height: 2, width: 2, classes: 3 }, validationFraction: 0.3, seed: 0 }));
    assert.equal(d.classes, 3);
    assert.equal(
      classCoverageWarning("net", 3, d),
      `net has 3 output classes but folder:${dir} has 2 (labels 0 and 2); the other outputs are never the right answer`,
    );
  });
});
