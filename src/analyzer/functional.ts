import { isWholeInput, type AttrValue, type Shape } from "../shared/analysis";
import { EvalError } from "./errors";
import type { ConvConfig } from "./layers/conv";
import { LAYERS } from "./layers/index";
import { err, isLayerError, type LayerError, type LayerKind, type Pair } from "./layers/kind";
import { applyWindow, WHOLE_INPUT } from "./receptiveField";
import { exactNumel } from "./shape";
import type { TensorMethods } from "./tensorMethods";
import * as S from "./tensorShapes";
import { ArrayValue, Builtin, TensorValue, type CallSite, type Value } from "./values";

/**
 * The functional forms of version 2: `F.pad`, `F.layerNorm`, `F.groupNorm`, `F.linear`,
 * `F.conv2d`, `F.scaledDotProductAttention`, `F.normalize`, `F.logSoftmax`,
 * `F.adaptiveAvgPool1d`. Graph nodes are labelled with the function's name (`pad`, `linear`, ...).
 */

const unknown = (): TensorValue => new TensorValue(null, null, -1);

type Fn = (m: TensorMethods, args: Value[], site: CallSite) => Value;

const PAD_MODES = ["constant", "reflect", "replicate", "circular"] as const;

const FUNCTIONS: Record<string, Fn> = {
  pad: (m, args, site) => {
    const a = m.args("F.pad", site, [["input"], ["pad"], ["mode", "constant"], ["value", null]], args);
    const x = a.tensor("input");
    const p = a.intList("pad");
    const mode = a.str("mode", PAD_MODES);
    const value = a.has("value") ? a.num("value") : 0;
    if (!x.shape) return unknown();
    const out = S.pad(x.shape, p, mode);
    // Padding the spatial axes moves the grid as a convolution's padding does; the window is unchanged.
    const field =
      x.field && !isWholeInput(x.field)
        ? x.shape.length === 4 && p.length <= 4
          ? applyWindow(x.field, { kernel: [1, 1], stride: [1, 1], padding: [p[2] ?? 0, p[0] ?? 0], dilation: [1, 1] })
          : null
        : x.field;
    return m.host.opResult("pad", [x], out, site, field, { pad: p, mode, value });
  },
  layerNorm: (m, args, site) => {
    const a = m.args("F.layerNorm", site, [["input"], ["normalizedShape"], ["weight", null], ["bias", null], ["eps", 1e-5]], args);
    const x = a.tensor("input");
    const shape = a.ints("normalizedShape") ?? [];
    const params = [a.optionalTensor("weight"), a.optionalTensor("bias")].filter((t): t is TensorValue => t !== null);
    const eps = a.num("eps");
    for (const t of params) {
      if (t.shape && t.shape.join() !== shape.join()) {
        throw new EvalError(
          site.node,
          `F.layerNorm: weight and bias must have the normalized shape [${shape.join(", ")}], got [${t.shape.join(", ")}]`,
          "shape-mismatch",
        );
      }
    }
    return m.shaped(
      "layerNorm",
      x,
      params,
      site,
      (s) => S.layerNorm(s, shape),
      { normalizedShape: shape, eps, weight: params.length > 0, bias: params.length > 1 },
      false,
    );
  },
  groupNorm: (m, args, site) => {
    const a = m.args("F.groupNorm", site, [["input"], ["numGroups"], ["weight", null], ["bias", null], ["eps", 1e-5]], args);
    const x = a.tensor("input");
    const groups = a.int("numGroups");
    const params = [a.optionalTensor("weight"), a.optionalTensor("bias")].filter((t): t is TensorValue => t !== null);
    const eps = a.num("eps");
    return m.shaped(
      "groupNorm",
      x,
      params,
      site,
      (s) => S.groupNorm(s, groups),
      { numGroups: groups, eps, weight: params.length > 0, bias: params.length > 1 },
      true,
    );
  },
  linear: (m, args, site) => {
    const a = m.args("F.linear", site, [["input"], ["weight"], ["bias", null]], args);
    const x = a.tensor("input");
    const w = a.tensor("weight");
    const b = a.optionalTensor("bias");
    if (!x.shape || !w.shape || (b && !b.shape)) return unknown();
    const out = S.linear(x.shape, w.shape);
    if (!isLayerError(out) && b && b.shape!.join() !== String(w.shape[0])) {
      return m.host.opResult(
        "linear",
        [x, w, b],
        { code: "shape-mismatch", message: `F.linear: bias [${b.shape!.join(", ")}] must have ${w.shape[0]} elements` },
        site,
        null,
        {},
      );
    }
    const inputs = b ? [x, w, b] : [x, w];
    if (isLayerError(out)) return m.host.opResult("linear", inputs, out, site, null, {});
    const macs = exactNumel(out) * exactNumel([w.shape[w.shape.length - 1]!]);
    return m.host.opResult("linear", inputs, out, site, m.mixedField([x, w]), { bias: b !== null }, undefined, macs);
  },
  conv2d: conv2d,
  scaledDotProductAttention: (m, args, site) => {
    const op = "F.scaledDotProductAttention";
    const a = m.args(op, site, [["query"], ["key"], ["value"], ["attnMask", null], ["dropoutP", 0], ["isCausal", false], ["scale", null]], args);
    const [q, k, v] = [a.tensor("query"), a.tensor("key"), a.tensor("value")];
    const mask = a.optionalTensor("attnMask");
    const dropoutP = a.num("dropoutP");
    const isCausal = a.bool("isCausal");
    const scale = a.has("scale") ? a.num("scale") : null;
    const inputs = mask ? [q, k, v, mask] : [q, k, v];
    if (inputs.some((t) => !t.shape)) return unknown();
    let out = S.attention(q.shape!, k.shape!, v.shape!);
    if (!isLayerError(out) && mask) {
      const scores = [...out.slice(0, -1), k.shape![k.shape!.length - 2]!];
      const bc = broadcastTo(op, mask.shape!, scores);
      if (isLayerError(bc)) out = bc;
    }
    if (!isLayerError(out) && isCausal && mask) out = err("invalid-argument", `${op}: attnMask and isCausal cannot both be set`);
    if (isLayerError(out)) return m.host.opResult("scaledDotProductAttention", inputs, out, site, null, {});
    // Q·Kᵀ: every score sums E products; A·V: every output sums S products (batch 1).
    const s = k.shape![k.shape!.length - 2]!;
    const e = q.shape![q.shape!.length - 1]!;
    const macs = exactNumel(out.slice(0, -1)) * exactNumel([s, e]) + exactNumel(out) * exactNumel([s]);
    const attrs: Record<string, AttrValue> = { dropoutP, isCausal, scale, attnMask: mask !== null };
    return m.host.opResult("scaledDotProductAttention", inputs, out, site, WHOLE_INPUT, attrs, undefined, macs);
  },
  normalize: (m, args, site) => {
    const a = m.args("F.normalize", site, [["input"], ["p", 2], ["dim", 1], ["eps", 1e-12]], args);
    const x = a.tensor("input");
    const [p, dim, eps] = [a.num("p"), a.int("dim"), a.num("eps")];
    return m.shaped("normalize", x, [], site, (s) => S.checkDim("F.normalize", s, dim), { p, dim, eps }, true);
  },
  logSoftmax: (m, args, site) => {
    const a = m.args("F.logSoftmax", site, [["input"], ["dim"]], args, [["dtype", null]]);
    const x = a.tensor("input");
    const dim = a.int("dim");
    return m.shaped("logSoftmax", x, [], site, (s) => S.checkDim("F.logSoftmax", s, dim), { dim }, true);
  },
  adaptiveAvgPool1d: (m, args, site) => {
    const a = m.args("F.adaptiveAvgPool1d", site, [["input"], ["outputSize"]], args);
    const x = a.tensor("input");
    const size = a.int("outputSize");
    const rule = (s: Shape): Shape | LayerError =>
      s.length === 2 || s.length === 3
        ? size >= 1
          ? [...s.slice(0, -1), size]
          : err("invalid-argument", `F.adaptiveAvgPool1d: outputSize must be positive, got ${size}`)
        : err("shape-mismatch", `F.adaptiveAvgPool1d expects [N, C, L] or [C, L], got [${s.join(", ")}]`);
    return m.shaped("adaptiveAvgPool1d", x, [], site, rule, { outputSize: size }, false);
  },
};

/** `mask` broadcast to `target` without growing it (as an attention mask broadcasts to the scores). */
function broadcastTo(op: string, mask: Shape, target: Shape): Shape | LayerError {
  const n = target.length;
  if (mask.length > n) return err("shape-mismatch", `${op}: attnMask [${mask.join(", ")}] does not broadcast to the scores [${target.join(", ")}]`);
  for (let i = 0; i < mask.length; i++) {
    const d = mask[mask.length - 1 - i]!;
    if (d !== 1 && d !== target[n - 1 - i])
      return err("shape-mismatch", `${op}: attnMask [${mask.join(", ")}] does not broadcast to the scores [${target.join(", ")}]`);
  }
  return target;
}

const pairOf = (v: Value, name: string, site: CallSite): Pair => {
  if (typeof v === "number" && Number.isInteger(v)) return [v, v];
  const items = v instanceof ArrayValue ? v.items : [];
  const [h, w] = items;
  if (items.length === 2 && typeof h === "number" && typeof w === "number") return [h, w];
  throw new EvalError(site.node, `F.conv2d: '${name}' must be an integer or a pair of integers`, "argument-type");
};

/** F.conv2d(x, weight [out, in/groups, kh, kw], bias?, { stride, padding, dilation, groups }): Conv2d's rule. */
function conv2d(m: TensorMethods, args: Value[], site: CallSite): Value {
  const a = m.args("F.conv2d", site, [["input"], ["weight"], ["bias", null], ["stride", 1], ["padding", 0], ["dilation", 1], ["groups", 1]], args);
  const x = a.tensor("input");
  const w = a.tensor("weight");
  const b = a.optionalTensor("bias");
  const inputs = b ? [x, w, b] : [x, w];
  if (inputs.some((t) => !t.shape)) return unknown();
  const ws = w.shape!;
  if (ws.length !== 4 || ws.some((d) => typeof d !== "number")) {
    return m.host.opResult(
      "conv2d",
      inputs,
      err("shape-mismatch", `F.conv2d: weight must be 4-D [out, in/groups, kh, kw], got [${ws.join(", ")}]`),
      site,
      null,
      {},
    );
  }
  const [out, inPerGroup, kh, kw] = ws as number[];
  const groups = a.int("groups");
  const stride = pairOf(a.raw("stride"), "stride", site);
  const dilation = pairOf(a.raw("dilation"), "dilation", site);
  const rawPad = a.raw("padding");
  const same = rawPad === "same";
  const padding: Pair = same
    ? [Math.floor((dilation[0] * (kh! - 1)) / 2), Math.floor((dilation[1] * (kw! - 1)) / 2)]
    : rawPad === "valid"
      ? [0, 0]
      : pairOf(rawPad, "padding", site);
  const c: ConvConfig = {
    inChannels: inPerGroup! * groups,
    outChannels: out!,
    kernelSize: [kh!, kw!],
    stride,
    padding,
    paddingMode: "zeros",
    outputPadding: [0, 0],
    dilation,
    groups,
    bias: b !== null,
    ...(same ? { samePadding: true } : {}),
  };
  const kind = LAYERS.Conv2d as LayerKind<ConvConfig>;
  const shape = kind.forward(c, [x.shape!], [x.note]);
  const attrs: Record<string, AttrValue> = { stride: [...stride], padding: same ? "same" : [...padding], dilation: [...dilation], groups, bias: b !== null };
  if (isLayerError(shape)) return m.host.opResult("conv2d", inputs, shape, site, null, attrs);
  const field = x.field && !isWholeInput(x.field) && kind.field ? kind.field(c, x.field, x.shape!, shape) : x.field;
  const macs = kind.macs ? kind.macs(c, [x.shape!], shape) : 0n;
  return m.host.opResult("conv2d", inputs, shape, site, field, attrs, undefined, macs);
}

/** The `F.*` functions of this file, for the F namespace. */
export function functionalForms(m: TensorMethods): Map<string, Value> {
  return new Map(Object.entries(FUNCTIONS).map(([name, f]) => [name, new Builtin(`F.${name}`, (args, site) => f(m, args, site))]));
}
