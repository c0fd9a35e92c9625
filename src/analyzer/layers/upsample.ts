import { applyUpsample } from "../receptiveField";
import { expectRank, err, fmtPair, NO_COUNTS, pair, type LayerKind, type Pair } from "./kind";

/** nn.Upsample and F.interpolate: `size` or `scaleFactor`, nearest or (bi)linear. */

export type UpsampleConfig = {
  size: Pair | number | null;
  scaleFactor: Pair | number | null;
  mode: string;
  alignCorners: boolean | null;
  recomputeScaleFactor: boolean | null;
};

export const Upsample: LayerKind<UpsampleConfig> = {
  type: "Upsample",
  params: [
    { name: "size", type: "sizeOrNull", default: null },
    { name: "scaleFactor", type: "numberPair", default: null },
    { name: "mode", type: "string", default: "nearest", choices: ["nearest", "nearest-exact", "bilinear", "bicubic"] },
    { name: "alignCorners", type: "bool", default: null },
    { name: "recomputeScaleFactor", type: "bool", default: null },
  ],
  build(a) {
    if ((a.size === null) === (a.scaleFactor === null)) {
      return err("invalid-argument", "Upsample needs exactly one of 'size' and 'scaleFactor'");
    }
    return a as UpsampleConfig;
  },
  describe: (c) =>
    `Upsample(${c.size !== null ? `size=${Array.isArray(c.size) ? fmtPair(c.size) : c.size}` : `scale_factor=${Array.isArray(c.scaleFactor) ? fmtPair(c.scaleFactor) : c.scaleFactor}`}, mode='${c.mode}')`,
  counts: () => NO_COUNTS,
  forward(c, [x]) {
    const rank = expectRank("Upsample", x!, [4], "[N, C, H, W]");
    if (rank) return rank;
    if (c.size !== null) return [x![0]!, x![1]!, ...pair(c.size)];
    const s = pair(c.scaleFactor);
    return [
      x![0]!,
      x![1]!,
      ...[0, 1].map((i) => {
        const len = x![2 + i];
        return typeof len === "number" ? Math.floor(len * s[i]!) : len!;
      }),
    ];
  },
  field(_c, rf, x, out) {
    const scale = [0, 1].map((i) => {
      const a = x[2 + i];
      const b = out[2 + i];
      return typeof a === "number" && typeof b === "number" ? b / a : 1;
    }) as Pair;
    return applyUpsample(rf, scale);
  },
};
