import { inflateSync } from "node:zlib";
import { decodeImage, MAX_IMAGE_PIXELS } from "./image";
import { fail, ok, type Result } from "./types";

/**
 * Segmentation masks: PNGs whose pixel value is the class index (255 = ignored). An 8-bit palette
 * PNG (Pascal VOC's SegmentationClass) gives its palette indices, as PIL's `Image.open(mask)` does,
 * an 8-bit greyscale PNG its grey values; both are read here, since a general decoder would turn
 * the palette into colours. Other PNGs are decoded in full and must be grey (R = G = B).
 */

export interface Mask {
  width: number;
  height: number;
  /** height × width values, row-major. */
  values: Uint8Array;
}

const be32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  data: Uint8Array[];
}

function readChunks(bytes: Uint8Array, file: string): Result<Header> {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 33 || signature.some((b, i) => bytes[i] !== b))
    return fail(`${file}: not a PNG file (masks are PNGs whose pixel values are class indices)`);
  const head: Header = { width: be32(bytes, 16), height: be32(bytes, 20), bitDepth: bytes[24]!, colorType: bytes[25]!, interlace: bytes[28]!, data: [] };
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = be32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) return fail(`${file}: the PNG is truncated (chunk ${type} runs past the end of the file)`);
    if (type === "IDAT") head.data.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === "IEND") break;
    at += 12 + length;
  }
  return ok(head);
}

/** PNG's filters 0–4 undone in place, for one byte per pixel. */
function unfilter(raw: Uint8Array, width: number, height: number, file: string): Result<Uint8Array> {
  const out = new Uint8Array(width * height);
  const stride = width + 1;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride]!;
    const row = y * width;
    const prev = row - width;
    for (let x = 0; x < width; x++) {
      const v = raw[y * stride + 1 + x]!;
      const a = x > 0 ? out[row + x - 1]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x > 0 && y > 0 ? out[prev + x - 1]! : 0;
      let pred: number;
      if (filter === 0) pred = 0;
      else if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a),
          pb = Math.abs(p - b),
          pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else return fail(`${file}: row ${y} has an unknown PNG filter type ${filter}`);
      out[row + x] = (v + pred) & 0xff;
    }
  }
  return ok(out);
}

/** The class index of every pixel of a mask PNG, or why it cannot be one. */
export function decodeMask(bytes: Uint8Array, file: string): Result<Mask> {
  const head = readChunks(bytes, file);
  if (!head.ok) return head;
  const { width, height, bitDepth, colorType, interlace } = head.value;
  if (width < 1 || height < 1) return fail(`${file}: the mask is empty (${width}×${height})`);
  if (width * height > MAX_IMAGE_PIXELS) return fail(`${file}: a ${width}×${height} mask is larger than the trainer reads`);
  if ((colorType === 0 || colorType === 3) && bitDepth === 8 && interlace === 0) {
    let raw: Buffer;
    try {
      raw = inflateSync(Buffer.concat(head.value.data), { maxOutputLength: (width + 1) * height });
    } catch (e) {
      return fail(`${file}: cannot decode the mask (${e instanceof Error ? e.message : String(e)})`);
    }
    if (raw.length < (width + 1) * height) return fail(`${file}: the mask's image data is truncated (${raw.length} of ${(width + 1) * height} bytes)`);
    const values = unfilter(raw, width, height, file);
    return values.ok ? ok({ width, height, values: values.value }) : values;
  }
  const decoded = decodeImage(bytes, file);
  if (!decoded.ok) return decoded;
  if (!decoded.value.grey)
    return fail(
      `${file}: the mask is a colour image; a mask's pixel value is the class index (an 8-bit greyscale or palette PNG, as Pascal VOC's SegmentationClass)`,
    );
  const values = Uint8Array.from(decoded.value.rgb.subarray(0, width * height));
  return ok({ width, height, values });
}

/** A mask resized to H×W with nearest-neighbour sampling (PIL's NEAREST, torchvision's InterpolationMode.NEAREST). */
export function resizeMaskNearest(m: Mask, H: number, W: number): Uint8Array {
  if (m.height === H && m.width === W) return m.values;
  const out = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(m.height - 1, Math.floor(((y + 0.5) * m.height) / H));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(m.width - 1, Math.floor(((x + 0.5) * m.width) / W));
      out[y * W + x] = m.values[sy * m.width + sx]!;
    }
  }
  return out;
}
