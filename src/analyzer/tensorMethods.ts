import type * as ts from "typescript";
import { isWholeInput, type AttrValue, type Dim, type GraphNode, type ReceptiveField, type Shape } from "../shared/analysis";
import { EvalError } from "./errors";
import { isLayerError, type LayerError } from "./layers/kind";
import { OpArgs, sizesOf, type ArgSpec, type OpHost } from "./opArgs";
import { WHOLE_INPUT } from "./receptiveField";
import { formatShape, normAxis } from "./shape";
import { broadcast } from "./tensorOps";
import * as S from "./tensorShapes";
import { ArrayValue, Builtin, SymDim, TensorValue, type CallSite, type Value } from "./values";

/**
 * The tensor methods of the model language's version 2 (`permute`, `transpose`, `chunk`,
 * `matmul`, `sum`, `maskedFill`, in-place `add_`, ...) and their `torch.*` forms. Each call
 * records a graph node labelled with the method's name, with its arguments (camelCase, defaults
 * filled) as attributes, which the trainer lowers by label (src/trainer/model/ops.ts).
 */

const unknown = (): TensorValue => new TensorValue(null, null, -1);

/** Views made by select and narrow, and what they view: an in-place operation on one writes through. */
const VIEWS = new WeakMap<TensorValue, { base: TensorValue; op: "select" | "slice"; attrs: Record<string, AttrValue> }>();

type Method = (m: TensorMethods, x: TensorValue, args: Value[], site: CallSite) => Value;

/** Whether a graph node is computed from the model's input (an activation, not a constant or a parameter). */
export function fromInput(graph: readonly GraphNode[], id: number, memo = new Map<number, boolean>()): boolean {
  const seen = memo.get(id);
  if (seen !== undefined) return seen;
  const n = graph[id];
  memo.set(id, false);
  const r = n !== undefined && (n.kind === "input" || n.inputs.some((i) => fromInput(graph, i, memo)));
  memo.set(id, r);
  return r;
}

export class TensorMethods {
  constructor(readonly host: OpHost) {}

  /** A method of a tensor, or undefined when the name is not one. */
  member(x: TensorValue, name: string, node: ts.Node): Value | undefined {
    if (/^-?\d+$/.test(name)) return this.index(x, Number(name), node);
    const method = METHODS[name];
    if (method) return new Builtin(name, (args, site) => method(this, x, args, site));
    if (name in INPLACE) return new Builtin(name, (args, site) => this.inplace(x, name, args, site));
    return undefined;
  }

  /** `torch.op(x, ...args)` is `x.op(...args)` where PyTorch has both. */
  torchForms(): Map<string, Value> {
    const out = new Map<string, Value>();
    for (const name of TORCH_FORMS) {
      const method = METHODS[name]!;
      out.set(
        name,
        new Builtin(`torch.${name}`, (args, site) => method(this, this.host.tensorArg(args[0], site, 0, `torch.${name}`), args.slice(1), shift(site))),
      );
    }
    out.set(
      "where",
      new Builtin("torch.where", ([cond, a, b], site) => this.where(this.host.tensorArg(cond, site, 0, "torch.where"), a, b, site, "torch.where")),
    );
    for (const name of ["zerosLike", "onesLike"]) {
      out.set(name, new Builtin(`torch.${name}`, ([x], site) => this.like(name, this.host.tensorArg(x, site, 0, `torch.${name}`), site)));
    }
    return out;
  }

  /** `x[i]` is `x.select(0, i)`. */
  private index(x: TensorValue, i: number, node: ts.Node): Value {
    return this.shaped("select", x, [], { node, argNodes: [] }, (s) => S.select(s, 0, i), { dim: 0, index: i }, false);
  }

  /** The field of a result that keeps (or loses) the input's spatial grid; a whole-input field stays. */
  carry(x: TensorValue, keepsGrid: boolean): ReceptiveField | null {
    return x.field && (keepsGrid || isWholeInput(x.field)) ? x.field : null;
  }

  /** An operation of one tensor whose shape rule is `rule`. */
  shaped(
    op: string,
    x: TensorValue,
    others: readonly TensorValue[],
    site: CallSite,
    rule: (s: Shape) => Shape | LayerError,
    attrs: Record<string, AttrValue>,
    keepsGrid: boolean,
  ): TensorValue {
    if (!x.shape || others.some((o) => !o.shape)) return unknown();
    return this.host.opResult(op, [x, ...others], rule(x.shape), site, this.carry(x, keepsGrid), attrs);
  }

  /** Several results of one call (chunk, split, max with a dim): one node each, told apart by `index`. */
  many(op: string, x: TensorValue, site: CallSite, outs: Shape[] | LayerError, attrs: Record<string, AttrValue>, labels?: string[]): Value {
    if (isLayerError(outs)) return this.host.opResult(op, [x], outs, site, null, attrs);
    return new ArrayValue(
      outs.map((s, index) => this.host.opResult(labels?.[index] ?? op, [x], s, site, this.carry(x, false), labels ? attrs : { ...attrs, index })),
    );
  }

  /** A product of two tensors: MACs counted (batch 1); between two activations the field becomes the whole input. */
  product(op: string, a: TensorValue, b: TensorValue, site: CallSite, out: Shape | LayerError, attrs: Record<string, AttrValue> = {}): TensorValue {
    if (isLayerError(out)) return this.host.opResult(op, [a, b], out, site, null, attrs);
    const macs = S.matmulMacs(a.shape!, out);
    return this.host.opResult(op, [a, b], out, site, this.mixedField([a, b]), attrs, undefined, macs);
  }

  /** Several activations multiplied together mix every position: the whole input; else a whole-input field carries. */
  mixedField(inputs: readonly TensorValue[]): ReceptiveField | null {
    const graph = this.host.trace?.graph ?? [];
    const memo = new Map<number, boolean>();
    if (inputs.filter((t) => t.node >= 0 && fromInput(graph, t.node, memo)).length >= 2) return WHOLE_INPUT;
    return inputs.some((t) => t.field && isWholeInput(t.field)) ? WHOLE_INPUT : null;
  }

  args(op: string, site: CallSite, specs: readonly ArgSpec[], args: readonly Value[], keywordOnly: readonly ArgSpec[] = []): OpArgs {
    return new OpArgs(this.host, op, site, specs, args, keywordOnly);
  }

  /** A reduction: `dim` absent reduces everything. */
  reduce(op: string, x: TensorValue, args: Value[], site: CallSite, extra: readonly ArgSpec[] = []): TensorValue {
    const a = this.args(
      op,
      site,
      [
        ["dim", null],
        ["keepdim", false],
      ],
      args,
      extra,
    );
    const dim = a.ints("dim");
    const keepdim = a.bool("keepdim");
    const attrs: Record<string, AttrValue> = { dim, keepdim };
    for (const [k] of extra) {
      const v = a.raw(k);
      attrs[k] = typeof v === "number" || typeof v === "boolean" || typeof v === "string" ? v : null;
    }
    return this.shaped(op, x, [], site, (s) => S.reduce(op, s, dim, keepdim), attrs, false);
  }

  /** Element-wise operation with another tensor or a number (broadcasting). */
  compare(op: string, x: TensorValue, other: Value, site: CallSite): TensorValue {
    return this.host.binary(op, x, other, site);
  }

  where(cond: TensorValue, a: Value, b: Value, site: CallSite, op: string): TensorValue {
    const ts = [cond, a, b].filter((v): v is TensorValue => v instanceof TensorValue);
    if (ts.some((t) => !t.shape)) return unknown();
    let out: Shape | LayerError = cond.shape!;
    for (const t of ts.slice(1)) if (!isLayerError(out)) out = broadcast(op, out, t.shape!);
    const attrs: Record<string, AttrValue> = {};
    if (typeof a === "number") attrs.input = a;
    else if (!(a instanceof TensorValue))
      throw new EvalError(site.argNodes[1] ?? site.node, `${op} expects a tensor or a number, got ${this.host.display(a)}`, "argument-type");
    if (typeof b === "number") attrs.other = b;
    else if (!(b instanceof TensorValue))
      throw new EvalError(site.argNodes[2] ?? site.node, `${op} expects a tensor or a number, got ${this.host.display(b)}`, "argument-type");
    return this.host.opResult("where", ts, out, site, this.mixedField(ts.slice(1)) ?? ts[1]?.field ?? null, attrs);
  }

  like(op: string, x: TensorValue, site: CallSite): TensorValue {
    if (!x.shape) return unknown();
    return this.host.opResult(op, [x], x.shape, site, null, {});
  }

  private inplace(x: TensorValue, name: string, args: Value[], site: CallSite): Value {
    if (!x.shape) return x;
    const r = INPLACE[name]!(this, x, args, site);
    if (!r.shape) return x;
    if (formatShape(r.shape) !== formatShape(x.shape)) {
      throw new EvalError(
        site.node,
        `${name}: output with shape ${formatShape(x.shape)} doesn't match the broadcast shape ${formatShape(r.shape)}`,
        "shape-mismatch",
      );
    }
    // In place: the tensor (and every name bound to it) now holds the result.
    x.node = r.node;
    // On a view (x.select(2, 0).add_(k)), the tensor it views changes too: it scatters the view back.
    for (let v = VIEWS.get(x), view = x; v && v.base.shape; view = v.base, v = VIEWS.get(v.base)) {
      const back = this.host.opResult(`${v.op}Scatter`, [v.base, view], v.base.shape, site, v.base.field, v.attrs);
      v.base.node = back.node;
    }
    return x;
  }

  /** Records that `view` is a select/narrow view of `base` (for in-place operations on it). */
  view(view: TensorValue, base: TensorValue, op: "select" | "slice", attrs: Record<string, AttrValue>): TensorValue {
    if (view.shape) VIEWS.set(view, { base, op, attrs });
    return view;
  }

  clamp(op: string, x: TensorValue, args: Value[], site: CallSite): TensorValue {
    const a = this.args(
      op,
      site,
      [
        ["min", null],
        ["max", null],
      ],
      args,
    );
    if (!a.has("min") && !a.has("max")) throw new EvalError(site.node, `${op}: at least one of 'min' or 'max' must be given`, "argument-type");
    const lo = a.has("min") ? a.num("min") : null;
    const hi = a.has("max") ? a.num("max") : null;
    return this.shaped(op, x, [], site, (s) => s, { min: lo, max: hi }, true);
  }
}

/** Shifts a call site past its first argument (torch.op(x, a) → x.op(a)). */
function shift(site: CallSite): CallSite {
  return { node: site.node, argNodes: site.argNodes.slice(1) };
}

const ints = (m: TensorMethods, args: Value[], site: CallSite, op: string): number[] => {
  const dims = sizesOf(m.host, args, site, op);
  return dims.map((d, i) => {
    if (typeof d !== "number") throw new EvalError(site.argNodes[i] ?? site.node, `${op} dims must be integers, got ${d}`, "argument-type");
    return d;
  });
};

const same =
  (op: string): Method =>
  (m, x, _args, site) =>
    m.shaped(op, x, [], site, (s) => s, {}, true);

const softmaxLike =
  (op: string): Method =>
  (m, x, args, site) => {
    const a = m.args(op, site, [["dim"]], args, [["dtype", null]]);
    const dim = a.int("dim");
    return m.shaped(op, x, [], site, (s) => S.checkDim(op, s, dim), { dim }, true);
  };

const extreme =
  (op: "max" | "min"): Method =>
  (m, x, args, site) => {
    const [first] = args;
    if (first instanceof TensorValue) return m.compare(op === "max" ? "maximum" : "minimum", x, first, site);
    if (args.length === 0) return m.shaped(op, x, [], site, (s) => S.reduce(op, s, null, false), { dim: null, keepdim: false }, false);
    const a = m.args(op, site, [["dim"], ["keepdim", false]], args);
    const dim = a.int("dim");
    const keepdim = a.bool("keepdim");
    if (!x.shape) return new ArrayValue([unknown(), unknown()]);
    const out = S.reduce(op, x.shape, [dim], keepdim);
    return m.many(op, x, site, isLayerError(out) ? out : [out, out], { dim, keepdim }, [op, op === "max" ? "argmax" : "argmin"]);
  };

const METHODS: Record<string, Method> = {
  permute: (m, x, args, site) => {
    const dims = ints(m, args, site, "permute");
    const keepsGrid = dims.length === 4 && normAxis(dims[2]!, 4) === 2 && normAxis(dims[3]!, 4) === 3;
    return m.shaped("permute", x, [], site, (s) => S.permute(s, dims), { dims }, keepsGrid);
  },
  transpose: (m, x, args, site) => {
    const a = m.args("transpose", site, [["dim0"], ["dim1"]], args);
    const [d0, d1] = [a.int("dim0"), a.int("dim1")];
    return m.shaped(
      "transpose",
      x,
      [],
      site,
      (s) => S.transpose(s, d0, d1),
      { dim0: d0, dim1: d1 },
      x.shape !== null && normAxis(d0, x.shape.length) === normAxis(d1, x.shape.length),
    );
  },
  t: (m, x, args, site) => {
    m.args("t", site, [], args);
    return m.shaped("t", x, [], site, S.t, {}, false);
  },
  unsqueeze: (m, x, args, site) => {
    const dim = m.args("unsqueeze", site, [["dim"]], args).int("dim");
    return m.shaped("unsqueeze", x, [], site, (s) => S.unsqueeze(s, dim), { dim }, false);
  },
  squeeze: (m, x, args, site) => {
    const dim = m.args("squeeze", site, [["dim", null]], args).ints("dim");
    return m.shaped("squeeze", x, [], site, (s) => S.squeeze(s, dim), { dim }, false);
  },
  expand: (m, x, args, site) => {
    const size = sizesOf(m.host, args, site, "expand");
    return m.shaped("expand", x, [], site, (s) => S.expand(s, size), { size }, false);
  },
  expandAs: (m, x, [other], site) => {
    const o = m.host.tensorArg(other, site, 0, "expandAs");
    if (!o.shape) return unknown();
    const size = o.shape;
    return m.shaped("expandAs", x, [], site, (s) => S.expand(s, size), { size: [...size] }, false);
  },
  repeat: (m, x, args, site) => {
    const repeats = ints(m, args, site, "repeat");
    return m.shaped("repeat", x, [], site, (s) => S.repeat(s, repeats), { repeats }, false);
  },
  chunk: (m, x, args, site) => {
    const a = m.args("chunk", site, [["chunks"], ["dim", 0]], args);
    const [chunks, dim] = [a.int("chunks"), a.int("dim")];
    if (!x.shape) return new ArrayValue([]);
    return m.many(
      "chunk",
      x,
      site,
      S.pieces("chunk", x.shape, dim, (d) => S.chunkSizes("chunk", d, chunks)),
      { chunks, dim },
    );
  },
  split: (m, x, args, site) => {
    const a = m.args("split", site, [["splitSizeOrSections"], ["dim", 0]], args);
    const raw = a.raw("splitSizeOrSections");
    const split = typeof raw === "number" ? a.int("splitSizeOrSections") : a.intList("splitSizeOrSections");
    const dim = a.int("dim");
    if (!x.shape) return new ArrayValue([]);
    return m.many(
      "split",
      x,
      site,
      S.pieces("split", x.shape, dim, (d) => S.splitSizes("split", d, split)),
      { splitSizeOrSections: split, dim },
    );
  },
  narrow: (m, x, args, site) => {
    const a = m.args("narrow", site, [["dim"], ["start"], ["length"]], args);
    const [dim, start, length] = [a.int("dim"), a.int("start"), a.int("length")];
    const v = m.shaped("narrow", x, [], site, (s) => S.narrow(s, dim, start, length), { dim, start, length }, false);
    return m.view(v, x, "slice", { dim, start, length });
  },
  select: (m, x, args, site) => {
    const a = m.args("select", site, [["dim"], ["index"]], args);
    const [dim, index] = [a.int("dim"), a.int("index")];
    return m.view(
      m.shaped("select", x, [], site, (s) => S.select(s, dim, index), { dim, index }, false),
      x,
      "select",
      { dim, index },
    );
  },
  indexSelect: (m, x, args, site) => {
    const a = m.args("indexSelect", site, [["dim"], ["index"]], args);
    const dim = a.int("dim");
    const index = a.tensor("index");
    return m.shaped("indexSelect", x, [index], site, (s) => S.indexSelect(s, dim, index.shape!), { dim }, false);
  },
  flip: (m, x, args, site) => {
    const dims = ints(m, args, site, "flip");
    return m.shaped(
      "flip",
      x,
      [],
      site,
      (s) => dims.reduce<Shape | LayerError>((r, d) => (isLayerError(r) ? r : S.checkDim("flip", r, d)), s),
      { dims },
      false,
    );
  },
  roll: (m, x, args, site) => {
    const a = m.args("roll", site, [["shifts"], ["dims", null]], args);
    const shifts = a.ints("shifts") ?? [];
    const dims = a.ints("dims");
    const rule = (s: Shape): Shape | LayerError => {
      if (dims !== null && dims.length !== shifts.length)
        return { code: "invalid-argument", message: `roll: shifts (${shifts.length}) and dims (${dims.length}) must have the same length` };
      if (dims === null && shifts.length !== 1) return { code: "invalid-argument", message: `roll without dims takes one shift, got (${shifts.join(", ")})` };
      for (const d of dims ?? []) {
        const r = S.checkDim("roll", s, d);
        if (isLayerError(r)) return r;
      }
      return s;
    };
    return m.shaped("roll", x, [], site, rule, { shifts, dims }, false);
  },
  matmul: (m, x, [other], site) => {
    const o = m.host.tensorArg(other, site, 0, "matmul");
    if (!x.shape || !o.shape) return unknown();
    return m.product("matmul", x, o, site, S.matmul("matmul", x.shape, o.shape));
  },
  bmm: (m, x, [other], site) => {
    const o = m.host.tensorArg(other, site, 0, "bmm");
    if (!x.shape || !o.shape) return unknown();
    return m.product("bmm", x, o, site, S.bmm(x.shape, o.shape));
  },
  softmax: softmaxLike("softmax"),
  logSoftmax: softmaxLike("logSoftmax"),
  sum: (m, x, args, site) => m.reduce("sum", x, args, site, [["dtype", null]]),
  mean: (m, x, args, site) => {
    const a = m.args(
      "mean",
      site,
      [
        ["dim", null],
        ["keepdim", false],
      ],
      args,
      [["dtype", null]],
    );
    const dims = a.ints("dim") ?? (x.shape ? x.shape.map((_, i) => i) : []);
    return m.host.mean(x, new ArrayValue(dims), a.bool("keepdim"), site);
  },
  amax: (m, x, args, site) => m.reduce("amax", x, args, site),
  amin: (m, x, args, site) => m.reduce("amin", x, args, site),
  max: extreme("max"),
  min: extreme("min"),
  std: (m, x, args, site) => m.reduce("std", x, args, site, [["correction", 1]]),
  var: (m, x, args, site) => m.reduce("var", x, args, site, [["correction", 1]]),
  norm: (m, x, args, site) => {
    const a = m.args(
      "norm",
      site,
      [
        ["p", 2],
        ["dim", null],
        ["keepdim", false],
      ],
      args,
    );
    const p = a.raw("p");
    if (typeof p !== "number" && p !== "fro")
      throw new EvalError(site.argNodes[0] ?? site.node, `norm: 'p' must be a number or "fro", got ${m.host.display(p)}`, "argument-type");
    const dim = a.ints("dim");
    const keepdim = a.bool("keepdim");
    const order: AttrValue = typeof p === "number" ? p : "fro";
    return m.shaped("norm", x, [], site, (s) => S.reduce("norm", s, dim, keepdim), { p: order, dim, keepdim }, false);
  },
  sqrt: same("sqrt"),
  rsqrt: same("rsqrt"),
  exp: same("exp"),
  log: same("log"),
  abs: same("abs"),
  neg: same("neg"),
  float: same("float"),
  detach: same("detach"),
  clone: same("clone"),
  to: same("to"),
  gelu: same("gelu"),
  pow: (m, x, [e], site) => {
    if (typeof e === "number") return m.shaped("pow", x, [], site, (s) => s, { exponent: e }, true);
    return m.host.binary("pow", x, m.host.tensorArg(e, site, 0, "pow"), site);
  },
  clamp: (m, x, args, site) => m.clamp("clamp", x, args, site),
  addcmul: (m, x, args, site) => {
    const a = m.args("addcmul", site, [["tensor1"], ["tensor2"]], args, [["value", 1]]);
    const [t1, t2] = [a.tensor("tensor1"), a.tensor("tensor2")];
    const value = a.num("value");
    if (!x.shape || !t1.shape || !t2.shape) return unknown();
    const bc = broadcast("addcmul", t1.shape, t2.shape);
    const out = isLayerError(bc) ? bc : broadcast("addcmul", x.shape, bc);
    return m.host.opResult("addcmul", [x, t1, t2], out, site, m.mixedField([x, t1, t2]) ?? x.field, { value });
  },
  maskedFill: (m, x, args, site) => {
    const a = m.args("maskedFill", site, [["mask"], ["value"]], args);
    const mask = a.tensor("mask");
    const value = a.num("value");
    // Out of place, the result broadcasts with the mask (masked_fill_ in place may not grow the tensor).
    return m.shaped("maskedFill", x, [mask], site, (s) => broadcast("maskedFill", s, mask.shape!), { value }, true);
  },
  where: (m, x, [cond, other], site) => m.where(m.host.tensorArg(cond, site, 0, "where"), x, other, site, "where"),
  eq: (m, x, [y], site) => m.compare("eq", x, y, site),
  ne: (m, x, [y], site) => m.compare("ne", x, y, site),
  lt: (m, x, [y], site) => m.compare("lt", x, y, site),
  gt: (m, x, [y], site) => m.compare("gt", x, y, site),
  le: (m, x, [y], site) => m.compare("le", x, y, site),
  ge: (m, x, [y], site) => m.compare("ge", x, y, site),
  newZeros: (m, x, args, site) => newFilled(m, "newZeros", x, args, site),
  newOnes: (m, x, args, site) => newFilled(m, "newOnes", x, args, site),
  numel: (m, x) => {
    if (!x.shape) return undefined;
    const n = S.numelValue(x.shape);
    return typeof n === "string" ? new SymDim(n) : n;
  },
};

function newFilled(m: TensorMethods, op: string, x: TensorValue, args: Value[], site: CallSite): TensorValue {
  const size: Dim[] = sizesOf(m.host, args, site, op);
  for (const d of size) {
    if (typeof d === "number" && d < 0) throw new EvalError(site.node, `${op}: sizes must be non-negative, got (${size.join(", ")})`, "invalid-argument");
  }
  if (!x.shape) return unknown();
  return m.host.opResult(op, [], size, site, null, { size });
}

const INPLACE: Record<string, (m: TensorMethods, x: TensorValue, args: Value[], site: CallSite) => TensorValue> = {
  add_: (m, x, [y], site) => m.host.binary("add_", x, y, site),
  sub_: (m, x, [y], site) => m.host.binary("sub_", x, y, site),
  mul_: (m, x, [y], site) => m.host.binary("mul_", x, y, site),
  div_: (m, x, [y], site) => m.host.binary("div_", x, y, site),
  clamp_: (m, x, args, site) => m.clamp("clamp_", x, args, site),
  fill_: (m, x, args, site) => {
    const value = m.args("fill_", site, [["value"]], args).num("value");
    return m.shaped("fill_", x, [], site, (s) => s, { value }, true);
  },
  zero_: (m, x, _args, site) => m.shaped("zero_", x, [], site, (s) => s, { value: 0 }, true),
  bernoulli_: (m, x, args, site) => {
    const p = m.args("bernoulli_", site, [["p", 0.5]], args).num("p");
    return m.shaped("bernoulli_", x, [], site, (s) => s, { p }, true);
  },
};

/** Methods PyTorch also has as `torch.*` functions. */
const TORCH_FORMS = [
  "permute",
  "transpose",
  "t",
  "unsqueeze",
  "squeeze",
  "chunk",
  "split",
  "narrow",
  "select",
  "indexSelect",
  "flip",
  "roll",
  "matmul",
  "bmm",
  "softmax",
  "logSoftmax",
  "sum",
  "mean",
  "amax",
  "amin",
  "max",
  "min",
  "std",
  "var",
  "norm",
  "sqrt",
  "rsqrt",
  "exp",
  "log",
  "abs",
  "neg",
  "pow",
  "clamp",
  "addcmul",
  "maskedFill",
  "eq",
  "ne",
  "lt",
  "gt",
  "le",
  "ge",
  "clone",
  "detach",
] as const;
