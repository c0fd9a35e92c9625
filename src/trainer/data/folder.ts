import * as fs from "node:fs";
import * as path from "node:path";
import { permutation, rngFor } from "../rng";
import { checkDir } from "./files";
import { formatBytes } from "../../shared/format";
import { checkDeclaredSize, decodeImage, IMAGE_EXTENSIONS, MAX_IMAGE_PIXELS, toModelInput, type Decoded } from "./image";
import { fineTuneInput } from "./fineTune";
import type { ResizeMode } from "../../shared/trainConfigData";
import { fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type Result, type Split } from "./types";

/**
 * Image folders, like torchvision's ImageFolder: one subfolder per class (sorted by name), PNG and
 * JPEG images in them, resized to the model's @input H×W. Either `DIR/train/<class>/…` with
 * `DIR/val/<class>/…` (or `validation/`, `test/`), or `DIR/<class>/…` with a seeded, per-class
 * hold-out of `validationFraction` of the images for validation.
 */

/** An image file larger than this cannot be an image of at most MAX_IMAGE_PIXELS pixels. */
const MAX_IMAGE_FILE_BYTES = 8 * MAX_IMAGE_PIXELS;

interface Listed {
  classNames: string[];
  files: { file: string; label: number }[];
}

function listClasses(dir: string, what: string): Result<{ names: string[]; filesByClass: string[][] }> {
  const listing = checkDir(dir, what);
  if (!listing.ok) return listing;
  const names = listing.value.filter((n) => !n.startsWith(".") && fs.statSync(path.join(dir, n)).isDirectory()).sort();
  if (names.length === 0) return fail(`${what} ${dir} has no class subfolders (expected one subfolder per class, e.g. ${dir}/cat/001.png)`);
  const filesByClass: string[][] = [];
  for (const n of names) {
    const sub = checkDir(path.join(dir, n), "class folder");
    if (!sub.ok) return sub;
    filesByClass.push(
      sub.value
        .filter((f) => IMAGE_EXTENSIONS.includes(path.extname(f).toLowerCase()))
        .sort()
        .map((f) => path.join(dir, n, f)),
    );
  }
  return ok({ names, filesByClass });
}

/** The images of both splits at the model's size must fit the memory budget. */
function checkFolderBudget(count: number, root: string, channels: number, H: number, W: number): Result<true> {
  const bytes = count * channels * H * W;
  if (bytes <= MEMORY_BUDGET_BYTES) return ok(true);
  return fail(
    `${root}: ${count} images of ${channels}×${H}×${W} need ${(bytes / 2 ** 30).toFixed(1)} GiB in memory, more than the ${MEMORY_BUDGET_BYTES / 2 ** 30} GiB the trainer holds`,
  );
}

/** An image file's bytes, refusing (before reading) a file larger than any image the trainer decodes. */
export function readImageFile(file: string, rel: string, root: string): Result<Buffer> {
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_IMAGE_FILE_BYTES)
      return fail(`${rel}: ${formatBytes(size)}, more than the ${formatBytes(MAX_IMAGE_FILE_BYTES)} an image file may have (in ${root})`);
    return ok(fs.readFileSync(file));
  } catch (e) {
    return fail(`cannot read ${rel} in ${root} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** An image file of a dataset folder, decoded; errors name the file (`rel`) and the folder. */
export function readImage(file: string, rel: string, root: string, target: { height: number; width: number }): Result<Decoded> {
  const bytes = readImageFile(file, rel, root);
  if (!bytes.ok) return bytes;
  // the declared size first: a small file can announce a huge image
  const declared = checkDeclaredSize(bytes.value, rel, target);
  if (!declared.ok) return fail(`${declared.error} (in ${root})`);
  const decoded = decodeImage(bytes.value, rel);
  return decoded.ok ? decoded : fail(`${decoded.error} (in ${root})`);
}

function load(listed: Listed, root: string, opts: FolderOptions, notes: Set<string>): Result<Split> {
  const { channels, height: H, width: W } = opts;
  const size = channels * H * W;
  const images = new Uint8Array(listed.files.length * size);
  const labels = new Int32Array(listed.files.length);
  for (let i = 0; i < listed.files.length; i++) {
    const { file, label } = listed.files[i]!;
    const rel = path.relative(root, file);
    const decoded = readImage(file, rel, root, { height: H, width: W });
    if (!decoded.ok) return decoded;
    const pixels = opts.resize === undefined ? toModelInput(decoded.value, rel, channels, H, W) : fineTuneInput(decoded.value, rel, opts, notes);
    if (!pixels.ok) return fail(`${pixels.error} (in ${root})`);
    images.set(pixels.value, i * size);
    labels[i] = label;
  }
  return ok({ count: listed.files.length, images, labels, files: listed.files.map((f) => f.file) });
}

export interface FolderOptions {
  channels: number;
  height: number;
  width: number;
  validationFraction: number;
  seed: number;
  /** Issue 15's data options given: resize this way, and convert colour to grey for a 1-channel model (with a note). */
  resize?: ResizeMode;
}

export function loadFolder(dir: string, opts: FolderOptions): Result<ImageDataset> {
  const listing = checkDir(dir, "image folder");
  if (!listing.ok) return listing;
  const sub = (names: string[]) => names.map((n) => listing.value.find((f) => f.toLowerCase() === n)).find((f) => f !== undefined);
  const trainName = sub(["train"]);
  const valName = sub(["val", "validation", "valid", "test"]);
  let classNames: string[];
  let train: Listed;
  let validation: Listed;
  let sources: { train: string; validation: string };
  if (trainName !== undefined && valName !== undefined) {
    const t = listClasses(path.join(dir, trainName), "training folder");
    if (!t.ok) return t;
    const v = listClasses(path.join(dir, valName), "validation folder");
    if (!v.ok) return v;
    classNames = t.value.names;
    const unknown = v.value.names.filter((n) => !classNames.includes(n));
    if (unknown.length > 0)
      return fail(
        `${path.join(dir, valName)} has class folders that ${path.join(dir, trainName)} lacks: ${unknown.join(", ")} (training classes: ${classNames.join(", ")})`,
      );
    train = { classNames, files: t.value.filesByClass.flatMap((fs_, label) => fs_.map((file) => ({ file, label }))) };
    validation = { classNames, files: v.value.filesByClass.flatMap((fs_, k) => fs_.map((file) => ({ file, label: classNames.indexOf(v.value.names[k]!) }))) };
    sources = { train: path.join(dir, trainName), validation: path.join(dir, valName) };
  } else {
    const c = listClasses(dir, "image folder");
    if (!c.ok) return c;
    classNames = c.value.names;
    train = { classNames, files: [] };
    validation = { classNames, files: [] };
    c.value.filesByClass.forEach((files, label) => {
      const order = permutation(files.length, rngFor(opts.seed, "folder-split", label));
      const held = files.length > 1 ? Math.min(files.length - 1, Math.round(files.length * opts.validationFraction)) : 0;
      order.forEach((k, i) => (i < held ? validation : train).files.push({ file: files[k]!, label }));
    });
    // keep a stable order (by class, then name), independent of the hold-out draw
    const byName = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
    train.files.sort((a, b) => a.label - b.label || byName(a, b));
    validation.files.sort((a, b) => a.label - b.label || byName(a, b));
    sources = {
      train: `${dir} (${Math.round((1 - opts.validationFraction) * 100)}%)`,
      validation: `${dir} (${Math.round(opts.validationFraction * 100)}% held out, seed ${opts.seed})`,
    };
  }
  if (train.files.length === 0) return fail(`image folder ${dir} has no training images (.png, .jpg, .jpeg) in its class folders ${classNames.join(", ")}`);
  if (validation.files.length === 0)
    return fail(
      `image folder ${dir} has no validation images (add a val/ folder, or more images per class for a ${Math.round(opts.validationFraction * 100)}% hold-out)`,
    );
  const budget = checkFolderBudget(train.files.length + validation.files.length, dir, opts.channels, opts.height, opts.width);
  if (!budget.ok) return budget;
  const notes = new Set<string>();
  const t = load(train, dir, opts, notes);
  if (!t.ok) return t;
  const v = load(validation, dir, opts, notes);
  if (!v.ok) return v;
  return ok({
    name: `folder:${dir}`,
    channels: opts.channels,
    height: opts.height,
    width: opts.width,
    classes: classNames.length,
    classNames,
    train: t.value,
    validation: v.value,
    sources,
    ...(notes.size > 0 ? { notes: [...notes] } : {}),
  });
}
