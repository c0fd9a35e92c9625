import type { LayerConfig, LayerType } from "../../analyzer/layers/index";
import type { TensorInit } from "../../shared/analysis";
import { mix32, mulberry32 } from "../rng";
import type { Init } from "./layers/common";

/**
 * PyTorch's default initialisation, seeded. Each tensor draws from its own generator derived from
 * (seed, state_dict name), so a parameter's initial value does not depend on the order in which
 * the model is compiled, and adding a layer does not change the others.
 */

/** A 32-bit seed from a number and a name. */
export function seedFor(seed: number, name: string): number {
  let h = mix32(0x9e3779b9 ^ (seed >>> 0));
  h = mix32(h ^ Math.floor(seed / 2 ** 32));
  for (let i = 0; i < name.length; i++) h = mix32(h ^ name.charCodeAt(i));
  return h;
}

/** `size` values from U(−bound, bound). */
export function uniform(seed: number, name: string, size: number, bound: number): Float32Array {
  const { next } = mulberry32(seedFor(seed, name));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * next() - 1) * bound;
  return out;
}

/**
 * The bound of `kaiming_uniform_(w, a=√5)` (Conv2d, ConvTranspose2d and Linear weights): gain
 * √(2 / (1 + a²)) = √(1/3), bound = gain·√(3 / fan_in) = 1/√fan_in; the bias uses the same bound.
 * `fan_in` is `weight.size(1)` times the kernel area, as in PyTorch (for ConvTranspose2d that is
 * outChannels / groups).
 */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** A parameter or buffer of a layer kind, with its state_dict name, shape and initial value. */
export interface TensorSpec {
  name: string;
  shape: number[];
  init: Init;
  /** A buffer (not trained), e.g. BatchNorm's running statistics. */
  buffer?: boolean;
  dtype?: "float32" | "int32";
}

const NONE: readonly TensorSpec[] = [];

/** weight and bias (when present) with kaiming_uniform_(a=√5)'s bound for this fan_in. */
function weightAndBias(weight: number[], bias: number | null, fanIn: number): TensorSpec[] {
  const init: Init = { kind: "uniform", bound: defaultBound(fanIn) };
  return [{ name: "weight", shape: weight, init }, ...(bias !== null ? [{ name: "bias", shape: [bias], init }] : [])];
}

function batchNorm(c: LayerConfig<"BatchNorm2d">): TensorSpec[] {
  const n = c.numFeatures;
  const out: TensorSpec[] = [];
  if (c.affine) out.push({ name: "weight", shape: [n], init: { kind: "const", value: 1 } }, { name: "bias", shape: [n], init: { kind: "const", value: 0 } });
  if (c.trackRunningStats) {
    out.push(
      { name: "running_mean", shape: [n], init: { kind: "const", value: 0 }, buffer: true },
      { name: "running_var", shape: [n], init: { kind: "const", value: 1 }, buffer: true },
      { name: "num_batches_tracked", shape: [], init: { kind: "const", value: 0 }, buffer: true, dtype: "int32" },
    );
  }
  return out;
}

/**
 * nn.MultiheadAttention's `_reset_parameters`: xavier_uniform_ on the packed in_proj_weight (or on
 * each of q/k/v_proj_weight), zero biases, out_proj's Linear weight as a Linear's (kaiming, fan_in
 * E) and its bias 0. xavier_uniform_'s bound is √(6 / (fan_in + fan_out)).
 */
function multiheadAttention(c: LayerConfig<"MultiheadAttention">): TensorSpec[] {
  const e = c.embedDim;
  const xavier = (rows: number, cols: number): Init => ({ kind: "uniform", bound: Math.sqrt(6 / (rows + cols)) });
  const zero: Init = { kind: "const", value: 0 };
  const projections: TensorSpec[] =
    c.kdim === e && c.vdim === e
      ? [{ name: "in_proj_weight", shape: [3 * e, e], init: xavier(3 * e, e) }]
      : [
          { name: "q_proj_weight", shape: [e, e], init: xavier(e, e) },
          { name: "k_proj_weight", shape: [e, c.kdim], init: xavier(e, c.kdim) },
          { name: "v_proj_weight", shape: [e, c.vdim], init: xavier(e, c.vdim) },
        ];
  return [
    ...projections,
    ...(c.bias ? [{ name: "in_proj_bias", shape: [3 * e], init: zero }] : []),
    { name: "out_proj.weight", shape: [e, e], init: { kind: "uniform", bound: defaultBound(e) } },
    ...(c.bias ? [{ name: "out_proj.bias", shape: [e], init: zero }] : []),
  ];
}

/**
 * Every layer kind's parameters and buffers in PyTorch's state_dict order, with PyTorch's default
 * initialisation. `fan_in` is `weight.size(1)` times the kernel area (for ConvTranspose2d that is
 * outChannels / groups).
 */
export const LAYER_TENSORS: { readonly [T in LayerType]: (c: LayerConfig<T>) => readonly TensorSpec[] } = {
  Conv2d: (c) =>
    weightAndBias(
      [c.outChannels, c.inChannels / c.groups, ...c.kernelSize],
      c.bias ? c.outChannels : null,
      (c.inChannels / c.groups) * c.kernelSize[0] * c.kernelSize[1],
    ),
  ConvTranspose2d: (c) =>
    weightAndBias(
      [c.inChannels, c.outChannels / c.groups, ...c.kernelSize],
      c.bias ? c.outChannels : null,
      (c.outChannels / c.groups) * c.kernelSize[0] * c.kernelSize[1],
    ),
  Linear: (c) => weightAndBias([c.outFeatures, c.inFeatures], c.bias ? c.outFeatures : null, c.inFeatures),
  BatchNorm2d: batchNorm,
  BatchNorm1d: batchNorm,
  MaxPool2d: () => NONE,
  AvgPool2d: () => NONE,
  AdaptiveAvgPool2d: () => NONE,
  AdaptiveMaxPool2d: () => NONE,
  LocalResponseNorm: () => NONE,
  Dropout: () => NONE,
  Dropout2d: () => NONE,
  Flatten: () => NONE,
  ReLU: () => NONE,
  ReLU6: () => NONE,
  LeakyReLU: () => NONE,
  ELU: () => NONE,
  GELU: () => NONE,
  SiLU: () => NONE,
  Sigmoid: () => NONE,
  Tanh: () => NONE,
  Hardswish: () => NONE,
  Hardsigmoid: () => NONE,
  Softmax: () => NONE,
  Upsample: () => NONE,
  Identity: () => NONE,
  // ---- modules: issue 14 (PyTorch's reset_parameters) ----
  LayerNorm: (c) =>
    c.elementwiseAffine
      ? [
          { name: "weight", shape: c.normalizedShape, init: { kind: "const", value: 1 } },
          ...(c.bias ? [{ name: "bias", shape: c.normalizedShape, init: { kind: "const", value: 0 } } as const] : []),
        ]
      : NONE,
  GroupNorm: (c) =>
    c.affine
      ? [
          { name: "weight", shape: [c.numChannels], init: { kind: "const", value: 1 } },
          { name: "bias", shape: [c.numChannels], init: { kind: "const", value: 0 } },
        ]
      : NONE,
  Conv1d: (c) => weightAndBias([c.outChannels, c.inChannels / c.groups, c.kernelSize], c.bias ? c.outChannels : null, (c.inChannels / c.groups) * c.kernelSize),
  MaxPool1d: () => NONE,
  AvgPool1d: () => NONE,
  AdaptiveAvgPool1d: () => NONE,
  Embedding: (c) => [
    {
      name: "weight",
      shape: [c.numEmbeddings, c.embeddingDim],
      init: { kind: "normal", mean: 0, std: 1, ...(c.paddingIdx !== null ? { zeroRow: c.paddingIdx } : {}) },
    },
  ],
  Unflatten: () => NONE,
  PixelShuffle: () => NONE,
  ZeroPad2d: () => NONE,
  Mish: () => NONE,
  PReLU: (c) => [{ name: "weight", shape: [c.numParameters], init: { kind: "const", value: c.init } }],
  // ---- attention: ----
  MultiheadAttention: multiheadAttention,
  StochasticDepth: () => NONE,
  Permute: () => NONE,
};

// ---- language: the initialisation a model declares (nn.Parameter, registerBuffer, nn.init.*) ----

/** The trainer's initialisation of a declared tensor; `computed` values (arange, eye, ...) are not reproduced yet. */
export function initOf(t: TensorInit, name: string): Init | Error {
  switch (t.kind) {
    case "const":
      return { kind: "const", value: t.value };
    case "empty":
      return { kind: "const", value: 0 };
    case "normal":
      return { kind: "normal", mean: t.mean, std: t.std };
    case "truncNormal":
      return { kind: "normal", mean: t.mean, std: t.std, truncate: [t.a, t.b] };
    case "uniform":
      return { kind: "range", low: t.low, high: t.high };
    case "computed":
      return new Error(`${name}: the trainer cannot compute tensors made by ${t.op} yet`);
  }
}

/**
 * `size` values from N(mean, std²) (Box–Muller on the tensor's own generator), redrawn until inside
 * `truncate` [a, b] when given (PyTorch's trunc_normal_ bounds are absolute values).
 */
export function normal(seed: number, name: string, size: number, mean: number, std: number, truncate?: [number, number]): Float32Array {
  const { next } = mulberry32(seedFor(seed, name));
  const draw = (): number => {
    const u = 1 - next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v = draw();
    if (truncate) {
      for (let k = 0; k < 100 && (v < truncate[0] || v > truncate[1]); k++) v = draw();
      v = Math.min(truncate[1], Math.max(truncate[0], v));
    }
    out[i] = v;
  }
  return out;
}

/** `size` values from U(low, high). */
export function uniformRange(seed: number, name: string, size: number, low: number, high: number): Float32Array {
  const { next } = mulberry32(seedFor(seed, name));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * next();
  return out;
}
