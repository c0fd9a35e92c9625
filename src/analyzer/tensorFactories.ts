import type * as ts from "typescript";
import type { AttrValue, Dim, Shape, TensorInit } from "../shared/analysis";
import { EvalError } from "./errors";
import { formatShape, normAxis } from "./shape";
import { ArrayValue, Builtin, ObjectValue, SymDim, TensorValue, type CallSite, type Value } from "./values";

/**
 * Tensor creation functions of the `torch` namespace: `torch.zeros`, `ones`, `empty`, `full`,
 * `randn`, `rand`, `arange`, `linspace`, `eye`, `meshgrid`, `stack`. In a constructor they make the
 * tensors of parameters and buffers (shape and initial values, no graph node); inside `forward`
 * they are graph operations without inputs (label = the function's name, attrs = its arguments).
 */

export interface FactoryHost {
  display(v: Value): string;
  poisoned(v: Value, node: ts.Node): void;
  iterate(v: Value, node: ts.Node): Value[];
  /** Adds an operation node while a forward pass is traced; -1 otherwise. */
  addOp(label: string, inputs: readonly TensorValue[], out: Shape, attrs: Record<string, AttrValue>, site: CallSite): number;
}

/** Options every creation function accepts and ignores (values are not modelled beyond their initialisation). */
const IGNORED_OPTIONS = new Set(["dtype", "device", "requiresGrad", "layout", "pinMemory", "generator", "out", "memoryFormat"]);

export function tensorFactories(host: FactoryHost): [string, Value][] {
  const sized = (name: string, init: (args: Value[], site: CallSite) => TensorInit, extra = 0) =>
    new Builtin(`torch.${name}`, (args, site) => {
      const { dims, rest } = sizeArgs(host, name, args, site, extra);
      const i = init(rest, site);
      return make(host, name, dims, i, site, { size: dims.map(String), ...initAttrs(i) });
    });
  const num = (name: string, v: Value, site: CallSite, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v === "number") return v;
    throw new EvalError(site.node, `torch.${name} expects a number, got ${host.display(v)}`, "argument-type");
  };
  return [
    ["zeros", sized("zeros", () => ({ kind: "const", value: 0 }))],
    ["ones", sized("ones", () => ({ kind: "const", value: 1 }))],
    ["empty", sized("empty", () => ({ kind: "empty" }))],
    ["randn", sized("randn", () => ({ kind: "normal", mean: 0, std: 1 }))],
    ["rand", sized("rand", () => ({ kind: "uniform", low: 0, high: 1 }))],
    ["full", sized("full", ([v], site) => ({ kind: "const", value: num("full", v, site, NaN) }), 1)],
    [
      "arange",
      new Builtin("torch.arange", (args, site) => {
        const nums = args.filter((a) => !(a instanceof ObjectValue));
        const [a, b, c] = nums.map((v) => num("arange", v, site, 0));
        const [start, end, step] = nums.length === 1 ? [0, a!, 1] : [a ?? 0, b ?? 0, c ?? 1];
        if (step === 0) throw new EvalError(site.node, "torch.arange step must be nonzero", "invalid-argument");
        const n = Math.max(0, Math.ceil((end - start) / step));
        return make(host, "arange", [n], { kind: "computed", op: "arange" }, site, { start, end, step });
      }),
    ],
    [
      "linspace",
      new Builtin("torch.linspace", ([a, b, steps], site) => {
        const n = num("linspace", steps, site, NaN);
        if (!(Number.isInteger(n) && n >= 0))
          throw new EvalError(site.node, `torch.linspace steps must be a non-negative integer, got ${host.display(steps)}`, "argument-type");
        return make(host, "linspace", [n], { kind: "computed", op: "linspace" }, site, {
          start: num("linspace", a, site, 0),
          end: num("linspace", b, site, 0),
          steps: n,
        });
      }),
    ],
    [
      "eye",
      new Builtin("torch.eye", ([n, m], site) => {
        const rows = dimOf(host, "eye", n, site, 0);
        const cols = m === undefined || m instanceof ObjectValue ? rows : dimOf(host, "eye", m, site, 1);
        return make(host, "eye", [rows, cols], { kind: "computed", op: "eye" }, site, { n: String(rows), m: String(cols) });
      }),
    ],
    ["meshgrid", new Builtin("torch.meshgrid", (args, site) => meshgrid(host, args, site))],
    ["stack", new Builtin("torch.stack", ([list, dim], site) => stack(host, list, dim, site))],
  ];
}

function initAttrs(i: TensorInit): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(i)) if (k !== "kind") out[k] = v as AttrValue;
  return out;
}

/** A created tensor: a graph node inside forward, the storage of a parameter or buffer in a constructor. */
function make(
  host: FactoryHost,
  op: string,
  dims: Shape,
  init: TensorInit,
  site: CallSite,
  attrs: Record<string, AttrValue>,
  inputs: readonly TensorValue[] = [],
): TensorValue {
  const id = host.addOp(op, inputs, dims, attrs, site);
  return new TensorValue(dims, null, id, undefined, { init });
}

function dimOf(host: FactoryHost, fn: string, v: Value, site: CallSite, i: number): Dim {
  host.poisoned(v, site.node);
  if (v instanceof SymDim) return v.dim;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  throw new EvalError(site.argNodes[i] ?? site.node, `torch.${fn} sizes must be non-negative integers, got ${host.display(v)}`, "argument-type");
}

/** `torch.zeros(2, 3)`, `torch.zeros([2, 3])`, then `extra` positional values, then an options object. */
function sizeArgs(host: FactoryHost, fn: string, args: Value[], site: CallSite, extra: number): { dims: Shape; rest: Value[] } {
  let list = [...args];
  const last = list[list.length - 1];
  if (last instanceof ObjectValue) {
    list.pop();
    for (const k of last.props.keys())
      if (!IGNORED_OPTIONS.has(k)) throw new EvalError(site.argNodes[list.length] ?? site.node, `torch.${fn} has no option '${k}'`, "unknown-option");
  }
  const rest = list.slice(list.length - extra);
  list = list.slice(0, list.length - extra);
  const [first] = list;
  if (list.length === 1 && first instanceof ArrayValue) return { dims: first.items.map((v) => dimOf(host, fn, v, site, 0)), rest };
  return { dims: list.map((v, i) => dimOf(host, fn, v, site, i)), rest };
}

function tensorList(host: FactoryHost, fn: string, v: Value, site: CallSite): TensorValue[] {
  return host.iterate(v, site.argNodes[0] ?? site.node).map((t, i) => {
    if (t instanceof TensorValue) return t;
    host.poisoned(t, site.node);
    throw new EvalError(site.argNodes[0] ?? site.node, `torch.${fn} expects tensors, got ${host.display(t)} at position ${i}`, "argument-type");
  });
}

/** `torch.meshgrid(a, b, { indexing })` of 1-D tensors: one tensor per input, each of every input's length. */
function meshgrid(host: FactoryHost, args: Value[], site: CallSite): Value {
  const last = args[args.length - 1];
  const opts = last instanceof ObjectValue ? last : undefined;
  const positional = opts ? args.slice(0, -1) : args;
  const [only] = positional;
  const tensors =
    positional.length === 1 && only instanceof ArrayValue
      ? tensorList(host, "meshgrid", only, site)
      : tensorList(host, "meshgrid", new ArrayValue(positional), site);
  const indexing = opts?.props.get("indexing") ?? "ij";
  if (indexing !== "ij" && indexing !== "xy")
    throw new EvalError(site.node, `torch.meshgrid indexing must be "ij" or "xy", got ${host.display(indexing)}`, "invalid-argument");
  const lengths: Dim[] = [];
  for (const t of tensors) {
    if (!t.shape) return new ArrayValue(tensors.map(() => new TensorValue(null, null, -1)));
    if (t.shape.length !== 1) throw new EvalError(site.node, `torch.meshgrid expects 1-D tensors, got ${formatShape(t.shape)}`, "rank-mismatch");
    lengths.push(t.shape[0]!);
  }
  const out = [...lengths];
  if (indexing === "xy" && out.length >= 2) [out[0], out[1]] = [out[1]!, out[0]!];
  return new ArrayValue(
    tensors.map((_, i) => make(host, "meshgrid", out, { kind: "computed", op: "meshgrid" }, site, { index: i, indexing: String(indexing) }, tensors)),
  );
}

/** `torch.stack(tensors, dim = 0)`: equal shapes, joined along a new axis. */
function stack(host: FactoryHost, list: Value, dim: Value, site: CallSite): TensorValue {
  const tensors = tensorList(host, "stack", list, site);
  const first = tensors[0];
  if (!first) throw new EvalError(site.node, "torch.stack needs at least one tensor", "shape-mismatch");
  if (tensors.some((t) => !t.shape)) return new TensorValue(null, null, -1);
  const shape = first.shape!;
  for (const t of tensors)
    if (t.shape!.length !== shape.length || t.shape!.some((d, i) => d !== shape[i]))
      throw new EvalError(
        site.node,
        `torch.stack needs tensors of equal shape, got ${tensors.map((x) => formatShape(x.shape!)).join(" and ")}`,
        "shape-mismatch",
      );
  const d = typeof dim === "number" ? normAxis(dim, shape.length + 1) : dim === undefined ? 0 : undefined;
  if (d === undefined)
    throw new EvalError(
      site.argNodes[1] ?? site.node,
      `torch.stack dim ${host.display(dim)} is out of range for ${shape.length + 1} dimensions`,
      "invalid-dim",
    );
  const out = [...shape.slice(0, d), tensors.length, ...shape.slice(d)];
  return make(host, "stack", out, { kind: "computed", op: "stack" }, site, { dim: d }, tensors);
}
