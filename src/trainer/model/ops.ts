import type * as tfc from "@tensorflow/tfjs-core";
import { compileCreation } from "./creation";
import { CompileError, type NodeFn, type RunCtx } from "./layers/common";
import { flattenValue } from "./layers/elementwise";
import { compileTensorOp, resolveDim } from "./tensorOps";
import { axisOf, bool, num, torch as torchValue, type Attrs, type Value } from "./value";

/**
 * The tensor operations of `forward` (add, mul, sub, div, cat, flatten, view/reshape, mean,
 * relu, sigmoid, tanh), with PyTorch's dimension numbering whatever the layout of their inputs.
 */

/** Brings several values to one layout: all NHWC when all are 4-D, else PyTorch's. */
function common(ctx: RunCtx, values: readonly Value[]): { ts: tfc.Tensor[]; layout: "torch" | "nhwc" } {
  if (values.every((v) => v.t.rank === 4) && values.some((v) => v.layout === "nhwc")) {
    return { ts: values.map((v) => ctx.nhwcOf(v)), layout: "nhwc" };
  }
  return { ts: values.map((v) => ctx.torchOf(v)), layout: "torch" };
}

type Binary = (tf: RunCtx["tf"], a: tfc.Tensor, b: tfc.Tensor | number) => tfc.Tensor;

const BINARY: Record<string, Binary> = {
  add: (tf, a, b) => tf.add(a, b),
  sub: (tf, a, b) => tf.sub(a, b),
  mul: (tf, a, b) => tf.mul(a, b),
  div: (tf, a, b) => tf.div(a, b),
  // in place: the analyzer moves the tensor to the result's node
  add_: (tf, a, b) => tf.add(a, b),
  sub_: (tf, a, b) => tf.sub(a, b),
  mul_: (tf, a, b) => tf.mul(a, b),
  div_: (tf, a, b) => tf.div(a, b),
};

const UNARY: Record<string, (tf: RunCtx["tf"], x: tfc.Tensor) => tfc.Tensor> = {
  relu: (tf, x) => tf.relu(x),
  sigmoid: (tf, x) => tf.sigmoid(x),
  tanh: (tf, x) => tf.tanh(x),
  contiguous: (_tf, x) => x,
};

function dims(a: Attrs, key: string): number[] {
  const v = a[key];
  const list = Array.isArray(v) ? v : typeof v === "number" ? [v] : [];
  return list.map((d) => {
    if (typeof d !== "number") throw new CompileError(`${key} should hold integers, got ${JSON.stringify(v)}`);
    return d;
  });
}

/** The compiled function of an operation node, or undefined when `type` is not an operation. */
export function compileOp(type: string, attrs: Attrs): NodeFn | undefined {
  const bin = BINARY[type];
  if (bin) {
    const scalar = typeof attrs.scalar === "number" ? attrs.scalar : null;
    return (inputs, ctx) => {
      const a = inputs[0]!;
      if (scalar !== null || inputs.length === 1) return { t: bin(ctx.tf, a.t, scalar ?? 0), layout: a.layout };
      const { ts, layout } = common(ctx, inputs);
      return { t: bin(ctx.tf, ts[0]!, ts[1]!), layout };
    };
  }
  const un = UNARY[type];
  if (un) return (inputs, ctx) => ({ t: un(ctx.tf, inputs[0]!.t), layout: inputs[0]!.layout });
  switch (type) {
    case "cat": {
      const dim = num(attrs, "dim", 0);
      return (inputs, ctx) => {
        const { ts, layout } = common(ctx, inputs);
        const axis = axisOf({ t: ts[0]!, layout }, dim);
        return { t: ctx.tf.concat(ts, axis), layout };
      };
    }
    case "flatten":
    case "torch.flatten": {
      const start = num(attrs, "startDim", 0);
      const end = num(attrs, "endDim", -1);
      return (inputs, ctx) => flattenValue(ctx.tf, (v) => ctx.torchOf(v), inputs[0]!, start, end);
    }
    case "view":
    case "reshape": {
      const raw = attrs.shape;
      if (!Array.isArray(raw)) throw new CompileError(`${type} needs a shape, got ${JSON.stringify(raw)}`);
      return (inputs, ctx) =>
        torchValue(
          ctx.tf.reshape(
            ctx.torchOf(inputs[0]!),
            raw.map((d) => resolveDim(d, ctx)),
          ),
        );
    }
    case "mean": {
      const list = dims(attrs, "dims");
      const keepdim = bool(attrs, "keepdim", false);
      return (inputs, ctx) => {
        const v = inputs[0]!;
        const axes = list.map((d) => axisOf(v, d));
        if (v.layout === "nhwc" && !keepdim) {
          // The kept axes must stay in PyTorch's order, else reduce in PyTorch's layout.
          const kept = [0, 1, 2, 3].filter((i) => !axes.includes(i)).map((i) => [0, 2, 3, 1][i]!);
          if (!kept.every((d, i) => i === 0 || d > kept[i - 1]!)) {
            const x = ctx.torchOf(v);
            return torchValue(
              ctx.tf.mean(
                x,
                list.map((d) => (d < 0 ? d + 4 : d)),
                false,
              ),
            );
          }
          return torchValue(ctx.tf.mean(v.t, axes, false));
        }
        return { t: ctx.tf.mean(v.t, axes, keepdim), layout: keepdim ? v.layout : "torch" };
      };
    }
  }
  return compileTensorOp(type, attrs) ?? compileCreation(type, attrs);
}
