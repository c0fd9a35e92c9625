import { formatShape, normAxis } from "../shape";
import { err, NO_COUNTS, type Args, type LayerKind, type ParamSpec } from "./kind";

/** Layers that keep the shape: activations, dropout, identity, softmax. */

/** No arguments (ReLU, Sigmoid, ...). */
export type NoConfig = Record<string, never>;
export type LeakyReLUConfig = { negativeSlope: number };
export type ELUConfig = { alpha: number };
export type GELUConfig = { approximate: string };
export type DropoutConfig = { p: number };
export type SoftmaxConfig = { dim: number };

function keepShape<C extends Args = NoConfig>(type: string, params: ParamSpec[] = [], describe?: (c: C) => string): LayerKind<C> {
  return {
    type,
    params,
    ignoredOptions: ["inplace"],
    describe: describe ?? (() => `${type}()`),
    counts: () => NO_COUNTS,
    forward: (_c, [x]) => x!,
  };
}

export const ReLU = keepShape("ReLU");
export const ReLU6 = keepShape("ReLU6");
export const LeakyReLU = keepShape<LeakyReLUConfig>(
  "LeakyReLU",
  [{ name: "negativeSlope", type: "number", default: 0.01 }],
  (c) => `LeakyReLU(negative_slope=${c.negativeSlope})`,
);
export const ELU = keepShape<ELUConfig>("ELU", [{ name: "alpha", type: "number", default: 1 }], (c) => `ELU(alpha=${c.alpha})`);
export const GELU = keepShape<GELUConfig>("GELU", [{ name: "approximate", type: "string", default: "none", choices: ["none", "tanh"] }]);
export const SiLU = keepShape("SiLU");
export const Sigmoid = keepShape("Sigmoid");
export const Tanh = keepShape("Tanh");
export const Hardswish = keepShape("Hardswish");
export const Hardsigmoid = keepShape("Hardsigmoid");
export const Dropout = keepShape<DropoutConfig>("Dropout", [{ name: "p", type: "probability", default: 0.5 }], (c) => `Dropout(p=${c.p}, inplace=False)`);
export const Dropout2d = keepShape<DropoutConfig>("Dropout2d", [{ name: "p", type: "probability", default: 0.5 }], (c) => `Dropout2d(p=${c.p}, inplace=False)`);

/** nn.Identity accepts and ignores any arguments, as in PyTorch. */
export const Identity: LayerKind<NoConfig> = { ...keepShape("Identity"), acceptsAnyArgs: true };

export const Softmax: LayerKind<SoftmaxConfig> = {
  type: "Softmax",
  params: [{ name: "dim", type: "int" }],
  describe: (c) => `Softmax(dim=${c.dim})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => (normAxis(c.dim, x!.length) === undefined ? err("invalid-dim", `Softmax dim ${c.dim} is out of range for a ${x!.length}-D input`) : x!),
};

// ---- modules: Mish, PReLU ----

export const Mish = keepShape("Mish");

export type PReLUConfig = { numParameters: number; init: number };

/** PReLU: one slope, or one per channel (dimension 1, or 0 for a 1-D input). */
export const PReLU: LayerKind<PReLUConfig> = {
  type: "PReLU",
  params: [
    { name: "numParameters", type: "posInt", default: 1 },
    { name: "init", type: "number", default: 0.25 },
  ],
  describe: (c) => `PReLU(num_parameters=${c.numParameters})`,
  counts: (c) => ({ params: BigInt(c.numParameters), buffers: 0n }),
  forward(c, [x]) {
    if (c.numParameters === 1) return x!;
    const channels = x!.length >= 2 ? x![1] : x![0];
    if (channels !== c.numParameters) {
      return err(
        "channel-mismatch",
        `PReLU has ${c.numParameters} parameters (numParameters) but its input has ${channels ?? "no"} channels (${formatShape(x!)})`,
        typeof channels === "number" ? { param: "numParameters", value: channels } : undefined,
      );
    }
    return x!;
  },
};
