import * as path from "node:path";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { fail, ok, type Result } from "./types";

/** A decoded image: RGB planes (CHW) as floats 0–255, and whether it is grey (all channels equal). */
export interface Decoded {
  width: number;
  height: number;
  /** 3 × height × width, CHW. */
  rgb: Float32Array;
  grey: boolean;
}

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

export function decodeImage(bytes: Uint8Array, file: string): Result<Decoded> {
  const ext = path.extname(file).toLowerCase();
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      const kind = ext === ".png" ? "PNG" : "JPEG";
      return fail(`${file}: not a ${kind} image (its first bytes are ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ") || "missing: the file is empty"})`);
    }
  } catch (e) {
    return fail(`${file}: cannot decode the image (${e instanceof Error ? e.message : String(e)})`);
  }
  if (width < 1 || height < 1 || rgba.length < width * height * 4) return fail(`${file}: the decoded image is empty or truncated (${width}×${height})`);
  const n = width * height;
  const rgb = new Float32Array(3 * n);
  let grey = true;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i]!, g = rgba[4 * i + 1]!, b = rgba[4 * i + 2]!;
    rgb[i] = r;
    rgb[n + i] = g;
    rgb[2 * n + i] = b;
    if (grey && (r !== g || g !== b)) grey = false;
  }
  return ok({ width, height, rgb, grey });
}

/**
 * Resamples one channel with a triangle filter whose support grows with the reduction factor:
 * bilinear when enlarging, antialiased when shrinking (what PIL's BILINEAR resize does, and so what
 * torchvision's Resize does on PIL images).
 */
function resample1d(src: Float32Array, srcLen: number, dstLen: number, count: number, stride: number, step: number, dst: Float32Array, dstStride: number, dstStep: number): void {
  const scale = srcLen / dstLen;
  const support = Math.max(1, scale);
  for (let o = 0; o < dstLen; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(srcLen, Math.ceil(center + support));
    const weights: number[] = [];
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - center) / support));
      weights.push(w);
      total += w;
    }
    for (let k = 0; k < count; k++) {
      let acc = 0;
      for (let i = lo; i < hi; i++) acc += src[k * stride + i * step]! * weights[i - lo]!;
      dst[k * dstStride + o * dstStep] = total > 0 ? acc / total : 0;
    }
  }
}

/** Resizes CHW float planes from h×w to H×W. */
export function resizePlanes(src: Float32Array, channels: number, h: number, w: number, H: number, W: number): Float32Array {
  if (h === H && w === W) return src;
  const tmp = new Float32Array(channels * h * W);
  // rows: for each (c, y), resample along x
  resample1d(src, w, W, channels * h, w, 1, tmp, W, 1);
  const out = new Float32Array(channels * H * W);
  for (let c = 0; c < channels; c++) {
    // columns: for each x, resample along y
    const srcPlane = tmp.subarray(c * h * W, (c + 1) * h * W);
    const dstPlane = out.subarray(c * H * W, (c + 1) * H * W);
    resample1d(srcPlane, h, H, W, 1, W, dstPlane, 1, W);
  }
  return out;
}

/** Converts a decoded image to `channels` bytes planes at H×W, or explains why it does not fit. */
export function toModelInput(img: Decoded, file: string, channels: number, H: number, W: number): Result<Uint8Array> {
  let planes: Float32Array;
  if (channels === 3) planes = img.rgb;
  else if (channels === 1) {
    if (!img.grey) return fail(`${file}: a colour (RGB) image, but the model's @input has 1 channel (expected greyscale images)`);
    planes = img.rgb.subarray(0, img.width * img.height);
  } else return fail(`${file}: images have 1 (greyscale) or 3 (RGB) channels, but the model's @input has ${channels}`);
  const resized = resizePlanes(planes, channels, img.height, img.width, H, W);
  const out = new Uint8Array(channels * H * W);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(resized[i]!)));
  return ok(out);
}
