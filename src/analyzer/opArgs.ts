import type { AttrValue, Dim, GraphNode, Shape } from "../shared/analysis";
import { EvalError } from "./errors";
import type { LayerError } from "./layers/kind";
import { ArrayValue, ObjectValue, SymDim, TensorValue, type CallSite, type Value } from "./values";

/**
 * Arguments of tensor methods and functions: positional as PyTorch lists them, or by name in a
 * trailing options object (`x.sum(1, true)` or `x.sum({ dim: 1, keepdim: true })`), checked and
 * converted with messages that name the value.
 */

/** What tensor operations need from the symbolic runtime (implemented by `Torch`). */
export interface OpHost {
  /** The graph of the forward pass being traced (null outside one). */
  readonly trace: { readonly graph: readonly GraphNode[] } | null;
  display(v: Value): string;
  tensorArg(v: Value, site: CallSite, i: number, op: string): TensorValue;
  opResult(
    op: string,
    inputs: readonly TensorValue[],
    out: Shape | LayerError,
    site: CallSite,
    field: TensorValue["field"],
    attrs: Record<string, AttrValue>,
    note?: string,
    macs?: bigint,
  ): TensorValue;
  binary(op: string, a: TensorValue, b: Value, site: CallSite): TensorValue;
  elementwise(op: string, inputs: TensorValue[], site: CallSite): TensorValue;
  view(op: string, x: TensorValue, args: Value[], site: CallSite): TensorValue;
  mean(x: TensorValue, dims: Value, keepdim: Value, site: CallSite): TensorValue;
}

/** An argument: its name and, for optional ones, the default (undefined: required). */
export type ArgSpec = readonly [name: string, fallback?: Value];

/** An options object literal (not a tensor or a class instance). */
function isOptions(v: Value): v is ObjectValue {
  return v instanceof ObjectValue && !v.cls;
}

export class OpArgs {
  private readonly values = new Map<string, Value>();
  private readonly nodes = new Map<string, number>();

  constructor(
    private readonly host: OpHost,
    readonly op: string,
    readonly site: CallSite,
    specs: readonly ArgSpec[],
    args: readonly Value[],
    /** Names accepted only in the options object. */
    keywordOnly: readonly ArgSpec[] = [],
  ) {
    const list = [...args];
    const last = list[list.length - 1];
    const all = [...specs, ...keywordOnly];
    if (list.length > 0 && isOptions(last)) {
      list.pop();
      for (const [k, v] of last.props) {
        if (!all.some((s) => s[0] === k)) {
          throw new EvalError(
            site.argNodes[list.length] ?? site.node,
            `${op} has no option '${k}' (it takes ${all.map((s) => s[0]).join(", ")})`,
            "unknown-option",
          );
        }
        this.values.set(k, v);
        this.nodes.set(k, list.length);
      }
    }
    if (list.length > specs.length) {
      throw new EvalError(
        site.argNodes[specs.length] ?? site.node,
        `${op} takes at most ${specs.length} argument${specs.length === 1 ? "" : "s"}, got ${list.length}`,
        "argument-type",
      );
    }
    list.forEach((v, i) => {
      const name = specs[i]![0];
      if (this.values.has(name)) throw new EvalError(site.argNodes[i] ?? site.node, `${op} got '${name}' twice`, "argument-type");
      this.values.set(name, v);
      this.nodes.set(name, i);
    });
    for (const s of all) {
      if (this.values.get(s[0]) !== undefined) continue;
      if (s.length < 2) throw new EvalError(site.node, `${op} needs the argument '${s[0]}'`, "argument-type");
      this.values.set(s[0], s[1] === undefined ? undefined : s[1]);
    }
  }

  private at(name: string) {
    const i = this.nodes.get(name);
    return i === undefined ? this.site.node : (this.site.argNodes[i] ?? this.site.node);
  }

  private fail(name: string, what: string, v: Value): never {
    throw new EvalError(this.at(name), `${this.op}: '${name}' must be ${what}, got ${this.host.display(v)}`, "argument-type");
  }

  raw(name: string): Value {
    return this.values.get(name);
  }

  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v !== null;
  }

  int(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(name, "an integer", v);
    return v;
  }

  num(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== "number") this.fail(name, "a number", v);
    return v;
  }

  bool(name: string): boolean {
    const v = this.values.get(name);
    if (typeof v !== "boolean") this.fail(name, "true or false", v);
    return v;
  }

  str(name: string, allowed: readonly string[]): string {
    const v = this.values.get(name);
    if (typeof v !== "string" || !allowed.includes(v)) this.fail(name, allowed.map((a) => `"${a}"`).join(" or "), v);
    return v;
  }

  /** An integer or a list of integers; null when absent. */
  ints(name: string): number[] | null {
    const v = this.values.get(name);
    if (v === undefined || v === null) return null;
    if (typeof v === "number" && Number.isInteger(v)) return [v];
    if (v instanceof ArrayValue && v.items.every((x): x is number => typeof x === "number" && Number.isInteger(x))) return [...v.items];
    return this.fail(name, "an integer or a list of integers", v);
  }

  intList(name: string): number[] {
    const v = this.values.get(name);
    if (v instanceof ArrayValue && v.items.every((x): x is number => typeof x === "number" && Number.isInteger(x))) return [...v.items];
    return this.fail(name, "a list of integers", v);
  }

  tensor(name: string): TensorValue {
    const v = this.values.get(name);
    if (v instanceof TensorValue) return v;
    return this.fail(name, "a tensor", v);
  }

  optionalTensor(name: string): TensorValue | null {
    const v = this.values.get(name);
    return v === undefined || v === null ? null : this.tensor(name);
  }
}

/** A dimension argument: a number or a symbolic dimension (`x.shape[0]`). */
export function toDim(host: OpHost, v: Value, site: CallSite, i: number, op: string): Dim {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (v instanceof SymDim) return v.dim;
  throw new EvalError(site.argNodes[i] ?? site.node, `${op} sizes must be integers, got ${host.display(v)}`, "argument-type");
}

/** Sizes given as varargs or as one list (`x.expand(2, -1)`, `x.expand([2, -1])`, `x.expand(y.shape)`). */
export function sizesOf(host: OpHost, args: readonly Value[], site: CallSite, op: string): Dim[] {
  const [first] = args;
  const raw = args.length === 1 && first instanceof ArrayValue ? first.items : args;
  return raw.map((v, i) => toDim(host, v, site, i, op));
}
