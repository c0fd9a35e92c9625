import type { Dim, Shape } from "../../shared/analysis";
import { applyUpsample, applyWindow } from "../receptiveField";
import { divideNumel, formatShape, mulDims, normAxis, numel } from "../shape";
import { describeInput, err, expectRank, NO_COUNTS, type LayerError, type LayerKind } from "./kind";

/** Kinds that rearrange or extend a tensor: Unflatten, PixelShuffle, ZeroPad2d, and Embedding's lookup. */

export type UnflattenConfig = { dim: number; unflattenedSize: number[] };

/** The sizes of an unflattened dimension, the -1 entry inferred (PyTorch's `unflatten`). */
function unflattenSizes(d: Dim, sizes: readonly number[], x: Shape): Dim[] | LayerError {
  const inferred = sizes.filter((s) => s === -1).length;
  if (inferred > 1) return err("invalid-argument", `Unflatten sizes [${sizes.join(", ")}] may infer only one dimension (-1)`);
  const known = numel(sizes.filter((s) => s !== -1));
  const total = numel([d]);
  const bad = (): LayerError =>
    err("shape-mismatch", `Unflatten sizes [${sizes.join(", ")}] don't multiply up to the size of the dimension (${d}) of input ${formatShape(x)}`);
  if (!known || !total) return bad();
  if (inferred === 0) return known.num * total.den === total.num * known.den && known.name === total.name ? [...sizes] : bad();
  const rest = divideNumel(total, known);
  return rest === undefined ? bad() : sizes.map((s) => (s === -1 ? rest : s));
}

export const Unflatten: LayerKind<UnflattenConfig> = {
  type: "Unflatten",
  params: [
    { name: "dim", type: "int" },
    { name: "unflattenedSize", type: "sizeList" },
  ],
  build: (a) => ({ dim: a.dim as number, unflattenedSize: [...(a.unflattenedSize as readonly number[])] }),
  describe: (c) => `Unflatten(dim=${c.dim}, unflattened_size=(${c.unflattenedSize.join(", ")}${c.unflattenedSize.length === 1 ? "," : ""}))`,
  counts: () => NO_COUNTS,
  forward(c, [x]) {
    const axis = normAxis(c.dim, x!.length);
    if (axis === undefined) return err("invalid-dim", `Unflatten dim ${c.dim} is out of range for input ${formatShape(x!)}`);
    const sizes = unflattenSizes(x![axis]!, c.unflattenedSize, x!);
    return Array.isArray(sizes) ? [...x!.slice(0, axis), ...sizes, ...x!.slice(axis + 1)] : sizes;
  },
  field: () => null,
};

export type PixelShuffleConfig = { upscaleFactor: number };

export const PixelShuffle: LayerKind<PixelShuffleConfig> = {
  type: "PixelShuffle",
  params: [{ name: "upscaleFactor", type: "posInt" }],
  describe: (c) => `PixelShuffle(upscale_factor=${c.upscaleFactor})`,
  counts: () => NO_COUNTS,
  forward(c, [x], [origin]) {
    if (x!.length < 3) return err("rank-mismatch", `PixelShuffle expects an input [*, C, H, W] of at least 3 dimensions but receives ${formatShape(x!)}`);
    const r = c.upscaleFactor;
    const [ch, h, w] = x!.slice(-3) as [Dim, Dim, Dim];
    if (typeof ch !== "number" || ch % (r * r) !== 0) {
      return err("shape-mismatch", `PixelShuffle expects channels divisible by upscaleFactor² (${r * r}) but receives ${ch} (${describeInput(x!, origin)})`);
    }
    const oh = mulDims(h, r);
    const ow = mulDims(w, r);
    if (oh === undefined || ow === undefined) return err("unsupported", `PixelShuffle of ${formatShape(x!)} would make a dimension that is not exact`);
    return [...x!.slice(0, -3), ch / (r * r), oh, ow];
  },
  // Each output pixel is one input pixel of a grid r times finer, as nearest upsampling by r.
  field: (c, rf) => applyUpsample(rf, [c.upscaleFactor, c.upscaleFactor]),
};

export type ZeroPad2dConfig = { padding: number[] };

export const ZeroPad2d: LayerKind<ZeroPad2dConfig> = {
  type: "ZeroPad2d",
  params: [{ name: "padding", type: "intQuad" }],
  build: (a) => ({ padding: typeof a.padding === "number" ? [a.padding, a.padding, a.padding, a.padding] : [...(a.padding as readonly number[])] }),
  describe: (c) => `ZeroPad2d((${c.padding.join(", ")}))`,
  counts: () => NO_COUNTS,
  forward(c, [x]) {
    const rank = expectRank("ZeroPad2d", x!, [4, 3], "[N, C, H, W]");
    if (rank) return rank;
    const [left, right, top, bottom] = c.padding as [number, number, number, number];
    const [h, w] = x!.slice(-2);
    const oh = typeof h === "number" ? h + top + bottom : NaN;
    const ow = typeof w === "number" ? w + left + right : NaN;
    if (!(oh >= 1 && ow >= 1)) return err("output-too-small", `ZeroPad2d padding (${c.padding.join(", ")}) would make input ${formatShape(x!)} ${oh}×${ow}`);
    return [...x!.slice(0, -2), oh, ow];
  },
  field: (c, rf) => applyWindow(rf, { kernel: [1, 1], stride: [1, 1], padding: [c.padding[2]!, c.padding[0]!], dilation: [1, 1] }),
};

export type EmbeddingConfig = { numEmbeddings: number; embeddingDim: number; paddingIdx: number | null };

/** A lookup table: integer indices of any shape → that shape + [embeddingDim]. */
export const Embedding: LayerKind<EmbeddingConfig> = {
  type: "Embedding",
  params: [
    { name: "numEmbeddings", type: "posInt" },
    { name: "embeddingDim", type: "posInt" },
    { name: "paddingIdx", type: "int", default: null },
  ],
  build(a) {
    const c = a as EmbeddingConfig;
    if (c.paddingIdx !== null && (c.paddingIdx >= c.numEmbeddings || c.paddingIdx < -c.numEmbeddings)) {
      return err("invalid-argument", `Embedding paddingIdx (${c.paddingIdx}) must be within numEmbeddings (${c.numEmbeddings})`);
    }
    return { ...c, paddingIdx: c.paddingIdx !== null && c.paddingIdx < 0 ? c.paddingIdx + c.numEmbeddings : c.paddingIdx };
  },
  describe: (c) => `Embedding(${c.numEmbeddings}, ${c.embeddingDim}${c.paddingIdx !== null ? `, padding_idx=${c.paddingIdx}` : ""})`,
  counts: (c) => ({ params: BigInt(c.numEmbeddings) * BigInt(c.embeddingDim), buffers: 0n }),
  forward: (c, [x]) => [...x!, c.embeddingDim],
  field: () => null,
};
