import type { ImageDataset } from "../../data/index";

/**
 * The dataset as the raw files trainer.py reads (`read_split`, and `read_masks` in segmentation.py):
 * per split, images (uint8, CHW per image), labels (int32, little-endian) and, for segmentation,
 * masks (uint8, one class index per pixel, 255 = ignore). One writer for the engine's temporary
 * folder (pythonRun.ts) and for `export --with-trainer`'s data/ (standalone.ts); `write` stores a
 * file and returns how data.json names it (an absolute path, or one relative to data/).
 */
export interface PreparedData {
  channels: number;
  height: number;
  width: number;
  classes: number;
  segmentation?: true;
  train: PreparedSplit;
  validation: PreparedSplit;
}

export interface PreparedSplit {
  images: string;
  labels: string;
  masks?: string;
  count: number;
}

export function writePreparedData(d: ImageDataset, write: (file: string, data: Uint8Array) => string): PreparedData {
  const split = (name: string, s: ImageDataset["train"]): PreparedSplit => {
    const images = write(`${name}-images.u8`, s.images);
    const labels = write(`${name}-labels.i32`, new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength));
    if (s.masks === undefined) return { images, labels, count: s.count };
    return { images, labels, masks: write(`${name}-masks.u8`, s.masks), count: s.count };
  };
  return {
    channels: d.channels,
    height: d.height,
    width: d.width,
    classes: d.classes,
    ...(d.task === "segmentation" ? { segmentation: true as const } : {}),
    train: split("train", d.train),
    validation: split("validation", d.validation),
  };
}

/** The bytes of the prepared files (what `export --with-trainer` reports). */
export function preparedBytes(d: ImageDataset): number {
  const split = (s: ImageDataset["train"]): number => s.images.byteLength + s.labels.byteLength + (s.masks?.byteLength ?? 0);
  return split(d.train) + split(d.validation);
}
