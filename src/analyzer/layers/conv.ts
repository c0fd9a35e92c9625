import type { Shape } from "../../shared/analysis";
import { applyWindow, type Window } from "../receptiveField";
import { product } from "../../shared/count";
import { exactNumel, formatShape } from "../shape";
import { describeInput, err, expectRank, fmtPair, pair, windowOutput, type LayerError, type LayerKind, type Pair } from "./kind";

/** Conv2d and ConvTranspose2d: shape, parameters, MACs and receptive field. */

export type ConvConfig = {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  stride: Pair;
  /** Padding before each axis (for "same": the left/top amount PyTorch uses). */
  padding: Pair;
  paddingMode: string;
  outputPadding: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
  /** padding "same": the output keeps the input's size. */
  samePadding?: boolean;
};

function checkGroups(type: string, c: { inChannels: number; outChannels: number; groups: number }): LayerError | undefined {
  if (c.inChannels % c.groups !== 0) return err("invalid-argument", `${type} inChannels (${c.inChannels}) must be divisible by groups (${c.groups})`);
  if (c.outChannels % c.groups !== 0) return err("invalid-argument", `${type} outChannels (${c.outChannels}) must be divisible by groups (${c.groups})`);
  return undefined;
}

function checkInput(type: string, c: ConvConfig, x: Shape, origin: string | undefined): LayerError | undefined {
  const rank = expectRank(type, x, [4], "[N, C, H, W]");
  if (rank) return rank;
  if (x[1] !== c.inChannels) {
    return err(
      "channel-mismatch",
      `${type} expects ${c.inChannels} input channels but receives ${x[1]} (${describeInput(x, origin)})`,
      typeof x[1] === "number" ? { param: "inChannels", value: x[1] } : undefined,
    );
  }
  return undefined;
}

function window(c: ConvConfig): Window {
  return { kernel: c.kernelSize, stride: c.stride, padding: c.padding, dilation: c.dilation };
}

function reprExtras(c: ConvConfig, withOutputPadding: boolean): string {
  let s = `kernel_size=${fmtPair(c.kernelSize)}, stride=${fmtPair(c.stride)}`;
  if (c.padding[0] || c.padding[1]) s += `, padding=${fmtPair(c.padding)}`;
  if (withOutputPadding && (c.outputPadding[0] || c.outputPadding[1])) s += `, output_padding=${fmtPair(c.outputPadding)}`;
  if (c.dilation[0] !== 1 || c.dilation[1] !== 1) s += `, dilation=${fmtPair(c.dilation)}`;
  if (c.groups !== 1) s += `, groups=${c.groups}`;
  if (!c.bias) s += ", bias=False";
  return s;
}

function tooSmall(type: string, x: Shape, c: ConvConfig, h: number, w: number): LayerError {
  const k = c.kernelSize[0] === c.kernelSize[1] ? `${c.kernelSize[0]}` : `${c.kernelSize[0]}×${c.kernelSize[1]}`;
  return err(
    "output-too-small",
    `${type} output would be ${Math.max(h, 0)}×${Math.max(w, 0)} from input ${formatShape(x)} with kernel ${k}${c.stride[0] !== 1 || c.stride[1] !== 1 ? `, stride ${c.stride[0]}` : ""}${c.padding[0] || c.padding[1] ? `, padding ${c.padding[0]}` : ""}`,
  );
}

export const Conv2d: LayerKind<ConvConfig> = {
  type: "Conv2d",
  params: [
    { name: "inChannels", type: "posInt" },
    { name: "outChannels", type: "posInt" },
    { name: "kernelSize", type: "posPair" },
    { name: "stride", type: "posPair", default: 1 },
    { name: "padding", type: "padding", default: 0 },
    { name: "dilation", type: "posPair", default: 1 },
    { name: "groups", type: "posInt", default: 1 },
    { name: "bias", type: "bool", default: true },
    { name: "paddingMode", type: "string", default: "zeros", choices: ["zeros", "reflect", "replicate", "circular"] },
  ],
  build(a) {
    const kernelSize = pair(a.kernelSize);
    const stride = pair(a.stride);
    const dilation = pair(a.dilation);
    let padding: Pair;
    if (a.padding === "valid") padding = [0, 0];
    else if (a.padding === "same") {
      if (stride[0] !== 1 || stride[1] !== 1) return err("invalid-argument", `Conv2d padding "same" requires stride 1, got stride ${fmtPair(stride)}`);
      padding = [0, 1].map((i) => Math.floor((dilation[i]! * (kernelSize[i]! - 1)) / 2)) as Pair;
    } else padding = pair(a.padding);
    const c: ConvConfig = {
      inChannels: a.inChannels as number,
      outChannels: a.outChannels as number,
      kernelSize,
      stride,
      padding,
      paddingMode: a.paddingMode as string,
      outputPadding: [0, 0],
      dilation,
      groups: a.groups as number,
      bias: a.bias as boolean,
      samePadding: a.padding === "same",
    };
    return checkGroups("Conv2d", c) ?? c;
  },
  describe: (c) => `Conv2d(${c.inChannels}, ${c.outChannels}, ${reprExtras(c, false)})`,
  counts: (c) => ({
    params: product(c.outChannels, c.inChannels / c.groups, c.kernelSize[0], c.kernelSize[1]) + (c.bias ? BigInt(c.outChannels) : 0n),
    buffers: 0n,
  }),
  forward(c, [x], [origin]) {
    const bad = checkInput("Conv2d", c, x!, origin);
    if (bad) return bad;
    const [n, , h, w] = x!;
    if (c.samePadding) return [n!, c.outChannels, h!, w!];
    const out = [0, 1].map((i) => {
      const len = x![2 + i];
      return typeof len === "number" ? windowOutput(len, c.kernelSize[i]!, c.stride[i]!, c.padding[i]!, c.dilation[i]!) : NaN;
    });
    const [oh, ow] = out as [number, number];
    if (!(oh >= 1 && ow >= 1)) return tooSmall("Conv2d", x!, c, oh, ow);
    return [n!, c.outChannels, oh, ow];
  },
  macs: (c, _in, out) => exactNumel(out) * product(c.inChannels / c.groups, c.kernelSize[0], c.kernelSize[1]),
  field: (c, rf) => applyWindow(rf, window(c)),
};

export const ConvTranspose2d: LayerKind<ConvConfig> = {
  type: "ConvTranspose2d",
  params: [
    { name: "inChannels", type: "posInt" },
    { name: "outChannels", type: "posInt" },
    { name: "kernelSize", type: "posPair" },
    { name: "stride", type: "posPair", default: 1 },
    { name: "padding", type: "nonNegPair", default: 0 },
    { name: "outputPadding", type: "nonNegPair", default: 0 },
    { name: "groups", type: "posInt", default: 1 },
    { name: "bias", type: "bool", default: true },
    { name: "dilation", type: "posPair", default: 1 },
  ],
  build(a) {
    const c: ConvConfig = {
      inChannels: a.inChannels as number,
      outChannels: a.outChannels as number,
      kernelSize: pair(a.kernelSize),
      stride: pair(a.stride),
      padding: pair(a.padding),
      paddingMode: "zeros",
      outputPadding: pair(a.outputPadding),
      dilation: pair(a.dilation),
      groups: a.groups as number,
      bias: a.bias as boolean,
    };
    for (const i of [0, 1]) {
      if (c.outputPadding[i]! >= c.stride[i]! && c.outputPadding[i]! >= c.dilation[i]!) {
        return err(
          "invalid-argument",
          `ConvTranspose2d outputPadding (${c.outputPadding[i]}) must be smaller than stride (${c.stride[i]}) or dilation (${c.dilation[i]})`,
        );
      }
    }
    return checkGroups("ConvTranspose2d", c) ?? c;
  },
  describe: (c) => `ConvTranspose2d(${c.inChannels}, ${c.outChannels}, ${reprExtras(c, true)})`,
  counts: (c) => ({
    params: product(c.inChannels, c.outChannels / c.groups, c.kernelSize[0], c.kernelSize[1]) + (c.bias ? BigInt(c.outChannels) : 0n),
    buffers: 0n,
  }),
  forward(c, [x], [origin]) {
    const bad = checkInput("ConvTranspose2d", c, x!, origin);
    if (bad) return bad;
    const out = [0, 1].map((i) => {
      const len = x![2 + i];
      if (typeof len !== "number") return NaN;
      return (len - 1) * c.stride[i]! - 2 * c.padding[i]! + c.dilation[i]! * (c.kernelSize[i]! - 1) + c.outputPadding[i]! + 1;
    });
    const [oh, ow] = out as [number, number];
    if (!(oh >= 1 && ow >= 1)) return tooSmall("ConvTranspose2d", x!, c, oh, ow);
    return [x![0]!, c.outChannels, oh, ow];
  },
  macs: (c, [x]) => exactNumel(x!) * product(c.outChannels / c.groups, c.kernelSize[0], c.kernelSize[1]),
  // A transposed convolution spreads each input unit over a kernel on a grid `stride` times finer.
  field: (c, rf) => {
    const jump: Pair = [rf.jump[0] / c.stride[0], rf.jump[1] / c.stride[1]];
    const size: Pair = [0, 1].map((i) => rf.size[i]! + c.dilation[i]! * (c.kernelSize[i]! - 1) * jump[i]!) as Pair;
    const start: Pair = [0, 1].map((i) => rf.start[i]! + (c.padding[i]! - (c.dilation[i]! * (c.kernelSize[i]! - 1)) / 2) * jump[i]!) as Pair;
    return { size, jump, start };
  },
};
