import type { AttrValue, ConstantGraph, Shape } from "../shared/analysis";

/**
 * The tensor operations evaluated outside a traced forward pass (in constructors: Swin's
 * `torch.arange`, `meshgrid`, `sub`, in-place `add_` on a `select` view, ...), recorded so that a
 * buffer or parameter computed by them carries its expression (`TensorInit`'s `graph`) for the
 * trainer to evaluate. Their node ids are negative (-2, -3, ...) so that they never collide with a
 * forward pass's graph; -1 stays "no node".
 */

/** Operations recorded per analysis at most: beyond, tensors are "computed" without a graph. */
const MAX_NODES = 20_000;

export class ConstantRecorder {
  private readonly nodes: ConstantGraph["nodes"] = [];

  /** Records an operation on recorded tensors (or none); -1 when an input is not one of them or the record is full. */
  add(op: string, inputs: readonly number[], output: Shape, attrs: Record<string, AttrValue>): number {
    if (this.nodes.length >= MAX_NODES || inputs.some((i) => i > -2)) return -1;
    this.nodes.push({ op, inputs: inputs.map((i) => -i - 2), output, attrs });
    return -this.nodes.length - 1;
  }

  /** The operations that computed the tensor of node `id`, renumbered from 0 (the tensor is the last), or undefined. */
  graphOf(id: number): ConstantGraph | undefined {
    const last = -id - 2;
    if (last < 0 || last >= this.nodes.length) return undefined;
    const needed = new Set<number>();
    const stack = [last];
    while (stack.length) {
      const k = stack.pop()!;
      if (needed.has(k)) continue;
      needed.add(k);
      stack.push(...this.nodes[k]!.inputs);
    }
    const order = [...needed].sort((a, b) => a - b);
    const index = new Map(order.map((k, i) => [k, i]));
    return { nodes: order.map((k) => ({ ...this.nodes[k]!, inputs: this.nodes[k]!.inputs.map((i) => index.get(i)!) })) };
  }
}
