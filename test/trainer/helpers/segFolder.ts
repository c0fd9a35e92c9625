import * as fs from "node:fs";
import * as path from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { tempDir } from "./env";

/** Segmentation folders on disk for the tests: palette PNG masks (Pascal VOC's format), colour images, DIR/images + DIR/masks. */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit palette PNG (VOC's SegmentationClass format) of the given indices, rows filtered with `filter` (0–4). */
export function palettePng(width: number, height: number, values: readonly number[], filter = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const palette = Buffer.alloc(256 * 3);
  for (let i = 0; i < 256; i++) palette.set([(i * 37) & 255, (i * 91) & 255, (i * 13) & 255], 3 * i);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = filter;
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x]!;
      const left = x > 0 ? values[y * width + x - 1]! : 0;
      const up = y > 0 ? values[(y - 1) * width + x]! : 0;
      const pred = filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : 0;
      raw[y * (width + 1) + 1 + x] = (v - pred) & 255;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("PLTE", palette), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))]);
}

export function rgbPng(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    const v = value(i % width, Math.floor(i / width));
    png.data.set([v, 255 - v, (v * 3) & 255, 255], 4 * i);
  }
  return PNG.sync.write(png);
}

/** DIR/images/<k>.png and DIR/masks/<k>.png: a left half of class 0, a right half of class (k % 2) + 1, a corner ignored. */
export function segFolder(count = 6, size = 8, imagesName = "images", masksName = "masks"): string {
  const dir = tempDir("cnn-studio-segfolder-");
  fs.mkdirSync(path.join(dir, imagesName));
  fs.mkdirSync(path.join(dir, masksName));
  for (let k = 0; k < count; k++) {
    const cls = (k % 2) + 1;
    const values = Array.from({ length: size * size }, (_, i) => (i === 0 ? 255 : i % size < size / 2 ? 0 : cls));
    fs.writeFileSync(
      path.join(dir, imagesName, `${k}.png`),
      rgbPng(size, size, (x) => (x < size / 2 ? 20 : 200)),
    );
    fs.writeFileSync(path.join(dir, masksName, `${k}.png`), palettePng(size, size, values, k % 4));
  }
  return dir;
}
