import ts = require("typescript");
import type { EditFix, GraphNode, TextFix } from "../shared/analysis";
import { fixInForm } from "./fixForm";
import type { ArgValue, Args, LayerError } from "./layers/kind";
import { toLocation } from "./location";
import type { ModuleValue, TensorValue } from "./values";

/**
 * The other side of a channel mismatch (issue 19.9): where a layer expects `n` channels or
 * features and its input has another count, the fix on the consuming layer changes its own
 * argument; this one changes the layer that produced the count (a convolution's `outChannels`,
 * a Linear's `outFeatures`) to `n`, together with the norms between them that are sized by it
 * (`features.1 (BatchNorm2d)`'s `numFeatures`). Offered only where every argument it changes is a
 * number written in the same file as the error; the server offers it only once the edited file
 * analyses without a new error (another consumer of the producer would break).
 */

/** Arguments that name the size of the channel axis (1) or of the last axis. */
const CONSUMED_AXIS: Readonly<Record<string, "channels" | "last">> = {
  inChannels: "channels",
  numFeatures: "channels",
  numChannels: "channels",
  numParameters: "channels",
  inFeatures: "last",
  normalizedShape: "last",
};

/** The arguments of a producing layer that set that size. */
const PRODUCED_AXIS: Readonly<Record<string, "channels" | "last">> = { outChannels: "channels", outFeatures: "last" };

/** Layers and operations between the producer and the consumer that keep the count (elementwise, pooling, norms, dropout, padding). */
const KEEPS_COUNT =
  /^(ReLU|ReLU6|LeakyReLU|PReLU|ELU|SELU|CELU|GELU|SiLU|Mish|Sigmoid|Tanh|Hardswish|Hardsigmoid|Hardtanh|Softplus|Softsign|Identity|Dropout\d?d?|AlphaDropout|(Max|Avg|AdaptiveMax|AdaptiveAvg|LP)Pool\dd|(BatchNorm|InstanceNorm)\dd|GroupNorm|LayerNorm|LocalResponseNorm|(Zero|Constant|Reflection|Replication|Circular)Pad\dd|Upsample|UpsamplingNearest2d|UpsamplingBilinear2d|relu|gelu|sigmoid|tanh)$/;

export interface ProducerSearch {
  graph: readonly GraphNode[];
  /** The module each module node called (its arguments' nodes). */
  modules: ReadonlyMap<number, ModuleValue>;
}

/** The consumer whose input mismatches: its arguments, the node reported at, and its input. */
export interface Consumer {
  argNodes: ReadonlyMap<string, ts.Node>;
  config: Args;
  where: ts.Node;
  x: TensorValue;
}

/**
 * Both fixes of a mismatch that one value certainly fixes: the consumer's argument (in the form
 * the code writes it, fixForm.ts), titled with the layer (`features.3 (Conv2d)`) where it has a
 * path, and the producer's.
 */
export function mismatchFixes(
  search: ProducerSearch | null,
  wanted: LayerError["fix"],
  consumer: Consumer,
  layer: string | undefined,
): { fix?: TextFix; producer?: EditFix } {
  const node = wanted && consumer.argNodes.get(wanted.param);
  if (!wanted || !node) return {};
  const fix = fixInForm(layer ? `${layer} ${wanted.param}` : wanted.param, wanted.value, node, consumer.x.note);
  const producer = search ? producerFix(search, consumer.x.node, wanted.param, consumer.config, consumer.where) : undefined;
  return producer ? { fix, producer } : { fix };
}

/** The producer fix for a consumer whose `param` expects `config[param]`, given its input's graph node; undefined where none is certain. */
function producerFix(search: ProducerSearch, inputNode: number, param: string, config: Args, where: ts.Node): EditFix | undefined {
  const axisKind = CONSUMED_AXIS[param];
  const wanted = single(config[param]);
  if (!axisKind || typeof wanted !== "number") return undefined;
  const file = where.getSourceFile();
  const edits: EditFix["edits"] = [];
  const also: string[] = [];
  let node = search.graph[inputNode];
  const start = node?.output;
  if (!node || !start) return undefined;
  const axis = axisKind === "channels" ? 1 : start.length - 1;
  const count = start[axis];
  if (axis < 1 || typeof count !== "number" || count === wanted) return undefined;
  for (let steps = 0; node && steps < 64; steps++) {
    const mod = search.modules.get(node.id);
    const layer = mod?.layer;
    const setter = layer && Object.keys(PRODUCED_AXIS).find((p) => p in layer.config);
    if (layer && setter) {
      const setsAxis = PRODUCED_AXIS[setter] === "channels" ? 1 : node.output.length - 1;
      const edit = setsAxis === axis && layer.config[setter] === count ? numberEdit(layer.argNodes.get(setter), file, wanted) : undefined;
      if (!edit) return undefined;
      edits.unshift(edit);
      const label = `${node.label} (${node.type})`;
      return { title: `Change ${label} ${setter} to ${wanted}${also.length ? ` (and ${also.join(", ")})` : ""}`, edits };
    }
    // A layer or operation that keeps the count: its own arguments sized by it change with it.
    const from: GraphNode | undefined = node.inputs.length === 1 ? search.graph[node.inputs[0]!] : undefined;
    if (!from || !KEEPS_COUNT.test(node.type) || from.output.length !== node.output.length || from.output[axis] !== count) return undefined;
    for (const [p, a] of Object.entries(CONSUMED_AXIS)) {
      if (single(layer?.config[p]) !== count || (a === "channels" ? 1 : node.output.length - 1) !== axis) continue;
      const edit = numberEdit(layer?.argNodes.get(p), file, wanted);
      if (!edit) return undefined;
      edits.push(edit);
      also.push(`${node.label} (${node.type}) ${p}`);
    }
    if (!layer && node.kind === "op" && /Norm/.test(node.type)) return undefined;
    node = from;
  }
  return undefined;
}

/** A number, or the one number of a list (LayerNorm's `normalizedShape`). */
function single(v: ArgValue): ArgValue {
  const list: readonly unknown[] | undefined = typeof v === "object" && v !== null ? v : undefined;
  return list ? (list.length === 1 && typeof list[0] === "number" ? list[0] : undefined) : v;
}

/** An edit of a number written in `file` (a literal, or arithmetic on literals), else undefined. */
function numberEdit(arg: ts.Node | undefined, file: ts.SourceFile, value: number): EditFix["edits"][number] | undefined {
  if (!arg || arg.getSourceFile() !== file || !isNumberExpression(arg)) return undefined;
  return { location: toLocation(arg), newText: String(value) };
}

function isNumberExpression(n: ts.Node): boolean {
  if (ts.isNumericLiteral(n)) return true;
  if (ts.isParenthesizedExpression(n)) return isNumberExpression(n.expression);
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    const arithmetic = op === ts.SyntaxKind.AsteriskToken || op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.MinusToken;
    return arithmetic && isNumberExpression(n.left) && isNumberExpression(n.right);
  }
  return false;
}
