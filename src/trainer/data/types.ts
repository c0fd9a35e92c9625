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
}

/** What the model expects, from its `@input` and output shapes. */
export interface ModelInputSpec {
  channels: number;
  height: number;
  width: number;
  /** The size of the output's last dimension: the number of classes the model can predict. */
  classes: number;
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
