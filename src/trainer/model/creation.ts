import type * as tfc from "@tensorflow/tfjs-core";
import type { Dim } from "../../shared/analysis";
import { CompileError, type NodeFn, type RunCtx } from "./layers/common";
import { resolveDim } from "./tensorOps";
import { torch as torchValue, type Attrs } from "./value";

/**
 * The tfjs lowering of the creation functions `torch.arange`, `linspace`, `eye`, `meshgrid`,
 * `stack`, `zeros`, `ones`, `full`, `empty`, `randn` and `rand`: graph operations without tensor
 * inputs (except meshgrid and stack), inside forward or in a constructor's expression (./constants).
 */

type TF = RunCtx["tf"];

/** A size attribute: a number, or its text ("7", or a symbolic batch "N" resolved at run time). */
function sizeOf(d: unknown, ctx: RunCtx): number {
  if (typeof d === "number") return d;
  if (typeof d === "string") return /^\d+$/.test(d) ? Number(d) : resolveDim(d as Dim, ctx);
  throw new CompileError(`a size should be a number, got ${JSON.stringify(d)}`);
}

function sizes(a: Attrs, key: string, ctx: RunCtx): number[] {
  const v = a[key];
  if (!Array.isArray(v)) throw new CompileError(`${key} should be a list of sizes, got ${JSON.stringify(v)}`);
  return v.map((d) => sizeOf(d, ctx));
}

const number = (a: Attrs, key: string, fallback: number): number => (typeof a[key] === "number" ? (a[key] as number) : fallback);

/** The axis input `i` of a meshgrid varies along ("xy" swaps the first two). */
const meshAxis = (i: number, indexing: unknown): number => (indexing === "xy" && i < 2 ? 1 - i : i);

function meshgrid(tf: TF, xs: readonly tfc.Tensor[], index: number, indexing: unknown): tfc.Tensor {
  const lengths = xs.map((x) => x.shape[0]!);
  const out = lengths.map((_, k) => lengths[meshAxis(k, indexing)]!);
  const axis = meshAxis(index, indexing);
  const shape = out.map((d, k) => (k === axis ? d : 1));
  return tf.broadcastTo(tf.reshape(xs[index]!, shape), out);
}

/** The compiled function of a creation operation, or undefined when `type` is not one. */
export function compileCreation(type: string, a: Attrs): NodeFn | undefined {
  switch (type) {
    case "arange":
      return (_in, ctx) => torchValue(ctx.tf.range(number(a, "start", 0), number(a, "end", 0), number(a, "step", 1), "float32"));
    case "linspace":
      return (_in, ctx) => torchValue(ctx.tf.linspace(number(a, "start", 0), number(a, "end", 0), number(a, "steps", 0)));
    case "eye":
      return (_in, ctx) => torchValue(ctx.tf.eye(sizeOf(a.n, ctx), sizeOf(a.m, ctx)));
    case "meshgrid":
      return (inputs, ctx) =>
        torchValue(
          meshgrid(
            ctx.tf,
            inputs.map((v) => ctx.torchOf(v)),
            number(a, "index", 0),
            a.indexing,
          ),
        );
    case "stack":
      return (inputs, ctx) =>
        torchValue(
          ctx.tf.stack(
            inputs.map((v) => ctx.torchOf(v)),
            number(a, "dim", 0),
          ),
        );
    case "zeros":
    case "empty":
      return (_in, ctx) => torchValue(ctx.tf.zeros(sizes(a, "size", ctx)));
    case "ones":
      return (_in, ctx) => torchValue(ctx.tf.ones(sizes(a, "size", ctx)));
    case "full":
      return (_in, ctx) => torchValue(ctx.tf.fill(sizes(a, "size", ctx), number(a, "value", Number.NaN)));
    case "randn":
      return (_in, ctx) => torchValue(ctx.tf.randomNormal(sizes(a, "size", ctx), 0, 1, "float32", ctx.nextSeed()));
    case "rand":
      return (_in, ctx) => torchValue(ctx.tf.randomUniform(sizes(a, "size", ctx), 0, 1, "float32", ctx.nextSeed()));
  }
  return undefined;
}
