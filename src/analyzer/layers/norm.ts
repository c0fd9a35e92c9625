import type { Shape } from "../../shared/analysis";
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
