/** Image classification data held in memory as bytes, at the model's input size. */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Result<T> => ({ ok: false, error });

export interface Split {
  readonly count: number;
  /** count × channels × height × width bytes, CHW per image (0 = black). */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Int32Array;
  /** Image folders: each image's file (absolute), for decoding it again at its own size (random resized crops). */
  readonly files?: readonly string[];
  /** Segmentation data: count × height × width class indices, one per pixel (255 = ignored); `labels` are then all 0. */
  readonly masks?: Uint8Array;
  /** Segmentation folders: each mask's file, for messages. */
  readonly maskFiles?: readonly string[];
}

export interface ImageDataset {
  /** As given on the command line: `mnist-sample`, `idx:/data/mnist`, ... */
  readonly name: string;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Number of classes of the data (largest label + 1, or the number of class folders). */
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly train: Split;
  readonly validation: Split;
  /** Where each split came from, for error messages (`train-labels-idx1-ubyte.gz`, a folder, ...). */
  readonly sources: { readonly train: string; readonly validation: string };
  /** What loading changed about the images (colour made grey, ...), for the run log. */
  readonly notes?: readonly string[];
  /** `segmentation`: every split has `masks` (a class per pixel); absent: one label per image. */
  readonly task?: "segmentation";
  /** The file that names the classes (a segmentation folder's `classes.txt`), for messages; absent when the data sets the count. */
  readonly classesFile?: string;
}

/** What the model expects, from its `@input` and output shapes. */
export interface ModelInputSpec {
  channels: number;
  height: number;
  width: number;
  /** The size of the output's last dimension: the number of classes the model can predict. */
  classes: number;
  /** The output is per-pixel class scores [N, classes, H, W] (a segmentation model): it trains on masks. */
  segmentation?: boolean;
}

export function sizeOf(d: { channels: number; height: number; width: number }): number {
  return d.channels * d.height * d.width;
}

/** Largest label + 1, and the index of the first negative label (-1 if none). */
export function labelRange(labels: Int32Array): { max: number; firstNegative: number } {
  let max = -1;
  let firstNegative = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l > max) max = l;
    if (l < 0 && firstNegative < 0) firstNegative = i;
  }
  return { max, firstNegative };
}

/**
 * The most image and label data a dataset may hold in memory: every declared size (IDX header
 * counts, decompressed files, the images of a folder) is checked against it before it is read.
 */
export const MEMORY_BUDGET_BYTES = 2 ** 31;

/** Images of `d`'s channels and size must be what the model's @input takes. */
export function checkShape(d: { name: string; channels: number; height: number; width: number; source: string }, input: ModelInputSpec): Result<true> {
  if (d.channels !== input.channels) {
    return fail(
      `${d.name}: images have ${d.channels} channel${d.channels === 1 ? "" : "s"} but the model's @input expects ${input.channels} (source: ${d.source})`,
    );
  }
  if (d.height !== input.height || d.width !== input.width) {
    return fail(
      `${d.name}: images are ${d.height}×${d.width} but the model's @input expects ${input.height}×${input.width} (source: ${d.source}); use an image folder to resize, or change @input`,
    );
  }
  return ok(true);
}
