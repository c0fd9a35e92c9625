import type { LayerCall, OutputShape, Shape } from "../shared/analysis";
import { toCount } from "../shared/count";
import type { CallSite } from "./values";
import { toLocation } from "./location";
import { declaredCounts } from "./parameters";
import { exactNumel } from "./shape";
import type { TracedPass } from "./tensorHost";
import { ArrayValue, ModuleValue, ObjectValue, TensorValue, type Value } from "./values";

/**
 * What a `forward` returns: a tensor, an array of tensors, or an object of tensors (`{ out, aux }`).
 * Read here for the model's output and for the `layers` entry of a custom leaf module.
 */

/** The tensors of a result and its output shape; undefined when it holds something else or a tensor of unknown shape. */
export function resultShapes(v: Value): { shape: OutputShape; tensors: TensorValue[]; names?: string[] } | undefined {
  const known = (x: Value): x is TensorValue & { shape: Shape } => x instanceof TensorValue && x.shape !== null;
  if (known(v)) return { shape: v.shape, tensors: [v] };
  if (v instanceof ArrayValue && v.items.length > 0 && v.items.every(known)) {
    const tensors = v.items as (TensorValue & { shape: Shape })[];
    return { shape: tensors.map((t) => t.shape), tensors };
  }
  if (v instanceof ObjectValue && !v.cls && v.props.size > 0 && [...v.props.values()].every(known)) {
    const entries = [...v.props] as [string, TensorValue & { shape: Shape }][];
    return { shape: Object.fromEntries(entries.map(([k, t]) => [k, t.shape])), tensors: entries.map(([, t]) => t), names: entries.map(([k]) => k) };
  }
  return undefined;
}

/** Whether a forward pass's result carries an error: an unknown tensor alone or among several outputs. */
export function hasUnknownTensor(v: Value): boolean {
  const failed = (x: Value): boolean => x instanceof TensorValue && x.shape === null;
  if (v instanceof ArrayValue) return v.items.some(failed);
  if (v instanceof ObjectValue && !v.cls) return [...v.props.values()].some(failed);
  return failed(v);
}

/**
 * A user module without children is a leaf: it appears in `layers` with the shapes its forward
 * computes (a tensor's, or the first of several with all of them in `outputs`), its own
 * parameters (declared, or of the kind it extends), as a PyTorch forward hook would list it.
 */
export function recordCustomLeaf(
  trace: TracedPass & { layers: LayerCall[]; opMacs: bigint },
  path: string,
  mod: ModuleValue,
  args: Value[],
  result: Value,
  site: CallSite | null,
  /** The products its forward computed (a leaf's own MACs); counted as loose operations when it is not a leaf. */
  macs: bigint,
): Value {
  const shapes = resultShapes(result);
  const first = shapes?.tensors[0];
  if (!shapes || !first?.shape) {
    trace.opMacs += macs;
    return result;
  }
  const inputs = args.filter((a): a is TensorValue => a instanceof TensorValue);
  const own = declaredCounts(mod);
  const kindCounts = mod.layer?.kind.counts(mod.layer.config);
  if (kindCounts) {
    own.params += kindCounts.params;
    own.trainable += mod.frozen ? 0n : kindCounts.params;
    own.buffers += kindCounts.buffers;
  }
  const layerIndex = trace.layers.length;
  const single = shapes.tensors.length === 1 && result instanceof TensorValue;
  trace.layers.push({
    path,
    type: mod.typeName,
    description: `${mod.typeName}()`,
    inputs: inputs.map((t) => t.shape ?? []),
    output: first.shape,
    ...(single ? {} : { outputs: shapes.shape }),
    params: toCount(own.params),
    trainableParams: toCount(own.trainable),
    buffers: toCount(own.buffers),
    macs: toCount(macs),
    activationBytes: toCount(shapes.tensors.reduce((a, t) => a + 4n * exactNumel(t.shape!), 0n)),
    receptiveField: first.field,
    definedAt: mod.definedAt ? toLocation(mod.definedAt) : null,
    calledAt: site ? toLocation(site.node) : null,
  });
  // The node marks the module around what its forward computed: its inputs are those results.
  const id = trace.addNode({
    kind: "module",
    label: path,
    type: mod.typeName,
    inputs: shapes.tensors.map((t) => t.node),
    output: first.shape,
    layer: layerIndex,
    attrs: {},
    receptiveField: first.field,
    location: site ? toLocation(site.node) : mod.definedAt ? toLocation(mod.definedAt) : null,
  });
  return single ? new TensorValue(first.shape, first.field, id, first.note) : result;
}
