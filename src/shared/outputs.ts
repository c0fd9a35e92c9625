import type { OutputShape, Shape } from "./analysis";

/**
 * What a model's `forward` returns, as the analysis records it: one shape, a list of shapes (an
 * array of tensors), or named shapes (an object of tensors, like torchvision's segmentation
 * models' `{ out, aux }`). The readers every consumer shares.
 */

/** Named outputs (`{ out, aux }`). */
export function isNamedOutputs(x: OutputShape): x is Record<string, Shape> {
  return !Array.isArray(x);
}

/** Several outputs (an array of tensors). */
export function isShapeList(x: OutputShape): x is Shape[] {
  return Array.isArray(x) && x.length > 0 && x.every((d) => Array.isArray(d));
}

/** One shape. */
export function isSingleShape(x: OutputShape | null): x is Shape {
  return x !== null && Array.isArray(x) && !isShapeList(x);
}

/** `[N, 10]`; `[N, 10], [N, 4]`; `{ out: [N, 21, 520, 520], aux: [N, 21, 520, 520] }`. */
export function outputText(x: OutputShape, shape: (s: Shape) => string): string {
  if (isNamedOutputs(x)) {
    return `{ ${Object.entries(x)
      .map(([k, s]) => `${k}: ${shape(s)}`)
      .join(", ")} }`;
  }
  return isShapeList(x) ? x.map(shape).join(", ") : shape(x);
}

/**
 * The output the trainer trains: the only tensor, or an object's `out` (torchvision's convention);
 * otherwise why there is none, naming what the model returns.
 */
export function trainedOutput(name: string, x: OutputShape): { shape: Shape } | { problem: string } {
  if (isNamedOutputs(x)) {
    const out = x.out;
    if (out) return { shape: out };
    return { problem: `${name} returns an object { ${Object.keys(x).join(", ")} }; the trainer trains the tensor named 'out'` };
  }
  if (isShapeList(x)) return { problem: `${name} returns several tensors; the trainer needs class scores [N, classes]` };
  return { shape: x };
}
