import type { Shape, WindowField } from "../../shared/analysis";
import { applyWindow, WHOLE_INPUT } from "../receptiveField";
import { formatShape } from "../shape";
import { err, expectRank, fmtPair, NO_COUNTS, pair, windowOutput, type Args, type LayerError, type LayerKind, type Pair } from "./kind";

/** Max, average and adaptive pooling over the two spatial axes. */

/** The window every pool has (stride defaults to the kernel size; average pooling has dilation 1). */
type PoolConfig = {
  kernelSize: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceilMode: boolean;
};
export type MaxPoolConfig = PoolConfig & { returnIndices: boolean };
export type AvgPoolConfig = PoolConfig & { countIncludePad: boolean; divisorOverride: number | null };
export type AdaptivePoolConfig = { outputSize: Pair | number | null };

function poolBuild<C extends PoolConfig>(type: string, a: Args, withDilation: boolean): C | LayerError {
  const kernelSize = pair(a.kernelSize as Pair | number);
  // The arguments (returnIndices, countIncludePad, ...) with the window resolved.
  const c = {
    ...a,
    kernelSize,
    stride: a.stride === null || a.stride === undefined ? kernelSize : pair(a.stride as Pair | number),
    padding: pair(a.padding as Pair | number),
    dilation: withDilation ? pair(a.dilation as Pair | number) : [1, 1],
    ceilMode: a.ceilMode as boolean,
  } as Args as C;
  for (const i of [0, 1]) {
    if (c.padding[i]! * 2 > c.kernelSize[i]!) {
      return err("invalid-argument", `${type} padding (${c.padding[i]}) should be at most half of the kernel size (${c.kernelSize[i]})`);
    }
  }
  return c;
}

function poolForward(type: string, c: PoolConfig, x: Shape): Shape | LayerError {
  const rank = expectRank(type, x, [4, 3], "[N, C, H, W]");
  if (rank) return rank;
  const lead = x.slice(0, -2);
  const out = [0, 1].map((i) => {
    const len = x[x.length - 2 + i];
    return typeof len === "number" ? windowOutput(len, c.kernelSize[i]!, c.stride[i]!, c.padding[i]!, c.dilation[i]!, c.ceilMode) : NaN;
  }) as Pair;
  if (!(out[0] >= 1 && out[1] >= 1)) {
    const k = c.kernelSize[0] === c.kernelSize[1] ? `${c.kernelSize[0]}` : `${c.kernelSize[0]}×${c.kernelSize[1]}`;
    return err("output-too-small", `${type} output would be ${Math.max(out[0], 0)}×${Math.max(out[1], 0)} from input ${formatShape(x)} with kernel ${k}`);
  }
  return [...lead, ...out];
}

const field = (c: PoolConfig, rf: WindowField): WindowField =>
  applyWindow(rf, { kernel: c.kernelSize, stride: c.stride, padding: c.padding, dilation: c.dilation });

export const MaxPool2d: LayerKind<MaxPoolConfig> = {
  type: "MaxPool2d",
  params: [
    { name: "kernelSize", type: "posPair" },
    { name: "stride", type: "posPair", default: null },
    { name: "padding", type: "nonNegPair", default: 0 },
    { name: "dilation", type: "posPair", default: 1 },
    { name: "returnIndices", type: "bool", default: false },
    { name: "ceilMode", type: "bool", default: false },
  ],
  build: (a) => poolBuild("MaxPool2d", a, true),
  describe: (c) =>
    `MaxPool2d(kernel_size=${fmtPair(c.kernelSize)}, stride=${fmtPair(c.stride)}, padding=${fmtPair(c.padding)}, dilation=${fmtPair(c.dilation)}, ceil_mode=${c.ceilMode ? "True" : "False"})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => poolForward("MaxPool2d", c, x!),
  field,
};

export const AvgPool2d: LayerKind<AvgPoolConfig> = {
  type: "AvgPool2d",
  params: [
    { name: "kernelSize", type: "posPair" },
    { name: "stride", type: "posPair", default: null },
    { name: "padding", type: "nonNegPair", default: 0 },
    { name: "ceilMode", type: "bool", default: false },
    { name: "countIncludePad", type: "bool", default: true },
    { name: "divisorOverride", type: "posInt", default: null },
  ],
  build: (a) => poolBuild("AvgPool2d", a, false),
  describe: (c) => `AvgPool2d(kernel_size=${fmtPair(c.kernelSize)}, stride=${fmtPair(c.stride)}, padding=${fmtPair(c.padding)})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => poolForward("AvgPool2d", c, x!),
  field,
};

/** The windows PyTorch's adaptive pooling uses: start floor(i·L/O), end ceil((i+1)·L/O). */
function adaptiveWindow(len: number, out: number): { kernel: number; stride: number } {
  // Windows repeat with period out / gcd(len, out): looking at one period (at most 4096 windows) suffices.
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const period = Math.min(out / gcd(len, out), 4096);
  let kernel = 0;
  for (let i = 0; i < period; i++) kernel = Math.max(kernel, Math.ceil(((i + 1) * len) / out) - Math.floor((i * len) / out));
  return { kernel, stride: out > 1 ? Math.floor(len / out) : len };
}

function adaptive(type: string): LayerKind<AdaptivePoolConfig> {
  const target = (c: AdaptivePoolConfig, x: Shape): [number | string, number | string] => {
    const o = Array.isArray(c.outputSize) ? c.outputSize : [c.outputSize, c.outputSize];
    return [o[0] ?? x[x.length - 2]!, o[1] ?? x[x.length - 1]!];
  };
  return {
    type,
    params: [{ name: "outputSize", type: "sizeOrNull" }],
    describe: (c) => `${type}(output_size=${Array.isArray(c.outputSize) ? fmtPair(c.outputSize) : c.outputSize})`,
    counts: () => NO_COUNTS,
    forward(c, [x]) {
      const rank = expectRank(type, x!, [4, 3], "[N, C, H, W]");
      if (rank) return rank;
      return [...x!.slice(0, -2), ...target(c, x!)];
    },
    field(c, rf, x) {
      const t = target(c, x);
      // Global pooling (a map larger than 1×1 to one value per channel) mixes all positions: each
      // output sees the whole input (the contract's receptive-field rule), not a window.
      if (t[0] === 1 && t[1] === 1 && !(x[x.length - 2] === 1 && x[x.length - 1] === 1)) return WHOLE_INPUT;
      const w = [0, 1].map((i) => {
        const len = x[x.length - 2 + i];
        const o = t[i];
        return typeof len === "number" && typeof o === "number" ? adaptiveWindow(len, o) : { kernel: 1, stride: 1 };
      });
      return applyWindow(rf, {
        kernel: [w[0]!.kernel, w[1]!.kernel],
        stride: [w[0]!.stride, w[1]!.stride],
        padding: [0, 0],
        dilation: [1, 1],
      });
    },
  };
}

export const AdaptiveAvgPool2d = adaptive("AdaptiveAvgPool2d");
export const AdaptiveMaxPool2d = adaptive("AdaptiveMaxPool2d");
