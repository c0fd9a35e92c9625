import * as path from "node:path";
import { inflateSync } from "node:zlib";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { formatBytes, formatCount } from "../../shared/format";
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

/**
 * The most pixels an image may have. Decoding takes about 16 bytes a pixel (RGBA bytes, then RGB
 * floats), so 2^25 pixels (e.g. 8192×4096) cost about half a gigabyte for one image at a time.
 */
export const MAX_IMAGE_PIXELS = 2 ** 25;
const BYTES_PER_DECODED_PIXEL = 16;

const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The size a PNG's IHDR or a JPEG's first SOF segment declares, read without decoding; null when not found. */
export function declaredSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes[0] === 0x89 && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR") {
    return { width: be32(bytes, 16), height: be32(bytes, 20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // no length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end before a frame header
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return at + 9 <= bytes.length ? { width: be16(bytes, at + 7), height: be16(bytes, at + 5) } : null;
    at += 2 + be16(bytes, at + 2);
  }
  return null;
}

/** Refuses an image whose declared size would take more memory to decode than an image may. */
export function checkDeclaredSize(bytes: Uint8Array, file: string, target: { height: number; width: number }): Result<true> {
  const size = declaredSize(bytes);
  if (size === null || size.width * size.height <= MAX_IMAGE_PIXELS) return ok(true);
  const pixels = size.width * size.height;
  return fail(
    `${file}: a ${size.width}×${size.height} image (${formatCount(pixels)} pixels) would take ${formatBytes(pixels * BYTES_PER_DECODED_PIXEL)} to decode, more than the ${formatCount(MAX_IMAGE_PIXELS)} pixels (e.g. 8192×4096) an image may have; the model takes ${target.height}×${target.width}: shrink the image first`,
  );
}

/**
 * An interlaced PNG's image data is inflated by pngjs without a limit: inflate it here first,
 * stopping at what its IHDR size can need, so that a small declared size cannot hide a bomb.
 */
function checkPngData(bytes: Uint8Array, file: string): Result<true> {
  const size = declaredSize(bytes);
  if (size === null || bytes.length < 29 || bytes[28] !== 1) return ok(true);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[bytes[25]!] ?? 4;
  const bits = channels * bytes[24]!;
  // every pixel's bits, and per row of each of the seven passes (at most 2h + 7 rows) a filter byte and a partial byte
  const most = Math.ceil((size.width * size.height * bits) / 8) + 2 * (2 * size.height + 7) + 64;
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = be32(bytes, at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === "IDAT") parts.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: most });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      return fail(`${file}: the image data inflates to more than the ${formatBytes(most)} its ${size.width}×${size.height} size needs; not decoded`);
  }
  return ok(true);
}

export function decodeImage(bytes: Uint8Array, file: string): Result<Decoded> {
  const ext = path.extname(file).toLowerCase();
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const data = checkPngData(bytes, file);
      if (!data.ok) return data;
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (isJpeg) {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: false,
        maxMemoryUsageInMB: 1024,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      const kind = ext === ".png" ? "PNG" : "JPEG";
      return fail(
        `${file}: not a ${kind} image (its first bytes are ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ") || "missing: the file is empty"})`,
      );
    }
  } catch (e) {
    return fail(`${file}: cannot decode the image (${e instanceof Error ? e.message : String(e)})`);
  }
  if (width < 1 || height < 1 || rgba.length < width * height * 4) return fail(`${file}: the decoded image is empty or truncated (${width}×${height})`);
  const n = width * height;
  const rgb = new Float32Array(3 * n);
  let grey = true;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i]!,
      g = rgba[4 * i + 1]!,
      b = rgba[4 * i + 2]!;
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
function resample1d(
  src: Float32Array,
  srcLen: number,
  dstLen: number,
  count: number,
  stride: number,
  step: number,
  dst: Float32Array,
  dstStride: number,
  dstStep: number,
): void {
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
