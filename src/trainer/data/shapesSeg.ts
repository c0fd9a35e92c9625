import { rngFor, type Rng } from "../rng";
import { fail, MEMORY_BUDGET_BYTES, ok, type ImageDataset, type Result, type Split } from "./types";

/**
 * The built-in `shapes-seg` sample: a segmentation dataset generated in memory, so that tests and
 * newcomers can train a segmentation model without downloads. Each image is a textured background
 * with one to three filled shapes (a disc, a square, a triangle) in a colour near their class's;
 * its mask is the class of every pixel (0 background, 1 disc, 2 square, 3 triangle), later shapes
 * drawn over earlier ones. The data are a fixed function of the image size (seeded with
 * "shapes-seg", not the run's seed): 320 training and 80 validation images at the model's H×W.
 */

export const SHAPES_SEG_CLASSES = ["background", "disc", "square", "triangle"] as const;
export const SHAPES_SEG_TRAIN = 320;
export const SHAPES_SEG_VALIDATION = 80;

/** Each class's base colour (RGB 0–255); the background's is a grey texture. */
const BASE: readonly (readonly [number, number, number])[] = [
  [110, 110, 110],
  [210, 60, 50],
  [60, 180, 70],
  [60, 90, 210],
];

interface Shape {
  cls: number;
  cy: number;
  cx: number;
  r: number;
  colour: [number, number, number];
}

/** Whether the pixel centre (y, x) lies inside the shape. */
function inside(s: Shape, y: number, x: number): boolean {
  const dy = y + 0.5 - s.cy;
  const dx = x + 0.5 - s.cx;
  if (s.cls === 1) return dy * dy + dx * dx <= s.r * s.r;
  if (s.cls === 2) return Math.abs(dy) <= s.r * 0.85 && Math.abs(dx) <= s.r * 0.85;
  // an upward triangle: apex at cy − r, base at cy + r
  return dy >= -s.r && dy <= s.r && Math.abs(dx) <= ((dy + s.r) / 2) * 1.1;
}

function drawShapes(rng: Rng, H: number, W: number): Shape[] {
  const count = 1 + rng.int(3);
  const shapes: Shape[] = [];
  const side = Math.min(H, W);
  for (let k = 0; k < count; k++) {
    const cls = 1 + rng.int(3);
    const r = side * (0.12 + 0.14 * rng.next());
    const base = BASE[cls]!;
    const jitter = () => Math.round(40 * (rng.next() - 0.5));
    shapes.push({
      cls,
      cy: r + rng.next() * (H - 2 * r),
      cx: r + rng.next() * (W - 2 * r),
      r,
      colour: [base[0] + jitter(), base[1] + jitter(), base[2] + jitter()],
    });
  }
  return shapes;
}

/** Image `n` of a split into `images` (C×H×W at `n`) and its mask into `masks`. */
function drawImage(rng: Rng, C: number, H: number, W: number, images: Uint8Array, masks: Uint8Array, n: number): void {
  const shapes = drawShapes(rng, H, W);
  const tint = [rng.next(), rng.next(), rng.next()].map((t) => Math.round(50 * (t - 0.5)));
  const fy = 2 + rng.int(4);
  const fx = 2 + rng.int(4);
  const phase = rng.next() * Math.PI * 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let cls = 0;
      let colour: readonly number[] = BASE[0]!.map((b, c) => b + tint[c]! + 25 * Math.sin(((fy * y) / H) * Math.PI + ((fx * x) / W) * Math.PI + phase));
      for (const s of shapes) if (inside(s, y, x)) [cls, colour] = [s.cls, s.colour];
      const noise = 24 * (rng.next() - 0.5);
      const p = y * W + x;
      masks[n * H * W + p] = cls;
      const rgb = colour.map((v) => Math.max(0, Math.min(255, Math.round(v + noise))));
      if (C === 1) images[n * H * W + p] = Math.round(0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!);
      else for (let c = 0; c < C; c++) images[(n * C + c) * H * W + p] = rgb[c % 3]!;
    }
  }
}

function makeSplit(count: number, which: string, C: number, H: number, W: number): Split {
  const images = new Uint8Array(count * C * H * W);
  const masks = new Uint8Array(count * H * W);
  for (let n = 0; n < count; n++) drawImage(rngFor(0, "shapes-seg", which, n), C, H, W, images, masks, n);
  return { count, images, labels: new Int32Array(count), masks };
}

/** The sample at the model's input size (1 or 3 channels; 1 channel is the luminance). */
export function loadShapesSeg(channels: number, height: number, width: number): Result<ImageDataset> {
  if (channels !== 1 && channels !== 3) return fail(`shapes-seg has RGB images: the model's @input needs 1 or 3 channels, not ${channels}`);
  if (height < 8 || width < 8) return fail(`shapes-seg draws shapes of a few pixels at least: the model's input ${height}×${width} is smaller than 8×8`);
  const bytes = (SHAPES_SEG_TRAIN + SHAPES_SEG_VALIDATION) * (channels + 1) * height * width;
  if (bytes > MEMORY_BUDGET_BYTES)
    return fail(`shapes-seg at ${height}×${width} would need more memory than the trainer holds; give the model a smaller @input`);
  return ok({
    name: "shapes-seg",
    channels,
    height,
    width,
    classes: SHAPES_SEG_CLASSES.length,
    classNames: [...SHAPES_SEG_CLASSES],
    train: makeSplit(SHAPES_SEG_TRAIN, "train", channels, height, width),
    validation: makeSplit(SHAPES_SEG_VALIDATION, "validation", channels, height, width),
    sources: { train: `shapes-seg (generated, ${SHAPES_SEG_TRAIN} images)`, validation: `shapes-seg (generated, ${SHAPES_SEG_VALIDATION} images)` },
    task: "segmentation",
  });
}
