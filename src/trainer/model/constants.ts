import type { ConstantGraph } from "../../shared/analysis";
import { seedFor } from "./init";
import type { NodeFn, RunCtx } from "./layers/common";
import { compileOp } from "./ops";
import { toNHWC, type Value } from "./value";

/**
 * The evaluation, once at compile time, of a buffer or parameter a constructor computed from
 * creation functions (Swin's relative position index: `arange`, `meshgrid`, `stack`, `sub`,
 * in-place `add_` on `select` views, `sum`), from the expression the analyzer recorded
 * (`TensorInit`'s `graph`), with the trainer's lowering of each operation.
 */

type TF = RunCtx["tf"];

/**
 * The values of the tensor `name` computed by `graph` (its last node), in PyTorch's layout, as
 * float32; an error naming the operation the trainer cannot compute.
 */
export function evaluateConstant(tf: TF, graph: ConstantGraph, name: string, shape: readonly number[], seed: number): Float32Array | Error {
  const fns: NodeFn[] = [];
  for (const n of graph.nodes) {
    const fn = compileOp(n.op, n.attrs);
    if (!fn) return new Error(`${name}: the trainer cannot compute '${n.op}', used by the constructor to make this tensor, yet`);
    fns.push(fn);
  }
  let draws = 0;
  const ctx: RunCtx = {
    tf,
    training: false,
    symbols: new Map(),
    nextSeed: () => seedFor(seed, `${name}:${draws++}`),
    torchOf: (v) => (v.layout === "torch" ? v.t : tf.transpose(v.t, [0, 3, 1, 2])),
    nhwcOf: (v) => toNHWC(tf, v),
  };
  try {
    const out = tf.tidy(() => {
      const values: Value[] = [];
      graph.nodes.forEach((n, i) =>
        values.push(
          fns[i]!(
            n.inputs.map((k) => values[k]!),
            ctx,
          ),
        ),
      );
      const last = values[values.length - 1];
      if (!last) throw new Error("the expression is empty");
      return tf.cast(ctx.torchOf(last), "float32");
    });
    const got = out.shape;
    const data = out.dataSync() as Float32Array;
    out.dispose();
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
      return new Error(`${name}: its expression computes [${got.join(", ")}] instead of [${shape.join(", ")}]`);
    return data;
  } catch (e) {
    return new Error(`${name}: computing it failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
