import type * as tfc from "@tensorflow/tfjs-core";
import type { AttrValue } from "../../shared/analysis";
import type { TF } from "./types";

/**
 * A tensor flowing through a compiled model, with its layout. PyTorch's 4-D tensors are NCHW;
 * tfjs's convolutions and pools want NHWC, so 4-D feature maps are kept NHWC between layers that
 * prefer it (`nhwc`) and converted only where an operation needs PyTorch's order (flatten, view,
 * Linear over the last axis, ...). Every other tensor is in PyTorch's layout (`torch`).
 */
export interface Value {
  readonly t: tfc.Tensor;
  readonly layout: "torch" | "nhwc";
}

/**
 * Whether NCHW and NHWC hold the same element order for this shape (one channel, or a 1×1
 * map): then a reshape converts, no transpose needed.
 */
function sameOrder(c: number, h: number, w: number): boolean {
  return c === 1 || h * w === 1;
}

export function toTorch(tf: TF, v: Value): tfc.Tensor {
  if (v.layout === "torch") return v.t;
  const [n, h, w, c] = v.t.shape as [number, number, number, number];
  return sameOrder(c, h, w) ? tf.reshape(v.t, [n, c, h, w]) : tf.transpose(v.t, [0, 3, 1, 2]);
}

/** The NHWC tensor of a 4-D value. */
export function toNHWC(tf: TF, v: Value): tfc.Tensor4D {
  if (v.layout === "nhwc") return v.t as tfc.Tensor4D;
  if (v.t.rank !== 4) throw new Error(`expected a 4-D tensor, got shape [${v.t.shape.join(", ")}]`);
  const [n, c, h, w] = v.t.shape as [number, number, number, number];
  return (sameOrder(c, h, w) ? tf.reshape(v.t, [n, h, w, c]) : tf.transpose(v.t, [0, 2, 3, 1])) as tfc.Tensor4D;
}

export const nhwc = (t: tfc.Tensor): Value => ({ t, layout: "nhwc" });
export const torch = (t: tfc.Tensor): Value => ({ t, layout: "torch" });

/** The internal axis holding PyTorch dimension `dim` (negative counts from the end). */
export function axisOf(v: Value, dim: number): number {
  const rank = v.t.rank;
  const d = dim < 0 ? dim + rank : dim;
  if (!(d >= 0 && d < rank)) throw new Error(`dimension ${dim} is out of range for a ${rank}-D tensor`);
  return v.layout === "nhwc" ? [0, 3, 1, 2][d]! : d;
}

// ---- attributes ----------------------------------------------------------------------------

export type Attrs = Record<string, AttrValue>;

export function num(a: Attrs, key: string, fallback?: number): number {
  const v = a[key];
  if (typeof v === "number") return v;
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  throw new Error(`attribute ${key} should be a number, got ${JSON.stringify(v)}`);
}

export function bool(a: Attrs, key: string, fallback: boolean): boolean {
  const v = a[key];
  return typeof v === "boolean" ? v : fallback;
}
