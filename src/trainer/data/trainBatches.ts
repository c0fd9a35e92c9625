import * as fs from "node:fs";
import * as path from "node:path";
import type { AugmentPreset } from "../../shared/trainConfigData";
import { rngFor } from "../rng";
import { modelPlanes } from "./fineTune";
import { checkDeclaredSize, decodeImage } from "./image";
import { augmentImage, type Planes } from "./transforms";
import { fail, ok, type Result } from "./types";

/**
 * Training batches of the `standard` and `strong` presets (src/shared/trainConfigData.ts): each
 * image is decoded again from its file (image folders) or taken from memory (other datasets), cut
 * with a RandomResizedCrop, flipped and jittered with draws from hash(seed, "augment", globalStep)
 * in batch order, then normalised. The same function runs in the trainer's thread and in the
 * decoding worker (batchWorker.ts), so both give the same batches.
 */

/** What a batch maker needs: plain data, so that it can be posted to a worker. */
export interface BatchSpec {
  channels: number;
  height: number;
  width: number;
  /** count × C×H×W bytes (used when `files` is absent). */
  images: Uint8Array | null;
  labels: Int32Array;
  /** Image folders: each training image's file. */
  files: readonly string[] | null;
  /** Byte → normalised float, one table per channel. */
  tables: Float32Array[];
  preset: AugmentPreset;
  seed: number;
}

export interface TrainBatch {
  /** n × C×H×W normalised floats. */
  x: Float32Array;
  y: Int32Array;
}

/** Image `n` as 0–255 planes: decoded from its file (at its own size) or from memory (at the model's). */
function sourceImage(spec: BatchSpec, n: number): Result<Planes> {
  const { channels: C, height: H, width: W } = spec;
  if (spec.files === null) {
    const size = C * H * W;
    return ok({ channels: C, height: H, width: W, data: Float32Array.from(spec.images!.subarray(n * size, (n + 1) * size)) });
  }
  const file = spec.files[n]!;
  const name = path.basename(path.dirname(file)) + "/" + path.basename(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return fail(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}) for a training batch`);
  }
  const declared = checkDeclaredSize(bytes, name, { height: H, width: W });
  if (!declared.ok) return fail(`${declared.error} (${file})`);
  const decoded = decodeImage(bytes, name);
  if (!decoded.ok) return fail(`${decoded.error} (${file}, changed since the run started?)`);
  return modelPlanes(decoded.value, name, C, new Set());
}

/** The training batch of images `indices` at global step `globalStep` (1-based), or the message of the image that failed. */
export function makeTrainBatch(spec: BatchSpec, indices: ArrayLike<number>, globalStep: number): Result<TrainBatch> {
  const { channels: C, height: H, width: W } = spec;
  const size = C * H * W;
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  const rng = rngFor(spec.seed, "augment", globalStep);
  for (let b = 0; b < indices.length; b++) {
    const n = indices[b]!;
    const src = sourceImage(spec, n);
    if (!src.ok) return src;
    const img = augmentImage(src.value, spec.preset, H, W, rng);
    y[b] = spec.labels[n]!;
    for (let c = 0; c < C; c++) {
      const t = spec.tables[c]!;
      const o = b * size + c * H * W;
      for (let i = 0; i < H * W; i++) x[o + i] = t[img.data[c * H * W + i]!]!;
    }
  }
  return ok({ x, y });
}
