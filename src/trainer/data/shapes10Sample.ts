import { mulberry32 } from "../rng";
import { ok, type ImageDataset, type Result } from "./types";

/**
 * The bundled 3-channel sample `shapes10-sample` (issue 19, item 15): 6,000 colour images of
 * 3×32×32 in ten classes of shapes and textures, drawn from a fixed seed when it is first loaded (no
 * file, no download; the same images on every machine), with a fixed 5,000/1,000 split.
 *
 * What makes it more than a colour test: the foreground and background colours are random in every
 * image (colour tells nothing about the class), shapes have a random size, position and rotation,
 * textures a random period, phase, tilt and patch, and every pixel has noise. A linear model on the
 * pixels stays far below a small CNN (test/trainer/data/shapes10Sample.test.ts).
 */

export const SHAPES10_NAME = "shapes10-sample";
export const SHAPES10_CLASSES = ["circle", "ring", "square", "triangle", "cross", "star", "h-stripes", "v-stripes", "checker", "dots"] as const;
export const SHAPES10 = { size: 32, channels: 3, count: 6000, trainCount: 5000, seed: 20261207 } as const;

type Rgb = [number, number, number];
type Inside = (x: number, y: number) => boolean;

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const randomColour = (rand: () => number): Rgb => [Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256)];
const distance = (a: Rgb, b: Rgb): number => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
const fraction = (v: number): number => ((v % 1) + 1) % 1;

/** A colour at least `min` (sum of the channels' differences) away from `from`. */
function contrastingColour(rand: () => number, from: Rgb, min: number): Rgb {
  for (;;) {
    const c = randomColour(rand);
    if (distance(c, from) >= min) return c;
  }
}

/** Point-in-shape tests in the shape's own frame (centred, rotated), r its radius. */
const SHAPE_TESTS: readonly ((x: number, y: number, r: number) => boolean)[] = [
  (x, y, r) => x * x + y * y <= r * r, // circle
  (x, y, r) => x * x + y * y <= r * r && x * x + y * y >= (0.55 * r) ** 2, // ring
  (x, y, r) => Math.abs(x) <= 0.8 * r && Math.abs(y) <= 0.8 * r, // square
  (x, y, r) => y <= 0.5 * r && y >= -r + 1.732 * Math.abs(x), // triangle
  (x, y, r) => (Math.abs(x) <= 0.3 * r && Math.abs(y) <= r) || (Math.abs(y) <= 0.3 * r && Math.abs(x) <= r), // cross
  (x, y, r) => {
    // five-pointed star: the radius goes from 0.42 r between the points to r at them
    const k = Math.abs(fraction((Math.atan2(y, x) / (2 * Math.PI)) * 5 + 0.25) - 0.5) * 2;
    const edge = 0.42 * r + 0.58 * r * k;
    return x * x + y * y <= edge * edge;
  },
];

/** Texture tests with period p, in a frame tilted a little and shifted by a random phase. */
const TEXTURE_TESTS: readonly ((x: number, y: number, p: number) => boolean)[] = [
  (_x, y, p) => Math.floor(y / (p / 2)) % 2 === 0, // horizontal stripes
  (x, _y, p) => Math.floor(x / (p / 2)) % 2 === 0, // vertical stripes
  (x, y, p) => (Math.floor(x / (p / 2)) + Math.floor(y / (p / 2))) % 2 === 0, // checker
  (x, y, p) => {
    const u = (x % p) - p / 2;
    const v = (y % p) - p / 2;
    return u * u + v * v <= (0.3 * p) ** 2; // dots
  },
];

function shapeTest(rand: () => number, label: number, size: number): Inside {
  const test = SHAPE_TESTS[label]!;
  const angle = uniform(rand, 0, 2 * Math.PI);
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  const r = uniform(rand, 6, 12);
  const cx = uniform(rand, r, size - r);
  const cy = uniform(rand, r, size - r);
  return (x, y) => test(ca * (x - cx) + sa * (y - cy), -sa * (x - cx) + ca * (y - cy), r);
}

function textureTest(rand: () => number, label: number, size: number): Inside {
  const test = TEXTURE_TESTS[label - SHAPE_TESTS.length]!;
  const p = uniform(rand, 4, 9);
  const px = uniform(rand, 32, 96);
  const py = uniform(rand, 32, 96);
  const tilt = uniform(rand, -0.15, 0.15);
  const [ct, st] = [Math.cos(tilt), Math.sin(tilt)];
  const w = uniform(rand, 16, size);
  const h = uniform(rand, 16, size);
  const x0 = uniform(rand, 0, size - w);
  const y0 = uniform(rand, 0, size - h);
  return (x, y) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h && test(ct * x + st * y + px, -st * x + ct * y + py, p);
}

const SUBSAMPLES = [0.25, 0.75] as const;

/** One image of class `label`: CHW bytes, 3×32×32. */
export function drawShapes10(rand: () => number, label: number): Uint8Array {
  const S = SHAPES10.size;
  const bg0 = randomColour(rand);
  const bg1 = bg0.map((v) => Math.max(0, Math.min(255, v + Math.floor(uniform(rand, -60, 60))))) as Rgb;
  const fg = contrastingColour(rand, bg0, 180);
  const gradAngle = uniform(rand, 0, 2 * Math.PI);
  const [gx, gy] = [Math.cos(gradAngle), Math.sin(gradAngle)];
  const inside = label < SHAPE_TESTS.length ? shapeTest(rand, label, S) : textureTest(rand, label, S);
  const noise = uniform(rand, 4, 16);
  const img = new Uint8Array(3 * S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      // 2×2 supersampling: the share of the pixel the shape covers
      let cover = 0;
      for (const oy of SUBSAMPLES) for (const ox of SUBSAMPLES) if (inside(x + ox, y + oy)) cover += 0.25;
      const t = 0.5 + ((x - S / 2) * gx + (y - S / 2) * gy) / S;
      const n = (rand() - 0.5) * 2 * noise;
      for (let c = 0; c < 3; c++) {
        const bg = bg0[c]! + (bg1[c]! - bg0[c]!) * t;
        img[c * S * S + y * S + x] = Math.max(0, Math.min(255, Math.round(bg + (fg[c]! - bg) * cover + n)));
      }
    }
  }
  return img;
}

/** The whole sample, shuffled: labels and CHW images, the first `trainCount` the training split. */
export function generateShapes10(count: number = SHAPES10.count, seed: number = SHAPES10.seed): { labels: Int32Array; images: Uint8Array } {
  const { next: rand } = mulberry32(seed);
  const classes = SHAPES10_CLASSES.length;
  const px = SHAPES10.channels * SHAPES10.size * SHAPES10.size;
  const drawn = Array.from({ length: count }, (_, i) => drawShapes10(rand, i % classes));
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const labels = new Int32Array(count);
  const images = new Uint8Array(count * px);
  order.forEach((src, k) => {
    labels[k] = src % classes;
    images.set(drawn[src]!, k * px);
  });
  return { labels, images };
}

let drawn: { labels: Int32Array; images: Uint8Array } | undefined;

/** The sample (drawn once per process, about a second; each call gets its own copy of the bytes). */
export function loadShapes10Sample(): Result<ImageDataset> {
  drawn ??= generateShapes10();
  const { labels, images } = drawn;
  const { count, trainCount, channels, size } = SHAPES10;
  const px = channels * size * size;
  return ok({
    name: SHAPES10_NAME,
    channels,
    height: size,
    width: size,
    classes: SHAPES10_CLASSES.length,
    classNames: [...SHAPES10_CLASSES],
    train: { count: trainCount, images: images.slice(0, trainCount * px), labels: labels.slice(0, trainCount) },
    validation: { count: count - trainCount, images: images.slice(trainCount * px), labels: labels.slice(trainCount) },
    sources: { train: `${SHAPES10_NAME} (first ${trainCount})`, validation: `${SHAPES10_NAME} (last ${count - trainCount})` },
  });
}
