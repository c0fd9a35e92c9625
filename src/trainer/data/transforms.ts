import { JITTER, RRC_RATIO, RRC_SCALE, type AugmentPreset } from "../../shared/trainConfigData";
import { permutation, type Rng } from "../rng";
import { resizePlanes, type Decoded } from "./image";

/**
 * torchvision's image transforms on CHW float planes of 0–255 values (src/trainer/data/image.ts
 * decodes them): the evaluation resize (Resize + CenterCrop), RandomResizedCrop, horizontal flip and
 * ColorJitter. Each stage ends on whole bytes, as torchvision's PIL path does (every PIL image is 8-bit).
 */

/** An image as channel planes: `channels` × h × w floats, 0–255. */
export interface Planes {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** Python's round(): halves to even (torchvision's centre crop uses it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const toBytes = (p: Float32Array): Float32Array => p.map((v) => Math.max(0, Math.min(255, Math.round(v))));

/**
 * A decoded image with the model's channel count: RGB as it is, grey replicated for 3 channels
 * (PIL's convert("RGB")), colour to grey with PIL's convert("L") luma (299/587/114 in fixed point)
 * for 1 channel; `converted` says when colour became grey. Alpha was dropped by the decoder, as PIL's convert("RGB") drops it.
 */
export function withChannels(img: Decoded, channels: 1 | 3): { planes: Planes; converted: boolean } {
  const n = img.width * img.height;
  if (channels === 3) return { planes: { channels, height: img.height, width: img.width, data: img.rgb }, converted: false };
  if (img.grey) return { planes: { channels, height: img.height, width: img.width, data: img.rgb.subarray(0, n) }, converted: false };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (img.rgb[i]! * 19595 + img.rgb[n + i]! * 38470 + img.rgb[2 * n + i]! * 7471 + 0x8000) >>> 16;
  return { planes: { channels, height: img.height, width: img.width, data: out }, converted: true };
}

/** The region (top, left, height, width) of `p`, copied. */
export function cropPlanes(p: Planes, top: number, left: number, h: number, w: number): Planes {
  const out = new Float32Array(p.channels * h * w);
  for (let c = 0; c < p.channels; c++)
    for (let y = 0; y < h; y++) {
      const from = c * p.height * p.width + (top + y) * p.width + left;
      out.set(p.data.subarray(from, from + w), c * h * w + y * w);
    }
  return { channels: p.channels, height: h, width: w, data: out };
}

/** Resizes to H×W with PIL's bilinear (antialiased) filter and rounds to bytes. */
export function resizeTo(p: Planes, H: number, W: number): Planes {
  const data = resizePlanes(p.data, p.channels, p.height, p.width, H, W);
  return { channels: p.channels, height: H, width: W, data: toBytes(data) };
}

/**
 * The evaluation transform at the model's H×W: torchvision's Resize(S) (shorter side to S, the
 * longer to int(S·long/short)) with S = round(max(H, W)·256/224), then CenterCrop((H, W)).
 */
export function resizeCenterCrop(p: Planes, H: number, W: number): Planes {
  const S = Math.round((Math.max(H, W) * 256) / 224);
  const [h, w] = p.width <= p.height ? [Math.floor((S * p.height) / p.width), S] : [S, Math.floor((S * p.width) / p.height)];
  const resized = p.height === h && p.width === w ? { ...p, data: toBytes(p.data) } : resizeTo(p, h, w);
  return cropPlanes(resized, roundHalfEven((h - H) / 2), roundHalfEven((w - W) / 2), H, W);
}

/** RandomResizedCrop.get_params (torchvision): ten tries at a random area and aspect ratio, then a centred crop of the nearest ratio. */
export function randomResizedCropBox(height: number, width: number, rng: Rng): { top: number; left: number; h: number; w: number } {
  const area = height * width;
  const [lo, hi] = [Math.log(RRC_RATIO[0]), Math.log(RRC_RATIO[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (RRC_SCALE[0] + (RRC_SCALE[1] - RRC_SCALE[0]) * rng.next());
    const aspect = Math.exp(lo + (hi - lo) * rng.next());
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), h, w };
  }
  const ratio = width / height;
  let [h, w] = [height, width];
  if (ratio < RRC_RATIO[0]) h = roundHalfEven(w / RRC_RATIO[0]);
  else if (ratio > RRC_RATIO[1]) w = roundHalfEven(h * RRC_RATIO[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), h, w };
}

export function flipPlanes(p: Planes): Planes {
  const out = new Float32Array(p.data.length);
  for (let r = 0; r < p.channels * p.height; r++) for (let x = 0; x < p.width; x++) out[r * p.width + x] = p.data[r * p.width + p.width - 1 - x]!;
  return { ...p, data: out };
}

/** The grey value of each pixel (torchvision's rgb_to_grayscale weights); a 1-channel image is its own. */
function grey(p: Planes): Float32Array {
  const n = p.height * p.width;
  if (p.channels === 1) return p.data.subarray(0, n);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = 0.2989 * p.data[i]! + 0.587 * p.data[n + i]! + 0.114 * p.data[2 * n + i]!;
  return g;
}

/** torchvision's _blend: ratio·img + (1 − ratio)·other, clamped to 0–255, then whole bytes. */
function blend(p: Planes, ratio: number, other: (c: number, i: number) => number): Planes {
  const n = p.height * p.width;
  const out = new Float32Array(p.data.length);
  for (let c = 0; c < p.channels; c++) for (let i = 0; i < n; i++) out[c * n + i] = ratio * p.data[c * n + i]! + (1 - ratio) * other(c, i);
  return { ...p, data: toBytes(out) };
}

/**
 * ColorJitter(brightness, contrast, saturation) as torchvision: the order of the three drawn first
 * (a permutation), then the three factors uniform in [max(0, 1 − s), 1 + s]; saturation leaves a 1-channel image as it is.
 */
export function colorJitter(p: Planes, rng: Rng): Planes {
  const order = permutation(3, rng);
  const f = (s: number) => Math.max(0, 1 - s) + (1 + s - Math.max(0, 1 - s)) * rng.next();
  const factors = [f(JITTER.brightness), f(JITTER.contrast), f(JITTER.saturation)];
  let out = p;
  for (const k of order) {
    const r = factors[k]!;
    if (k === 0) out = blend(out, r, () => 0);
    else if (k === 1) {
      const g = grey(out);
      const mean = g.reduce((a, b) => a + b, 0) / g.length;
      out = blend(out, r, () => mean);
    } else if (out.channels === 3) {
      const g = grey(out);
      out = blend(out, r, (_, i) => g[i]!);
    }
  }
  return out;
}

/** One training image through the preset's transforms at H×W, its draws taken from `rng` in torchvision's order. */
export function augmentImage(p: Planes, preset: AugmentPreset, H: number, W: number, rng: Rng): Planes {
  let out: Planes;
  if (preset === "standard" || preset === "strong") {
    const box = randomResizedCropBox(p.height, p.width, rng);
    out = resizeTo(cropPlanes(p, box.top, box.left, box.h, box.w), H, W);
  } else out = p.height === H && p.width === W ? p : resizeTo(p, H, W);
  if (preset !== "none" && rng.next() < 0.5) out = flipPlanes(out);
  if (preset === "strong") out = colorJitter(out, rng);
  return out;
}
