import type { Tensor } from "../../src/shared/webview/common";
import { lut, type ColormapName } from "./colormap";

/** Statistics and painting of `[C, H, W]` tensors on canvases (one pass each, no allocations per value). */

export interface ChannelStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Fraction of exact zeros (a dead ReLU channel is all zeros). */
  zeros: number;
}

export function channelStats(data: Float32Array, channels: number, size: number): ChannelStats[] {
  const out: ChannelStats[] = new Array(channels);
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sq = 0;
    let zeros = 0;
    let n = 0;
    const end = (c + 1) * size;
    for (let i = c * size; i < end; i++) {
      const v = data[i]!;
      if (v !== v) continue; // NaN
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sq += v * v;
      if (v === 0) zeros++;
      n++;
    }
    const mean = n ? sum / n : NaN;
    out[c] = { min: n ? min : NaN, max: n ? max : NaN, mean, std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN, zeros: size ? zeros / size : 0 };
  }
  return out;
}

/** Values [offset, offset + h·w) mapped through a colour map into `target` (packed RGBA) at row stride `stride`. */
export function paintValues(
  data: Float32Array,
  offset: number,
  h: number,
  w: number,
  lo: number,
  hi: number,
  colors: Uint32Array,
  target: Uint32Array,
  targetOffset: number,
  stride: number,
): void {
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const mid = hi > lo ? -1 : 0;
  for (let y = 0; y < h; y++) {
    let src = offset + y * w;
    let dst = targetOffset + y * stride;
    for (let x = 0; x < w; x++) {
      const v = data[src++]!;
      let k: number;
      if (v !== v) k = 256;
      else if (mid >= 0) k = mid;
      else {
        k = ((v - lo) * scale) | 0;
        if (k < 0) k = 0;
        else if (k > 255) k = 255;
      }
      target[dst++] = colors[k]!;
    }
  }
}

/** One channel as an ImageData (w × h) in a colour map. */
export function channelImage(t: Tensor, channel: number, lo: number, hi: number, map: ColormapName): ImageData {
  const [, h = 1, w = 1] = t.shape;
  const img = new ImageData(w, h);
  paintValues(t.data, channel * h * w, h, w, lo, hi, lut(map), new Uint32Array(img.data.buffer), 0, w);
  return img;
}

/**
 * An input image `[C, H, W]` for display: RGB for 3 channels, grey for 1 (others: the mean over
 * channels), each stretched to its own range.
 */
export function inputImage(t: Tensor): ImageData {
  const [c = 1, h = 1, w = 1] = t.shape;
  const img = new ImageData(w, h);
  const px = img.data;
  const n = h * w;
  const range = (from: number, to: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      const v = t.data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
  };
  if (c === 3) {
    const [lo, hi] = range(0, 3 * n);
    const k = 255 / (hi - lo);
    for (let i = 0; i < n; i++) {
      px[i * 4] = (t.data[i]! - lo) * k;
      px[i * 4 + 1] = (t.data[n + i]! - lo) * k;
      px[i * 4 + 2] = (t.data[2 * n + i]! - lo) * k;
      px[i * 4 + 3] = 255;
    }
  } else {
    const mean = new Float32Array(n);
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) mean[i] = mean[i]! + t.data[ch * n + i]! / c;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of mean) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) {
      const g = (mean[i]! - lo) * k;
      px[i * 4] = g;
      px[i * 4 + 1] = g;
      px[i * 4 + 2] = g;
      px[i * 4 + 3] = 255;
    }
  }
  return img;
}

/** Puts an ImageData on a canvas of its size (the canvas is scaled with CSS, pixelated). */
export function putImage(canvas: HTMLCanvasElement, img: ImageData): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  canvas.getContext("2d")!.putImageData(img, 0, 0);
}

/** A colour bar (horizontal gradient) canvas. */
export function colorbar(canvas: HTMLCanvasElement, map: ColormapName): void {
  const img = new ImageData(256, 1);
  const out = new Uint32Array(img.data.buffer);
  out.set(lut(map).subarray(0, 256));
  putImage(canvas, img);
}

/** A short number: 3 significant digits, exponent for very large or small. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/**
 * Runs the hot loops (statistics, colour mapping, input conversion) on small data once the panel
 * is idle, so that the engine has optimised them before the first real tensor arrives.
 */
export function warmUp(): void {
  const run = (): void => {
    const c = 16;
    const n = 64 * 64;
    const data = new Float32Array(c * n);
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.sin(i * 0.01));
    const target = new Uint32Array(n);
    for (let round = 0; round < 4; round++) {
      const stats = channelStats(data, c, n);
      for (let k = 0; k < c; k++) paintValues(data, k * n, 64, 64, stats[k]!.min, stats[k]!.max, lut("viridis"), target, 0, 64);
      inputImage({ shape: [3, 32, 32], data: data.subarray(0, 3 * 32 * 32) });
      inputImage({ shape: [1, 32, 32], data: data.subarray(0, 32 * 32) });
    }
  };
  const idle = (globalThis as { requestIdleCallback?: (f: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
  if (idle) idle(run, { timeout: 500 });
  else setTimeout(run, 50);
}
