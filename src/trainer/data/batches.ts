import type { Rng } from "../rng";
import type { Split } from "./types";

/** Per-channel normalisation, in units of [0, 1] pixels: x' = (x/255 − mean) / std. */
export interface Normalization {
  mean: number[];
  std: number[];
}

export const IDENTITY_NORMALIZATION = (channels: number): Normalization => ({ mean: Array(channels).fill(0), std: Array(channels).fill(1) });

/** The training split's per-channel mean and (population) standard deviation, in [0, 1] units. */
export function channelStats(split: Split, channels: number, pixels: number): Normalization {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  // byte histograms per channel: exact and fast
  const hist = Array.from({ length: channels }, () => new Float64Array(256));
  const img = channels * pixels;
  for (let n = 0; n < split.count; n++) {
    for (let c = 0; c < channels; c++) {
      const h = hist[c]!;
      const base = n * img + c * pixels;
      for (let i = 0; i < pixels; i++) h[split.images[base + i]!]!++;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  const count = split.count * pixels;
  for (let c = 0; c < channels; c++) {
    const h = hist[c]!;
    for (let v = 0; v < 256; v++) {
      sum[c]! += (h[v]! * v) / 255;
      sq[c]! += (h[v]! * v * v) / (255 * 255);
    }
    const m = count > 0 ? sum[c]! / count : 0;
    const variance = count > 0 ? Math.max(0, sq[c]! / count - m * m) : 1;
    mean.push(m);
    std.push(Math.sqrt(variance) || 1);
  }
  return { mean, std };
}

export interface Augmentation {
  cropPadding: number;
  flip: boolean;
}

export interface BatchShape {
  channels: number;
  height: number;
  width: number;
}

/** A lookup table per channel: byte → normalised float. */
export function normalizationTable(norm: Normalization): Float32Array[] {
  return norm.mean.map((m, c) => {
    const s = norm.std[c]!;
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v / 255 - m) / s;
    return t;
  });
}

/**
 * Fills `x` (NCHW floats) and `y` with the images `indices` of the split, normalised, and with
 * random crop/flip drawn from `rng` when given (training); `rng` null means no augmentation.
 */
export function fillBatch(
  split: Split,
  indices: ArrayLike<number>,
  shape: BatchShape,
  tables: readonly Float32Array[],
  augment: Augmentation | null,
  rng: Rng | null,
  x: Float32Array,
  y: Int32Array,
): void {
  const { channels: C, height: H, width: W } = shape;
  const img = C * H * W;
  const P = augment && rng ? augment.cropPadding : 0;
  for (let b = 0; b < indices.length; b++) {
    const n = indices[b]!;
    y[b] = split.labels[n]!;
    const src = n * img;
    const dst = b * img;
    const dy = P > 0 ? rng!.int(2 * P + 1) - P : 0;
    const dx = P > 0 ? rng!.int(2 * P + 1) - P : 0;
    const flip = augment !== null && rng !== null && augment.flip && rng.next() < 0.5;
    if (dy === 0 && dx === 0 && !flip) {
      for (let c = 0; c < C; c++) {
        const t = tables[c]!;
        const o = c * H * W;
        for (let i = 0; i < H * W; i++) x[dst + o + i] = t[split.images[src + o + i]!]!;
      }
      continue;
    }
    for (let c = 0; c < C; c++) {
      const t = tables[c]!;
      const pad = t[0]!; // zero padding in pixel space, as torchvision pads before normalising
      const o = c * H * W;
      for (let i = 0; i < H; i++) {
        const si = i + dy;
        for (let j = 0; j < W; j++) {
          const jj = flip ? W - 1 - j : j;
          const sj = jj + dx;
          x[dst + o + i * W + j] = si < 0 || si >= H || sj < 0 || sj >= W ? pad : t[split.images[src + o + si * W + sj]!]!;
        }
      }
    }
  }
}
