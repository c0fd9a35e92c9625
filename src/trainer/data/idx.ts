import * as path from "node:path";
import { formatBytes } from "../../shared/format";
import { checkDir, findIn, readHead, readMaybeGzip } from "./files";
import { checkShape, fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type ModelInputSpec, type Result, type Split } from "./types";

/**
 * MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST, ...): a folder with
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each optionally gzipped (`.gz`); the `train-images.idx3-ubyte`
 * spelling is accepted too. The t10k files are the validation split. Every file's header is read
 * and checked (against the model's input and the memory budget) before any file's data is.
 */

interface IdxHeader {
  dims: number[];
  headerSize: number;
  /** Bytes of data the header announces (the product of its dimensions). */
  size: number;
}

interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Trailing bytes read past what a header announces, so that a few extra give the precise message. */
const SLACK_BYTES = 64 * 1024;

/** The magic number and dimensions of an unsigned-byte IDX file with the expected number of dimensions. */
function parseIdxHeader(bytes: Uint8Array, file: string, expectedDims: number): Result<IdxHeader> {
  const name = path.basename(file);
  if (bytes.length < 4) return fail(`${name}: truncated: expected at least a 4-byte header, the file has ${bytes.length} bytes`);
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const expectedMagic = 0x800 + expectedDims;
  if (magic !== expectedMagic) {
    const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");
    const why =
      bytes[0] !== 0 || bytes[1] !== 0
        ? "not an IDX file"
        : bytes[2] !== 0x08
          ? `element type 0x${bytes[2]!.toString(16)} instead of unsigned bytes (0x08)`
          : `${bytes[3]} dimensions instead of ${expectedDims}`;
    return fail(
      `${name}: wrong magic number: expected ${hex(expectedMagic)} (unsigned bytes, ${expectedDims} dimension${expectedDims > 1 ? "s" : ""}), found ${hex(magic)} (${why})`,
    );
  }
  const headerSize = 4 + 4 * expectedDims;
  if (bytes.length < headerSize) return fail(`${name}: truncated: expected a ${headerSize}-byte header, the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: expectedDims }, (_, k) => view.getUint32(4 + 4 * k, false));
  return ok({ dims, headerSize, size: dims.reduce((a, b) => a * b, 1) });
}

/** Parses an unsigned-byte IDX file with the expected number of dimensions. */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims: number): Result<Idx> {
  const header = parseIdxHeader(bytes, file, expectedDims);
  if (!header.ok) return header;
  const { dims, headerSize, size } = header.value;
  const name = path.basename(file);
  const expectedBytes = headerSize + size;
  if (bytes.length < expectedBytes) {
    return fail(`${name}: truncated: the header says ${dims.join("×")} (${expectedBytes} bytes with the header) but the file has ${bytes.length} bytes`);
  }
  if (bytes.length > expectedBytes) {
    return fail(
      `${name}: ${bytes.length - expectedBytes} unexpected bytes after the ${dims.join("×")} values the header announces (expected ${expectedBytes} bytes, the file has ${bytes.length})`,
    );
  }
  return ok({ dims, data: bytes.subarray(headerSize) });
}

/** The header of an IDX file, reading (and inflating) only its first bytes. */
function readIdxHeader(file: string, dims: number): Result<IdxHeader> {
  const headerSize = 4 + 4 * dims;
  const head = readHead(file, headerSize);
  if (!head.ok) return head;
  if (head.value.length >= headerSize) return parseIdxHeader(head.value, file, dims);
  // short or damaged at the start: the whole file is small, or its error says what is wrong
  const whole = readMaybeGzip(file, { bytes: SLACK_BYTES, why: "an IDX file whose header cannot be read may have" });
  return whole.ok ? parseIdxHeader(whole.value, file, dims) : whole;
}

/** The data of an IDX file whose header was read, never holding more than the header announces. */
function readIdx(file: string, dims: number, header: IdxHeader): Result<Idx> {
  const r = readMaybeGzip(file, { bytes: header.headerSize + header.size + SLACK_BYTES, why: `its header announces (${header.dims.join("×")} values)` });
  return r.ok ? parseIdx(r.value, file, dims) : r;
}

interface Pair {
  imagesFile: string;
  labelsFile: string;
  images: IdxHeader;
  labels: IdxHeader;
}

/** Finds a split's two files and reads their headers; the image and label counts must agree. */
function pairHeaders(dir: string, listing: readonly string[], prefix: "train" | "t10k"): Result<Pair> {
  const spell = (kind: "images" | "labels", n: number) => [`${prefix}-${kind}-idx${n}-ubyte`, `${prefix}-${kind}.idx${n}-ubyte`].flatMap((b) => [b, `${b}.gz`]);
  const imagesFile = findIn(dir, listing, spell("images", 3));
  const labelsFile = findIn(dir, listing, spell("labels", 1));
  if (imagesFile === undefined || labelsFile === undefined) {
    const missing = imagesFile === undefined ? `${prefix}-images-idx3-ubyte[.gz]` : `${prefix}-labels-idx1-ubyte[.gz]`;
    return fail(
      `IDX folder ${dir} has no ${missing} (expected train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, optionally .gz)`,
    );
  }
  const images = readIdxHeader(imagesFile, 3);
  if (!images.ok) return images;
  const labels = readIdxHeader(labelsFile, 1);
  if (!labels.ok) return labels;
  const [n] = images.value.dims as [number, number, number];
  const [m] = labels.value.dims as [number];
  if (n !== m) return fail(`${path.basename(labelsFile)} has ${m} labels but ${path.basename(imagesFile)} has ${n} images`);
  return ok({ imagesFile, labelsFile, images: images.value, labels: labels.value });
}

/** What the headers announce, held in memory: image bytes and 4-byte labels. */
function checkBudget(pairs: readonly Pair[]): Result<true> {
  const bytesOf = (p: Pair) => p.images.size + 4 * p.labels.size;
  const total = pairs.reduce((a, p) => a + bytesOf(p), 0);
  if (total <= MEMORY_BUDGET_BYTES) return ok(true);
  const largest = pairs.reduce((a, p) => (bytesOf(p) > bytesOf(a) ? p : a));
  const [n, rows, cols] = largest.images.dims as [number, number, number];
  return fail(
    `${path.basename(largest.imagesFile)}: its header announces ${n.toLocaleString("en-US")} images of ${rows}×${cols}; with the other IDX files that is ${formatBytes(total)} in memory, more than the ${formatBytes(MEMORY_BUDGET_BYTES)} the trainer holds (the data was not read)`,
  );
}

function readSplit(p: Pair): Result<Split> {
  const images = readIdx(p.imagesFile, 3, p.images);
  if (!images.ok) return images;
  const labels = readIdx(p.labelsFile, 1, p.labels);
  if (!labels.ok) return labels;
  const count = p.labels.size;
  const lab = new Int32Array(count);
  for (let i = 0; i < count; i++) lab[i] = labels.value.data[i]!;
  return ok({ count, images: images.value.data, labels: lab });
}

/** Loads an IDX folder; with the model's `input`, images of another size are refused before any data is read. */
export function loadIdx(dir: string, input?: ModelInputSpec): Result<ImageDataset> {
  const listing = checkDir(dir, "IDX folder");
  if (!listing.ok) return listing;
  const train = pairHeaders(dir, listing.value, "train");
  if (!train.ok) return train;
  const test = pairHeaders(dir, listing.value, "t10k");
  if (!test.ok) return test;
  const [, rows, cols] = train.value.images.dims as [number, number, number];
  const [, testRows, testCols] = test.value.images.dims as [number, number, number];
  if (rows !== testRows || cols !== testCols) {
    return fail(`IDX folder ${dir}: training images are ${rows}×${cols} but t10k images are ${testRows}×${testCols}`);
  }
  const name = `idx:${dir}`;
  const sources = { train: path.basename(train.value.labelsFile), validation: path.basename(test.value.labelsFile) };
  if (input !== undefined) {
    const fits = checkShape({ name, channels: 1, height: rows, width: cols, source: sources.train }, input);
    if (!fits.ok) return fits;
  }
  const budget = checkBudget([train.value, test.value]);
  if (!budget.ok) return budget;
  const trainSplit = readSplit(train.value);
  if (!trainSplit.ok) return trainSplit;
  const testSplit = readSplit(test.value);
  if (!testSplit.ok) return testSplit;
  let classes = 0;
  for (const s of [trainSplit.value, testSplit.value]) for (const l of s.labels) classes = Math.max(classes, l + 1);
  return ok({
    name,
    channels: 1,
    height: rows,
    width: cols,
    classes,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    train: trainSplit.value,
    validation: testSplit.value,
    sources,
  });
}
