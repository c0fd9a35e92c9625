import type * as ts from "typescript";
import type { AttrValue, GraphNode, LayerCall, WholeInputField } from "../shared/analysis";
import { toCount } from "../shared/count";
import { EvalError } from "./errors";
import type { Evaluator } from "./evaluator";
import { checkArgType } from "./layers/args";
import { isLayerError, type ArgValue, type Args, type LayerKind, type MultiCall } from "./layers/kind";
import { toLocation, type Related, type Reporter } from "./location";
import { exactNumel } from "./shape";
import { ArrayValue, ModuleValue, ObjectValue, TensorValue, type CallSite, type Value } from "./values";

/** Attention mixes every token: each output token sees the whole input (the contract's receptive-field rule). */
const WHOLE_INPUT: WholeInputField = { wholeInput: true };

/**
 * Module calls with several tensors and call options that return an array, like PyTorch's tuple:
 * `const [y, w] = this.attn(q, k, v, { needWeights: true })` (nn.MultiheadAttention). The module
 * is one leaf in `layers`; the graph has its node (the first output) and, for each further output,
 * an `item` node reading it (attrs `{ index }`).
 */

/** What these calls need from the symbolic runtime (src/analyzer/symbolicTorch.ts's Torch). */
export interface RuntimeHost {
  readonly trace: { readonly layers: readonly LayerCall[]; addNode(n: Omit<GraphNode, "id">): number } | null;
  readonly interp: Evaluator;
  readonly reporter: Reporter;
  toArg(v: Value, node: ts.Node, owner: string): ArgValue;
  tensorArg(v: Value, site: CallSite, i: number, op: string): TensorValue;
  origins(inputs: readonly TensorValue[]): Related[];
  pathOf(mod: ModuleValue): string;
  pushLayer(trace: NonNullable<RuntimeHost["trace"]>, call: LayerCall, where: ts.Node): number;
  buildLayer(kind: LayerKind, args: Value[], site: CallSite): ModuleValue;
  register(mod: ModuleValue, name: string, child: ModuleValue): void;
  binary(op: string, a: TensorValue, b: Value, site: CallSite): TensorValue;
  callModule(mod: ModuleValue, args: Value[], site: CallSite | null): Value;
}

const UNKNOWN = new TensorValue(null, null, -1);

/** The call's plain options (defaults filled) and its tensor options, checked; throws on a wrong one. */
function callOptions(host: RuntimeHost, type: string, mc: MultiCall, last: Value, node: ts.Node): { opts: Args; tensors: Map<string, TensorValue> } {
  const opts: Args = {};
  for (const spec of mc.options) opts[spec.name] = spec.default as ArgValue;
  const tensors = new Map<string, TensorValue>();
  if (!(last instanceof ObjectValue)) return { opts, tensors };
  for (const [k, v] of last.props) {
    const spec = mc.options.find((p) => p.name === k);
    if (spec) {
      const a = host.toArg(v, node, type);
      if (a === undefined) continue;
      const problem = checkArgType(spec, a);
      if (problem) throw new EvalError(node, `${type} call option '${k}' must be ${problem}, got ${host.interp.display(v)}`, "argument-type");
      opts[k] = a;
    } else if (mc.tensorOptions.includes(k)) {
      if (v === null || v === undefined) continue;
      if (!(v instanceof TensorValue))
        throw new EvalError(node, `${type} call option '${k}' must be a tensor or null, got ${host.interp.display(v)}`, "argument-type");
      tensors.set(k, v);
    } else {
      const known = [...mc.options.map((p) => p.name), ...mc.tensorOptions].map((n) => `'${n}'`).join(", ");
      throw new EvalError(node, `${type} has no call option '${k}'; its options are ${known}`, "unknown-option");
    }
  }
  return { opts, tensors };
}

/** Calls a module whose kind has a MultiCall: records it once in `layers` and returns the array of its outputs. */
export function callMultiOutput(host: RuntimeHost, mod: ModuleValue, args: Value[], site: CallSite | null): Value {
  const layer = mod.layer!;
  const kind = layer.kind;
  const mc = kind.multiCall!;
  const trace = host.trace;
  const where = site?.node ?? mod.definedAt ?? null;
  if (!trace || !where) return UNKNOWN;
  const callSite: CallSite = site ?? { node: where, argNodes: [] };
  const n = mc.tensors.length;
  const last = args.length > n ? args[args.length - 1] : undefined;
  if (args.length < n || args.length > n + 1 || (args.length === n + 1 && !(last instanceof ObjectValue) && last !== undefined))
    throw new EvalError(
      where,
      `${kind.type} takes ${mc.tensors.join(", ")} and an optional options object, got ${args.length} argument${args.length === 1 ? "" : "s"}`,
      "argument-type",
    );
  const inputs = args.slice(0, n).map((a, i) => host.tensorArg(a, callSite, i, kind.type));
  const { opts, tensors } = callOptions(host, kind.type, mc, last, callSite.argNodes[n] ?? where);
  const masks = [...tensors];
  if (inputs.some((t) => !t.shape) || masks.some(([, t]) => !t.shape)) return new ArrayValue(mc.tensors.slice(0, 2).map(() => UNKNOWN));
  const shapes = inputs.map((t) => t.shape!);
  const outs = mc.outputs(layer.config, shapes, opts, new Map(masks.map(([k, t]) => [k, t.shape!])));
  if (isLayerError(outs)) {
    const related = host.origins(inputs);
    if (mod.definedAt && mod.definedAt !== where) related.push({ at: toLocation(mod.definedAt), message: `${kind.type} defined here` });
    host.reporter.report("error", where, outs.message, outs.code, related);
    return new ArrayValue(mc.tensors.slice(0, 2).map(() => UNKNOWN));
  }
  const output = outs[0]!;
  const counts = kind.counts(layer.config);
  const path = host.pathOf(mod);
  const layerIndex = host.pushLayer(
    trace,
    {
      path,
      type: kind.type,
      description: kind.describe(layer.config),
      inputs: shapes,
      output,
      params: toCount(counts.params),
      trainableParams: mod.frozen ? 0 : toCount(counts.params),
      buffers: toCount(counts.buffers),
      macs: toCount(mc.macs(layer.config, shapes, opts)),
      activationBytes: toCount(4n * exactNumel(output)),
      receptiveField: WHOLE_INPUT,
      definedAt: mod.definedAt ? toLocation(mod.definedAt) : null,
      calledAt: site ? toLocation(site.node) : null,
    },
    where,
  );
  const attrs: Record<string, AttrValue> = { ...toAttrs(layer.config), ...toAttrs(opts), masks: masks.map(([k]) => k) };
  const id = trace.addNode({
    kind: "module",
    label: path,
    type: kind.type,
    inputs: [...inputs, ...masks.map(([, t]) => t)].map((t) => t.node),
    output,
    layer: layerIndex,
    attrs,
    receptiveField: WHOLE_INPUT,
    location: toLocation(where),
  });
  const values: Value[] = [new TensorValue(output, WHOLE_INPUT, id)];
  outs.slice(1).forEach((shape, i) => {
    if (shape === null) return values.push(null);
    const item = trace.addNode({
      kind: "op",
      label: "item",
      type: "item",
      inputs: [id],
      output: shape,
      attrs: { index: i + 1 },
      receptiveField: null,
      location: toLocation(where),
    });
    return values.push(new TensorValue(shape, null, item));
  });
  return new ArrayValue(values);
}

function toAttrs(config: Args): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(config)) out[k] = v === undefined ? null : typeof v === "object" && v !== null ? [...v] : v;
  return out;
}
