import * as fs from "node:fs";
import * as path from "node:path";
import { permutation, rngFor } from "../rng";
import { checkDir, findIn } from "./files";
import { readImage, readImageFile } from "./folder";
import { IMAGE_EXTENSIONS, toModelInput } from "./image";
import { decodeMask, resizeMaskNearest } from "./maskPng";
import { fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type Result, type Split } from "./types";

/**
 * Segmentation folders (`--dataset segfolder:DIR`): `DIR/images/` and `DIR/masks/` with the same
 * file stems (`images/0001.jpg` ↔ `masks/0001.png`), a mask's pixel value the class index and 255
 * ignored (torchvision's references/segmentation convention). Pascal VOC's own layout,
 * `JPEGImages/` and `SegmentationClass/` (palette PNGs), is read as it is: there, images without a
 * mask are skipped (VOC has masks for a subset). `DIR/train/` and `DIR/val/` with that layout each
 * give the splits; otherwise a seeded hold-out of `validationFraction`. Classes: the lines of
 * `DIR/classes.txt`, else the largest mask value below 255, plus one. Images are resized to the
 * model's input bilinearly, masks with nearest-neighbour sampling.
 */

export const IGNORE_INDEX = 255;

interface Pair {
  image: string;
  mask: string;
}

const stem = (f: string) => path.basename(f, path.extname(f));

/** The image/mask pairs of a folder with images/ + masks/ (or JPEGImages/ + SegmentationClass/). */
function listPairs(dir: string): Result<Pair[]> {
  const listing = checkDir(dir, "segmentation folder");
  if (!listing.ok) return listing;
  const images = findIn(dir, listing.value, ["images", "JPEGImages"]);
  const masks = findIn(dir, listing.value, ["masks", "SegmentationClass"]);
  if (images === undefined || masks === undefined)
    return fail(
      `segmentation folder ${dir} needs an images/ and a masks/ folder (or Pascal VOC's JPEGImages/ and SegmentationClass/); it has ${listing.value.filter((n) => !n.startsWith(".")).join(", ") || "nothing"}`,
    );
  const imageFiles = checkDir(images, "image folder");
  if (!imageFiles.ok) return imageFiles;
  const maskFiles = checkDir(masks, "mask folder");
  if (!maskFiles.ok) return maskFiles;
  const byStem = new Map<string, string>();
  for (const f of imageFiles.value.filter((n) => IMAGE_EXTENSIONS.includes(path.extname(n).toLowerCase())).sort()) byStem.set(stem(f), f);
  const maskByStem = new Map<string, string>();
  for (const f of maskFiles.value.filter((n) => path.extname(n).toLowerCase() === ".png").sort()) maskByStem.set(stem(f), f);
  const voc = path.basename(images).toLowerCase() === "jpegimages";
  const pairs: Pair[] = [];
  for (const [s, f] of byStem) {
    const m = maskByStem.get(s);
    if (m === undefined) {
      if (voc) continue;
      return fail(`${path.join(images, f)} has no mask: expected ${path.join(masks, `${s}.png`)}`);
    }
    pairs.push({ image: path.join(images, f), mask: path.join(masks, m) });
  }
  for (const [s, m] of maskByStem)
    if (!byStem.has(s)) return fail(`${path.join(masks, m)} has no image: expected ${path.join(images, s)} with .png, .jpg or .jpeg`);
  return ok(pairs);
}

interface SegOptions {
  channels: number;
  height: number;
  width: number;
  validationFraction: number;
  seed: number;
}

/** Images at the model's size (bilinear) and masks at it (nearest), with the largest mask value below 255. */
function loadPairs(pairs: readonly Pair[], root: string, opts: SegOptions): Result<{ split: Split; maxValue: number }> {
  const { channels: C, height: H, width: W } = opts;
  const images = new Uint8Array(pairs.length * C * H * W);
  const masks = new Uint8Array(pairs.length * H * W);
  let maxValue = -1;
  for (let i = 0; i < pairs.length; i++) {
    const { image, mask } = pairs[i]!;
    const rel = path.relative(root, image);
    const decoded = readImage(image, rel, root, { height: H, width: W });
    if (!decoded.ok) return decoded;
    const pixels = toModelInput(decoded.value, rel, C, H, W);
    if (!pixels.ok) return fail(`${pixels.error} (in ${root})`);
    images.set(pixels.value, i * C * H * W);
    const relMask = path.relative(root, mask);
    const maskBytes = readImageFile(mask, relMask, root);
    if (!maskBytes.ok) return maskBytes;
    const m = decodeMask(maskBytes.value, relMask);
    if (!m.ok) return fail(`${m.error} (in ${root})`);
    if (m.value.width !== decoded.value.width || m.value.height !== decoded.value.height)
      return fail(
        `${relMask} is ${m.value.width}×${m.value.height} but its image ${rel} is ${decoded.value.width}×${decoded.value.height}; a mask must have its image's size (in ${root})`,
      );
    const values = resizeMaskNearest(m.value, H, W);
    for (const v of values) if (v !== IGNORE_INDEX && v > maxValue) maxValue = v;
    masks.set(values, i * H * W);
  }
  return ok({ split: { count: pairs.length, images, labels: new Int32Array(pairs.length), masks, maskFiles: pairs.map((p) => p.mask) }, maxValue });
}

/** The class names of `DIR/classes.txt` (one a line), or null when there is none. */
function readClassNames(dir: string): Result<string[] | null> {
  const file = path.join(dir, "classes.txt");
  if (!fs.existsSync(file)) return ok(null);
  try {
    const names = fs
      .readFileSync(file, "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "");
    return names.length >= 2 ? ok(names) : fail(`${file} names ${names.length} class; a segmentation dataset needs at least 2 (background and one more)`);
  } catch (e) {
    return fail(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** Splits the pairs of one folder: a seeded hold-out of `fraction`, both in file order. */
function holdOut(pairs: readonly Pair[], fraction: number, seed: number): { train: Pair[]; validation: Pair[] } {
  const order = permutation(pairs.length, rngFor(seed, "segfolder-split"));
  const held = pairs.length > 1 ? Math.min(pairs.length - 1, Math.round(pairs.length * fraction)) : 0;
  const isHeld = new Set(Array.from(order.subarray(0, held)));
  return { train: pairs.filter((_, i) => !isHeld.has(i)), validation: pairs.filter((_, i) => isHeld.has(i)) };
}

export function loadSegFolder(dir: string, opts: SegOptions): Result<ImageDataset> {
  const listing = checkDir(dir, "segmentation folder");
  if (!listing.ok) return listing;
  const trainDir = findIn(dir, listing.value, ["train"]);
  const valDir = findIn(dir, listing.value, ["val", "validation", "valid", "test"]);
  let train: Pair[];
  let validation: Pair[];
  let sources: { train: string; validation: string };
  if (trainDir !== undefined && valDir !== undefined) {
    const t = listPairs(trainDir);
    if (!t.ok) return t;
    const v = listPairs(valDir);
    if (!v.ok) return v;
    [train, validation, sources] = [t.value, v.value, { train: trainDir, validation: valDir }];
  } else {
    const all = listPairs(dir);
    if (!all.ok) return all;
    ({ train, validation } = holdOut(all.value, opts.validationFraction, opts.seed));
    sources = {
      train: `${dir} (${Math.round((1 - opts.validationFraction) * 100)}%)`,
      validation: `${dir} (${Math.round(opts.validationFraction * 100)}% held out, seed ${opts.seed})`,
    };
  }
  if (train.length === 0) return fail(`segmentation folder ${dir} has no training image/mask pairs`);
  if (validation.length === 0) return fail(`segmentation folder ${dir} has no validation pairs (add a val/ folder, or more images for the hold-out)`);
  const bytes = (train.length + validation.length) * (opts.channels + 1) * opts.height * opts.width;
  if (bytes > MEMORY_BUDGET_BYTES)
    return fail(`${dir}: ${train.length + validation.length} images and masks at ${opts.height}×${opts.width} need more memory than the trainer holds`);
  const names = readClassNames(dir);
  if (!names.ok) return names;
  const t = loadPairs(train, dir, opts);
  if (!t.ok) return t;
  const v = loadPairs(validation, dir, opts);
  if (!v.ok) return v;
  const classes = names.value?.length ?? Math.max(2, Math.max(t.value.maxValue, v.value.maxValue) + 1);
  return ok({
    name: `segfolder:${dir}`,
    channels: opts.channels,
    height: opts.height,
    width: opts.width,
    classes,
    classNames: names.value ?? Array.from({ length: classes }, (_, i) => String(i)),
    train: t.value.split,
    validation: v.value.split,
    sources,
    task: "segmentation",
    ...(names.value !== null ? { classesFile: path.join(dir, "classes.txt") } : {}),
  });
}

/** The first pixel of a split's masks that is no class of `classes` (and not 255), as a message naming its mask. */
export function checkMaskValues(split: Split, height: number, width: number, classes: number, source: string): Result<true> {
  const masks = split.masks;
  if (masks === undefined) return ok(true);
  for (let i = 0; i < masks.length; i++) {
    const v = masks[i]!;
    if (v < classes || v === IGNORE_INDEX) continue;
    const n = Math.floor(i / (height * width));
    const at = i % (height * width);
    const file = split.maskFiles?.[n] ?? `mask ${n} of ${source}`;
    return fail(
      `${file}: pixel (${Math.floor(at / width)}, ${at % width}) at the model's ${height}×${width} has class ${v}, out of range for the model's ${classes} output classes (expected 0 to ${classes - 1}, or 255 to ignore)`,
    );
  }
  return ok(true);
}
