import type { Shape } from "../../shared/analysis";
import { formatShape } from "../shape";
import { describeInput, err, expectRank, NO_COUNTS, type LayerError, type LayerKind } from "./kind";

/** Batch normalisation and local response normalisation. */

export type BatchNormConfig = { numFeatures: number; eps: number; momentum: number; affine: boolean; trackRunningStats: boolean };

function batchNorm(type: string, ranks: number[], layout: string): LayerKind<BatchNormConfig> {
  return {
    type,
    params: [
      { name: "numFeatures", type: "posInt" },
      { name: "eps", type: "number", default: 1e-5 },
      { name: "momentum", type: "number", default: 0.1 },
      { name: "affine", type: "bool", default: true },
      { name: "trackRunningStats", type: "bool", default: true },
    ],
    describe: (c) =>
      `${type}(${c.numFeatures}, eps=${c.eps}, momentum=${c.momentum}, affine=${c.affine ? "True" : "False"}, track_running_stats=${c.trackRunningStats ? "True" : "False"})`,
    // weight and bias are parameters; running mean, running variance and num_batches_tracked are buffers.
    counts: (c) => ({ params: c.affine ? 2n * BigInt(c.numFeatures) : 0n, buffers: c.trackRunningStats ? 2n * BigInt(c.numFeatures) + 1n : 0n }),
    forward(c, [x], origins): Shape | LayerError {
      const rank = expectRank(type, x!, ranks, layout);
      if (rank) return rank;
      if (x![1] !== c.numFeatures) {
        return err(
          "channel-mismatch",
          `${type} expects ${c.numFeatures} features (channels) but receives ${x![1]} (${describeInput(x!, origins[0])})`,
          typeof x![1] === "number" ? { param: "numFeatures", value: x![1] } : undefined,
        );
      }
      return x!;
    },
  };
}

export const BatchNorm2d = batchNorm("BatchNorm2d", [4], "[N, C, H, W]");
export const BatchNorm1d = batchNorm("BatchNorm1d", [2, 3], "[N, C] or [N, C, L]");

export type LocalResponseNormConfig = { size: number; alpha: number; beta: number; k: number };

export const LocalResponseNorm: LayerKind<LocalResponseNormConfig> = {
  type: "LocalResponseNorm",
  params: [
    { name: "size", type: "posInt" },
    { name: "alpha", type: "number", default: 1e-4 },
    { name: "beta", type: "number", default: 0.75 },
    { name: "k", type: "number", default: 1 },
  ],
  describe: (c) => `LocalResponseNorm(${c.size}, alpha=${c.alpha}, beta=${c.beta}, k=${c.k})`,
  counts: () => NO_COUNTS,
  forward: (_c, [x]) => expectRank("LocalResponseNorm", x!, [3, 4], "[N, C, H, W]") ?? x!,
};

// ---- modules: LayerNorm, GroupNorm ----

export type LayerNormConfig = { normalizedShape: number[]; eps: number; elementwiseAffine: boolean; bias: boolean };

/** LayerNorm normalises over the last dims, which must be `normalizedShape` (PyTorch: "expected input with shape [*, ...]"). */
export const LayerNorm: LayerKind<LayerNormConfig> = {
  type: "LayerNorm",
  params: [
    { name: "normalizedShape", type: "posIntList" },
    { name: "eps", type: "number", default: 1e-5 },
    { name: "elementwiseAffine", type: "bool", default: true },
    { name: "bias", type: "bool", default: true },
  ],
  build: (a) => ({
    normalizedShape: typeof a.normalizedShape === "number" ? [a.normalizedShape] : [...(a.normalizedShape as readonly number[])],
    eps: a.eps as number,
    elementwiseAffine: a.elementwiseAffine as boolean,
    bias: a.bias as boolean,
  }),
  describe: (c) =>
    `LayerNorm((${c.normalizedShape.join(", ")}${c.normalizedShape.length === 1 ? "," : ""}), eps=${c.eps}, elementwise_affine=${c.elementwiseAffine ? "True" : "False"})`,
  counts: (c) => {
    const n = c.normalizedShape.reduce((p, d) => p * BigInt(d), 1n);
    return { params: c.elementwiseAffine ? (c.bias ? 2n : 1n) * n : 0n, buffers: 0n };
  },
  forward(c, [x], origins): Shape | LayerError {
    const k = c.normalizedShape.length;
    const last = x!.slice(x!.length - k);
    if (x!.length < k || last.some((d, i) => d !== c.normalizedShape[i])) {
      const last1 = x![x!.length - 1];
      return err(
        "shape-mismatch",
        `LayerNorm expects an input of shape [*, ${c.normalizedShape.join(", ")}] (normalizedShape) but receives ${describeInput(x!, origins[0])}`,
        k === 1 && typeof last1 === "number" ? { param: "normalizedShape", value: last1 } : undefined,
      );
    }
    return x!;
  },
};

export type GroupNormConfig = { numGroups: number; numChannels: number; eps: number; affine: boolean };

export const GroupNorm: LayerKind<GroupNormConfig> = {
  type: "GroupNorm",
  params: [
    { name: "numGroups", type: "posInt" },
    { name: "numChannels", type: "posInt" },
    { name: "eps", type: "number", default: 1e-5 },
    { name: "affine", type: "bool", default: true },
  ],
  build: (a) => {
    const c = a as GroupNormConfig;
    if (c.numChannels % c.numGroups !== 0)
      return err("invalid-argument", `GroupNorm numChannels (${c.numChannels}) must be divisible by numGroups (${c.numGroups})`);
    return c;
  },
  describe: (c) => `GroupNorm(${c.numGroups}, ${c.numChannels}, eps=${c.eps}, affine=${c.affine ? "True" : "False"})`,
  counts: (c) => ({ params: c.affine ? 2n * BigInt(c.numChannels) : 0n, buffers: 0n }),
  forward(c, [x], origins): Shape | LayerError {
    if (x!.length < 2) return err("rank-mismatch", `GroupNorm expects an input [N, C, *] of at least 2 dimensions but receives ${formatShape(x!)}`);
    if (x![1] !== c.numChannels) {
      return err(
        "channel-mismatch",
        `GroupNorm expects ${c.numChannels} channels (numChannels) but receives ${x![1]} (${describeInput(x!, origins[0])})`,
        typeof x![1] === "number" && x![1] % c.numGroups === 0 ? { param: "numChannels", value: x![1] } : undefined,
      );
    }
    return x!;
  },
};
