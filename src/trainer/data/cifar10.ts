import * as fs from "node:fs";
import * as path from "node:path";
import { checkDir, findIn, readMaybeGzip } from "./files";
import { checkShape, fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type ModelInputSpec, type Result, type Split } from "./types";

/**
 * CIFAR-10 binary version: `data_batch_1.bin` … `data_batch_5.bin` (training; any present, at
 * least one) and `test_batch.bin` (validation), each a sequence of 3,073-byte records: the label,
 * then 1,024 red, 1,024 green and 1,024 blue bytes (32×32, row-major). The folder may also be the
 * one containing `cifar-10-batches-bin/`. Class names come from `batches.meta.txt` when present.
 */

const SIDE = 32;
const RECORD = 1 + 3 * SIDE * SIDE;
const CLASSES = 10;
const DEFAULT_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

export function parseCifarBatch(bytes: Uint8Array, file: string): Result<Split> {
  const name = path.basename(file);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    const whole = Math.floor(bytes.length / RECORD);
    return fail(
      `${name}: truncated or not a CIFAR-10 binary batch: expected a multiple of ${RECORD} bytes (1 label + 3×32×32 pixels per image), the file has ${bytes.length} bytes (${whole} whole records and ${bytes.length - whole * RECORD} bytes left over)`,
    );
  }
  const count = bytes.length / RECORD;
  const images = new Uint8Array(count * (RECORD - 1));
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = bytes[i * RECORD]!;
    if (label >= CLASSES) return fail(`${name}: record ${i} has label ${label}, but CIFAR-10 labels are 0 to ${CLASSES - 1} (is this CIFAR-100?)`);
    labels[i] = label;
    images.set(bytes.subarray(i * RECORD + 1, (i + 1) * RECORD), i * (RECORD - 1));
  }
  return ok({ count, images, labels });
}

function concat(splits: Split[]): Split {
  const count = splits.reduce((a, s) => a + s.count, 0);
  const images = new Uint8Array(count * (RECORD - 1));
  const labels = new Int32Array(count);
  let at = 0;
  for (const s of splits) {
    images.set(s.images, at * (RECORD - 1));
    labels.set(s.labels, at);
    at += s.count;
  }
  return { count, images, labels };
}

/** Loads a CIFAR-10 folder; with the model's `input`, a model that does not take 3×32×32 images is refused before any data is read. */
export function loadCifar10(dir: string, input?: ModelInputSpec): Result<ImageDataset> {
  let listing = checkDir(dir, "CIFAR-10 folder");
  if (!listing.ok) return listing;
  if (!listing.value.some((f) => /^data_batch_\d\.bin(\.gz)?$/i.test(f)) && listing.value.includes("cifar-10-batches-bin")) {
    dir = path.join(dir, "cifar-10-batches-bin");
    listing = checkDir(dir, "CIFAR-10 folder");
    if (!listing.ok) return listing;
  }
  const trainFiles = listing.value.filter((f) => /^data_batch_\d\.bin(\.gz)?$/i.test(f)).sort();
  const testFile = findIn(dir, listing.value, ["test_batch.bin", "test_batch.bin.gz"]);
  if (trainFiles.length === 0 || testFile === undefined) {
    return fail(
      `CIFAR-10 folder ${dir} has no ${trainFiles.length === 0 ? "data_batch_1.bin … data_batch_5.bin" : "test_batch.bin"} (expected the binary version: data_batch_1.bin … data_batch_5.bin and test_batch.bin)`,
    );
  }
  const name = `cifar10:${dir}`;
  const sources = { train: trainFiles.join(", "), validation: path.basename(testFile) };
  if (input !== undefined) {
    const fits = checkShape({ name, channels: 3, height: SIDE, width: SIDE, source: sources.train }, input);
    if (!fits.ok) return fits;
  }
  // every batch read counts against the budget: a gzip bomb stops at what is left of it
  let left = MEMORY_BUDGET_BYTES;
  const readBatch = (file: string): Result<Split> => {
    const bytes = readMaybeGzip(file, { bytes: left, why: `left of the ${MEMORY_BUDGET_BYTES / 2 ** 30} GiB the trainer holds in memory for a dataset` });
    if (!bytes.ok) return bytes;
    left -= bytes.value.length;
    return parseCifarBatch(bytes.value, file);
  };
  const train: Split[] = [];
  for (const f of trainFiles) {
    const s = readBatch(path.join(dir, f));
    if (!s.ok) return s;
    train.push(s.value);
  }
  const test = readBatch(testFile);
  if (!test.ok) return test;
  let classNames = DEFAULT_NAMES;
  try {
    const meta = fs
      .readFileSync(path.join(dir, "batches.meta.txt"), "utf8")
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s);
    if (meta.length === CLASSES) classNames = meta;
  } catch {
    // no class names: the defaults
  }
  return ok({
    name,
    channels: 3,
    height: SIDE,
    width: SIDE,
    classes: CLASSES,
    classNames,
    train: concat(train),
    validation: test.value,
    sources,
  });
}
