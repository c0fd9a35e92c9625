import type * as tfc from "@tensorflow/tfjs-core";
import { CompileError, alongAxis, only, type LayerBuilder } from "./common";
import type { UpsampleConfig } from "../../../analyzer/layers/index";
import { nhwc } from "../value";

/**
 * Upsample / F.interpolate: nearest, nearest-exact and bilinear (alignCorners false or true) with
 * PyTorch's source-index rules, as one interpolation matrix per spatial axis (exact forward and
 * backward on every backend). The output size comes from the analysis; with `scaleFactor`,
 * PyTorch computes source indices with 1/scaleFactor, not in/out.
 */

/** A number, a pair or null, per axis. */
function perAxis(v: UpsampleConfig["size"]): [number | null, number | null] {
  if (typeof v === "number") return [v, v];
  return v ?? [null, null];
}

/** The [out, in] weights of one axis. */
export function interpolationMatrix(mode: string, alignCorners: boolean, inLen: number, outLen: number, scaleFactor: number | null): Float32Array {
  const m = new Float32Array(outLen * inLen);
  const scale = alignCorners ? (outLen > 1 ? (inLen - 1) / (outLen - 1) : 0) : scaleFactor !== null && scaleFactor > 0 ? 1 / scaleFactor : inLen / outLen;
  for (let o = 0; o < outLen; o++) {
    if (mode === "nearest" || mode === "nearest-exact") {
      const src = mode === "nearest" ? Math.floor(o * scale) : Math.floor((o + 0.5) * scale);
      m[o * inLen + Math.min(src, inLen - 1)] = 1;
      continue;
    }
    // bilinear (linear along this axis)
    let src = alignCorners ? o * scale : (o + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inLen - 1);
    const i1 = Math.min(i0 + 1, inLen - 1);
    const l1 = src - i0;
    m[o * inLen + i0] = (m[o * inLen + i0] ?? 0) + 1 - l1;
    m[o * inLen + i1] = (m[o * inLen + i1] ?? 0) + l1;
  }
  return m;
}

export const upsample: LayerBuilder<"Upsample"> = (b, c) => {
  const tf = b.tf;
  const mode = c.mode;
  if (!["nearest", "nearest-exact", "bilinear"].includes(mode))
    throw new CompileError(`Upsample mode '${mode}' is not supported by the trainer (nearest, nearest-exact and bilinear are)`);
  const alignCorners = c.alignCorners === true;
  const [sfh, sfw] = perAxis(c.scaleFactor);
  const [sizeH, sizeW] = perAxis(c.size);
  if ((sizeH === null || sizeW === null) && (sfh === null || sfw === null)) throw new CompileError("Upsample needs 'size' or 'scaleFactor'");
  const mats = new Map<string, tfc.Tensor2D>();
  const matrix = (axis: 0 | 1, inLen: number, outLen: number): tfc.Tensor2D => {
    const key = `${axis}:${inLen}:${outLen}`;
    let t = mats.get(key);
    if (!t) {
      // recomputeScaleFactor: the source indices come from in/out, as with `size`.
      const scale = c.recomputeScaleFactor === true ? null : axis === 0 ? sfh : sfw;
      t = b.constant(interpolationMatrix(mode, alignCorners, inLen, outLen, scale), [outLen, inLen]) as tfc.Tensor2D;
      mats.set(key, t);
    }
    return t;
  };
  return (inputs, ctx) => {
    const x = ctx.nhwcOf(only(inputs));
    const [, h, w] = x.shape;
    const outH = sizeH ?? Math.floor(h * sfh!);
    const outW = sizeW ?? Math.floor(w * sfw!);
    let y = x;
    // The same size with a scale of 1 is the identity (a scale factor ≠ 1 still moves the samples).
    if (outH !== h || (sizeH === null && sfh !== 1)) y = alongAxis(tf, y, 1, matrix(0, h, outH));
    if (outW !== w || (sizeW === null && sfw !== 1)) y = alongAxis(tf, y, 2, matrix(1, w, outW));
    return nhwc(y);
  };
};
