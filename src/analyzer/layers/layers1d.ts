import type { Dim, Shape } from "../../shared/analysis";
import { product } from "../../shared/count";
import { exactNumel, formatShape } from "../shape";
import { describeInput, err, expectRank, NO_COUNTS, windowOutput, type Args, type LayerError, type LayerKind } from "./kind";

/**
 * The 1-D kinds on `[N, C, L]` (PyTorch's Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d):
 * Conv2d's and the pools' rules on one axis. A 1-D map has no 2-D receptive field.
 */

export type Conv1dConfig = {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  /** Padding before the axis (for "same": the left amount PyTorch uses). */
  padding: number;
  dilation: number;
  groups: number;
  bias: boolean;
  paddingMode: string;
  /** padding "same": the output keeps the input's length. */
  samePadding: boolean;
};

const LAYOUT = "[N, C, L] or [C, L]";

function tooShort(type: string, x: Shape, out: number, k: number, s: number, p: number): LayerError {
  return err(
    "output-too-small",
    `${type} output length would be ${Math.max(out, 0)} from input ${formatShape(x)} with kernel ${k}${s !== 1 ? `, stride ${s}` : ""}${p ? `, padding ${p}` : ""}`,
  );
}

export const Conv1d: LayerKind<Conv1dConfig> = {
  type: "Conv1d",
  params: [
    { name: "inChannels", type: "posInt" },
    { name: "outChannels", type: "posInt" },
    { name: "kernelSize", type: "posInt" },
    { name: "stride", type: "posInt", default: 1 },
    { name: "padding", type: "padding", default: 0 },
    { name: "dilation", type: "posInt", default: 1 },
    { name: "groups", type: "posInt", default: 1 },
    { name: "bias", type: "bool", default: true },
    { name: "paddingMode", type: "string", default: "zeros", choices: ["zeros", "reflect", "replicate", "circular"] },
  ],
  build(a) {
    const c = { ...a, samePadding: a.padding === "same" } as Args as Conv1dConfig;
    if (Array.isArray(a.padding))
      return err("invalid-argument", `Conv1d padding must be a non-negative integer, "same" or "valid", got [${a.padding.join(", ")}]`);
    if (a.padding === "valid") c.padding = 0;
    else if (a.padding === "same") {
      if (c.stride !== 1) return err("invalid-argument", `Conv1d padding "same" requires stride 1, got stride ${c.stride}`);
      c.padding = Math.floor((c.dilation * (c.kernelSize - 1)) / 2);
    }
    if (c.inChannels % c.groups !== 0) return err("invalid-argument", `Conv1d inChannels (${c.inChannels}) must be divisible by groups (${c.groups})`);
    if (c.outChannels % c.groups !== 0) return err("invalid-argument", `Conv1d outChannels (${c.outChannels}) must be divisible by groups (${c.groups})`);
    return c;
  },
  describe: (c) =>
    `Conv1d(${c.inChannels}, ${c.outChannels}, kernel_size=(${c.kernelSize},), stride=(${c.stride},)${c.padding ? `, padding=(${c.padding},)` : ""}${c.dilation !== 1 ? `, dilation=(${c.dilation},)` : ""}${c.groups !== 1 ? `, groups=${c.groups}` : ""}${c.bias ? "" : ", bias=False"})`,
  counts: (c) => ({ params: product(c.outChannels, c.inChannels / c.groups, c.kernelSize) + (c.bias ? BigInt(c.outChannels) : 0n), buffers: 0n }),
  forward(c, [x], [origin]) {
    const rank = expectRank("Conv1d", x!, [3, 2], LAYOUT);
    if (rank) return rank;
    // PyTorch also takes an unbatched [C, L].
    const lead = x!.slice(0, -2);
    const [ch, len] = x!.slice(-2) as [Dim, Dim];
    if (ch !== c.inChannels) {
      return err(
        "channel-mismatch",
        `Conv1d expects ${c.inChannels} input channels but receives ${ch} (${describeInput(x!, origin)})`,
        typeof ch === "number" ? { param: "inChannels", value: ch } : undefined,
      );
    }
    if (c.samePadding) return [...lead, c.outChannels, len];
    const out = typeof len === "number" ? windowOutput(len, c.kernelSize, c.stride, c.padding, c.dilation) : NaN;
    if (!(out >= 1)) return tooShort("Conv1d", x!, out, c.kernelSize, c.stride, c.padding);
    return [...lead, c.outChannels, out];
  },
  macs: (c, _in, out) => exactNumel(out) * product(c.inChannels / c.groups, c.kernelSize),
};

type Pool1dConfig = { kernelSize: number; stride: number; padding: number; dilation: number; ceilMode: boolean };
export type MaxPool1dConfig = Pool1dConfig & { returnIndices: boolean };
export type AvgPool1dConfig = Pool1dConfig & { countIncludePad: boolean };

function pool1dBuild<C extends Pool1dConfig>(type: string, a: Args): C | LayerError {
  const c = { dilation: 1, ...a, stride: a.stride ?? a.kernelSize } as Args as C;
  if (c.padding * 2 > c.kernelSize)
    return err("invalid-argument", `${type} padding (${c.padding}) should be at most half of the kernel size (${c.kernelSize})`);
  return c;
}

function pool1dForward(type: string, c: Pool1dConfig, x: Shape): Shape | LayerError {
  const rank = expectRank(type, x, [3, 2], LAYOUT);
  if (rank) return rank;
  const len = x[x.length - 1];
  const out = typeof len === "number" ? windowOutput(len, c.kernelSize, c.stride, c.padding, c.dilation, c.ceilMode) : NaN;
  if (!(out >= 1)) return tooShort(type, x, out, c.kernelSize, c.stride, c.padding);
  return [...x.slice(0, -1), out];
}

export const MaxPool1d: LayerKind<MaxPool1dConfig> = {
  type: "MaxPool1d",
  params: [
    { name: "kernelSize", type: "posInt" },
    { name: "stride", type: "posInt", default: null },
    { name: "padding", type: "nonNegInt", default: 0 },
    { name: "dilation", type: "posInt", default: 1 },
    { name: "returnIndices", type: "bool", default: false },
    { name: "ceilMode", type: "bool", default: false },
  ],
  build: (a) => pool1dBuild("MaxPool1d", a),
  describe: (c) =>
    `MaxPool1d(kernel_size=${c.kernelSize}, stride=${c.stride}, padding=${c.padding}, dilation=${c.dilation}, ceil_mode=${c.ceilMode ? "True" : "False"})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => pool1dForward("MaxPool1d", c, x!),
};

export const AvgPool1d: LayerKind<AvgPool1dConfig> = {
  type: "AvgPool1d",
  params: [
    { name: "kernelSize", type: "posInt" },
    { name: "stride", type: "posInt", default: null },
    { name: "padding", type: "nonNegInt", default: 0 },
    { name: "ceilMode", type: "bool", default: false },
    { name: "countIncludePad", type: "bool", default: true },
  ],
  build: (a) => pool1dBuild("AvgPool1d", a),
  describe: (c) => `AvgPool1d(kernel_size=(${c.kernelSize},), stride=(${c.stride},), padding=(${c.padding},))`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => pool1dForward("AvgPool1d", c, x!),
};

export type AdaptivePool1dConfig = { outputSize: number };

export const AdaptiveAvgPool1d: LayerKind<AdaptivePool1dConfig> = {
  type: "AdaptiveAvgPool1d",
  params: [{ name: "outputSize", type: "posInt" }],
  describe: (c) => `AdaptiveAvgPool1d(output_size=${c.outputSize})`,
  counts: () => NO_COUNTS,
  forward: (c, [x]) => expectRank("AdaptiveAvgPool1d", x!, [3, 2], LAYOUT) ?? [...x!.slice(0, -1), c.outputSize],
};
