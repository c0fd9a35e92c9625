import { globMatches, type TransferConfig } from "../../shared/trainConfigTransfer";

/**
 * What `--freeze` and `--lr-for` make of a model's parameters (the PyTorch engine's transfer.py
 * applies the same rule): which parameters never change, which BatchNorm layers keep their running
 * statistics (evaluation mode, as `module.eval()` on a frozen backbone), and each trainable
 * parameter's learning-rate group (the first `--lr-for` glob that matches it).
 */
export interface TransferPlan {
  /** Parameter names that are not trained: no gradient, no optimiser state, no weight decay. */
  frozen: ReadonlySet<string>;
  /** Module paths of the BatchNorm layers whose parameters are all frozen: they run in evaluation mode. */
  evalNorms: ReadonlySet<string>;
  /** Trainable parameter → index into `lrFor` (absent: the run's --lr). */
  groupOf: ReadonlyMap<string, number>;
}

export const NO_TRANSFER: TransferPlan = { frozen: new Set(), evalNorms: new Set(), groupOf: new Map() };

export interface ModelNames {
  model: string;
  /** Parameter names in state_dict order. */
  parameters: readonly string[];
  buffers: readonly string[];
  /** Module paths of the model's BatchNorm layers. */
  batchNorms: readonly string[];
}

/** A list of names for a message: the first few, and how many more. */
function some(names: readonly string[]): string {
  const head = names.slice(0, 6).join(", ");
  return names.length > 6 ? `${head}, … (${names.length} in all)` : head;
}

/** The plan of the transfer settings for this model; a string is the error (a glob that matches nothing, named). */
export function planTransfer(t: TransferConfig | undefined, m: ModelNames): TransferPlan | string {
  if (t === undefined || (t.freeze.length === 0 && t.lrFor.length === 0)) return NO_TRANSFER;
  const frozen = new Set<string>();
  for (const glob of t.freeze) {
    const hits = m.parameters.filter((n) => globMatches(glob, n));
    const bufferHits = m.buffers.some((n) => globMatches(glob, n));
    if (hits.length === 0 && !bufferHits) return `--freeze ${glob} matches no parameter of ${m.model} (its parameters: ${some(m.parameters)})`;
    for (const n of hits) frozen.add(n);
  }
  if (m.parameters.length > 0 && frozen.size === m.parameters.length)
    return `--freeze ${t.freeze.join(",")} freezes every parameter of ${m.model}: nothing would train (leave the new head out of the globs)`;
  const evalNorms = new Set<string>();
  for (const bn of m.batchNorms) {
    const own = m.parameters.filter((n) => n.startsWith(`${bn}.`) && !n.slice(bn.length + 1).includes("."));
    const allFrozen =
      own.length > 0 ? own.every((n) => frozen.has(n)) : m.buffers.some((b) => b.startsWith(`${bn}.`) && t.freeze.some((g) => globMatches(g, b)));
    if (allFrozen) evalNorms.add(bn);
  }
  const groupOf = new Map<string, number>();
  t.lrFor.forEach((g, i) => {
    for (const n of m.parameters) if (!frozen.has(n) && !groupOf.has(n) && globMatches(g.glob, n)) groupOf.set(n, i);
  });
  const unmatched = t.lrFor.find((g) => !m.parameters.some((n) => globMatches(g.glob, n)));
  if (unmatched) return `--lr-for ${unmatched.glob} matches no parameter of ${m.model} (its parameters: ${some(m.parameters)})`;
  return { frozen, evalNorms, groupOf };
}

/** The plan in words, for the run log. */
export function describePlan(plan: TransferPlan, t: TransferConfig | undefined, total: number): string[] {
  const lines: string[] = [];
  if (plan.frozen.size > 0)
    lines.push(
      `frozen: ${plan.frozen.size} of ${total} parameter tensors${plan.evalNorms.size > 0 ? `; ${plan.evalNorms.size} BatchNorm layers keep their running statistics (evaluation mode)` : ""}`,
    );
  (t?.lrFor ?? []).forEach((g, i) => {
    const n = [...plan.groupOf.values()].filter((x) => x === i).length;
    lines.push(`learning rate ${g.lr} for ${g.glob}: ${n} parameter tensors`);
  });
  return lines;
}
