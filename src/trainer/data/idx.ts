import * as path from "node:path";
import { checkDir, findIn, readMaybeGzip } from "./files";
import { fail, ok, type ImageDataset, type Result, type Split } from "./types";

/**
 * MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST, ...): a folder with
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each optionally gzipped (`.gz`); the `train-images.idx3-ubyte`
 * spelling is accepted too. The t10k files are the validation split.
 */

interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX file with the expected number of dimensions. */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims: number): Result<Idx> {
  const name = path.basename(file);
  if (bytes.length < 4) return fail(`${name}: truncated: expected at least a 4-byte header, the file has ${bytes.length} bytes`);
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const expectedMagic = 0x800 + expectedDims;
  if (magic !== expectedMagic) {
    const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");
    const why = bytes[0] !== 0 || bytes[1] !== 0 ? "not an IDX file" : bytes[2] !== 0x08 ? `element type 0x${bytes[2]!.toString(16)} instead of unsigned bytes (0x08)` : `${bytes[3]} dimensions instead of ${expectedDims}`;
    return fail(`${name}: wrong magic number: expected ${hex(expectedMagic)} (unsigned bytes, ${expectedDims} dimension${expectedDims > 1 ? "s" : ""}), found ${hex(magic)} (${why})`);
  }
  const headerSize = 4 + 4 * expectedDims;
  if (bytes.length < headerSize) return fail(`${name}: truncated: expected a ${headerSize}-byte header, the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: expectedDims }, (_, k) => view.getUint32(4 + 4 * k, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerSize + size;
  if (bytes.length < expectedBytes) {
    return fail(`${name}: truncated: the header says ${dims.join("×")} (${expectedBytes} bytes with the header) but the file has ${bytes.length} bytes`);
  }
  if (bytes.length > expectedBytes) {
    return fail(`${name}: ${bytes.length - expectedBytes} unexpected bytes after the ${dims.join("×")} values the header announces (expected ${expectedBytes} bytes, the file has ${bytes.length})`);
  }
  return ok({ dims, data: bytes.subarray(headerSize) });
}

function readIdx(file: string, dims: number): Result<Idx> {
  const r = readMaybeGzip(file);
  return r.ok ? parseIdx(r.value, file, dims) : r;
}

function loadPair(dir: string, listing: readonly string[], prefix: "train" | "t10k"): Result<{ split: Split; rows: number; cols: number; source: string }> {
  const spell = (kind: "images" | "labels", n: number) =>
    [`${prefix}-${kind}-idx${n}-ubyte`, `${prefix}-${kind}.idx${n}-ubyte`].flatMap((b) => [b, `${b}.gz`]);
  const imagesFile = findIn(dir, listing, spell("images", 3));
  const labelsFile = findIn(dir, listing, spell("labels", 1));
  if (imagesFile === undefined || labelsFile === undefined) {
    const missing = imagesFile === undefined ? `${prefix}-images-idx3-ubyte[.gz]` : `${prefix}-labels-idx1-ubyte[.gz]`;
    return fail(`IDX folder ${dir} has no ${missing} (expected train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, optionally .gz)`);
  }
  const images = readIdx(imagesFile, 3);
  if (!images.ok) return images;
  const labels = readIdx(labelsFile, 1);
  if (!labels.ok) return labels;
  const [n, rows, cols] = images.value.dims as [number, number, number];
  const [m] = labels.value.dims as [number];
  if (n !== m) return fail(`${path.basename(labelsFile)} has ${m} labels but ${path.basename(imagesFile)} has ${n} images`);
  const lab = new Int32Array(m);
  for (let i = 0; i < m; i++) lab[i] = labels.value.data[i]!;
  return ok({ split: { count: n, images: images.value.data.slice(), labels: lab }, rows, cols, source: path.basename(labelsFile) });
}

export function loadIdx(dir: string): Result<ImageDataset> {
  const listing = checkDir(dir, "IDX folder");
  if (!listing.ok) return listing;
  const train = loadPair(dir, listing.value, "train");
  if (!train.ok) return train;
  const test = loadPair(dir, listing.value, "t10k");
  if (!test.ok) return test;
  if (train.value.rows !== test.value.rows || train.value.cols !== test.value.cols) {
    return fail(`IDX folder ${dir}: training images are ${train.value.rows}×${train.value.cols} but t10k images are ${test.value.rows}×${test.value.cols}`);
  }
  let classes = 0;
  for (const s of [train.value.split, test.value.split]) for (const l of s.labels) classes = Math.max(classes, l + 1);
  return ok({
    name: `idx:${dir}`,
    channels: 1,
    height: train.value.rows,
    width: train.value.cols,
    classes,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    train: train.value.split,
    validation: test.value.split,
    sources: { train: train.value.source, validation: test.value.source },
  });
}
