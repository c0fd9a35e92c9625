import type { Shape } from "../../shared/analysis";
import { formatShape, mulDims, normAxis } from "../shape";
import { err, NO_COUNTS, type LayerError, type LayerKind } from "./kind";

/** Flattening: one rule for nn.Flatten, torch.flatten and x.flatten. */

export function flattenShape(op: string, x: Shape, startDim: number, endDim: number): Shape | LayerError {
  if (x.length === 0) return [1];
  const s = normAxis(startDim, x.length);
  const e = normAxis(endDim, x.length);
  if (s === undefined || e === undefined) {
    return err("invalid-dim", `${op} dims (${startDim}, ${endDim}) are out of range for input ${formatShape(x)}`);
  }
  if (s > e) return err("invalid-dim", `${op} startDim (${startDim}) comes after endDim (${endDim}) for input ${formatShape(x)}`);
  let d: Shape[number] | undefined = 1;
  for (let i = s; i <= e && d !== undefined; i++) d = mulDims(d, x[i]!);
  if (d === undefined) {
    const symbols = x.slice(s, e + 1).filter((v) => typeof v === "string").length;
    return err(
      "unsupported",
      symbols > 1
        ? `${op} would multiply two symbolic dimensions of ${formatShape(x)}`
        : `${op} of ${formatShape(x)} would make a dimension above 2^53, which is not exact`,
    );
  }
  return [...x.slice(0, s), d, ...x.slice(e + 1)];
}

export type FlattenConfig = { startDim: number; endDim: number };

export const Flatten: LayerKind<FlattenConfig> = {
  type: "Flatten",
  params: [
    { name: "startDim", type: "int", default: 1 },
    { name: "endDim", type: "int", default: -1 },
  ],
  describe: (c) => `Flatten(start_dim=${c.startDim}, end_dim=${c.endDim})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => flattenShape("Flatten", x!, c.startDim, c.endDim),
};
