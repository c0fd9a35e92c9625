import { product } from "../../shared/count";
import { exactNumel, formatShape } from "../shape";
import { describeInput, err, type LayerKind } from "./kind";

export type LinearConfig = { inFeatures: number; outFeatures: number; bias: boolean };

/** Linear: y = x·Wᵀ + b over the last dimension. */
export const Linear: LayerKind<LinearConfig> = {
  type: "Linear",
  params: [
    { name: "inFeatures", type: "posInt" },
    { name: "outFeatures", type: "posInt" },
    { name: "bias", type: "bool", default: true },
  ],
  describe: (c) => `Linear(in_features=${c.inFeatures}, out_features=${c.outFeatures}, bias=${c.bias ? "True" : "False"})`,
  counts: (c) => ({ params: product(c.inFeatures, c.outFeatures) + (c.bias ? BigInt(c.outFeatures) : 0n), buffers: 0n }),
  forward(c, [x], origins) {
    if (x!.length < 1) return err("rank-mismatch", `Linear expects an input with at least 1 dimension but receives ${formatShape(x!)}`);
    const last = x![x!.length - 1]!;
    if (last !== c.inFeatures) {
      const spatial =
        x!.length === 4
          ? `; flatten it first, e.g. torch.flatten(x, 1) gives ${typeof x![1] === "number" && typeof x![2] === "number" && typeof x![3] === "number" ? x![1] * x![2] * x![3] : "C·H·W"} features`
          : "";
      return err(
        "feature-mismatch",
        `Linear expects ${c.inFeatures} input features but receives ${last} (${describeInput(x!, origins[0])})${spatial}`,
        typeof last === "number" && x!.length !== 4 ? { param: "inFeatures", value: last } : undefined,
      );
    }
    return [...x!.slice(0, -1), c.outFeatures];
  },
  macs: (c, _in, out) => exactNumel(out) * BigInt(c.inFeatures),
  field: () => null,
};
