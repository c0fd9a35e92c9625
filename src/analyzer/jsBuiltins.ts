import type { JsHost } from "./jsHost";
import { collectionGlobals } from "./collections";
import { ArrayValue, Builtin, collectionKey, MapValue, Namespace, ObjectValue, SetValue, SymDim, typeName, type CallSite, type Value } from "./values";

/**
 * The JavaScript standard library subset model code uses: Math, Object, Array, Number, String,
 * and the methods of arrays and strings.
 */

export type { JsHost };

const num = (host: JsHost, site: CallSite, fn: string, v: Value): number => {
  if (typeof v === "number") return v;
  return host.fail(site, `${fn} expects a number, got ${host.display(v)}`);
};

function mathNamespace(host: JsHost): Namespace {
  // Rounding a symbolic batch dimension (Math.floor(B / numWindows)) keeps it: divisions of the batch are exact.
  const rounding = new Set(["floor", "ceil", "round", "trunc"]);
  const unary = (name: string, f: (x: number) => number): [string, Value] => [
    name,
    new Builtin(`Math.${name}`, ([x], site) => (x instanceof SymDim && rounding.has(name) ? x : f(num(host, site, `Math.${name}`, x)))),
  ];
  const variadic = (name: string, f: (...xs: number[]) => number): [string, Value] => [
    name,
    new Builtin(`Math.${name}`, (args, site) => f(...args.map((a) => num(host, site, `Math.${name}`, a)))),
  ];
  return new Namespace(
    "Math",
    new Map<string, Value>([
      unary("floor", Math.floor),
      unary("ceil", Math.ceil),
      unary("round", Math.round),
      unary("trunc", Math.trunc),
      unary("sqrt", Math.sqrt),
      unary("abs", Math.abs),
      unary("log", Math.log),
      unary("log2", Math.log2),
      unary("exp", Math.exp),
      variadic("max", Math.max),
      variadic("min", Math.min),
      variadic("pow", Math.pow),
      ["PI", Math.PI],
      ["E", Math.E],
    ]),
  );
}

function entriesOf(host: JsHost, site: CallSite, v: Value): [string, Value][] {
  return host.entries(v) ?? host.fail(site, `Object functions expect an object, got ${host.display(v)}`);
}

export function jsGlobals(host: JsHost): Map<string, Value> {
  const g = new Map<string, Value>();
  g.set("Math", mathNamespace(host));
  g.set("undefined", undefined);
  g.set("Infinity", Infinity);
  g.set("NaN", NaN);
  g.set(
    "Object",
    new Namespace(
      "Object",
      new Map<string, Value>([
        ["keys", new Builtin("Object.keys", ([o], s) => new ArrayValue(entriesOf(host, s, o).map(([k]) => k)))],
        ["values", new Builtin("Object.values", ([o], s) => new ArrayValue(entriesOf(host, s, o).map(([, v]) => v)))],
        ["entries", new Builtin("Object.entries", ([o], s) => new ArrayValue(entriesOf(host, s, o).map(([k, v]) => new ArrayValue([k, v]))))],
        [
          "fromEntries",
          new Builtin("Object.fromEntries", ([a], s) => {
            if (!(a instanceof ArrayValue)) return host.fail(s, "Object.fromEntries expects an array of [key, value] pairs");
            const o = new ObjectValue();
            for (const e of a.items) if (e instanceof ArrayValue) o.props.set(String(e.items[0]), e.items[1]);
            return o;
          }),
        ],
      ]),
    ),
  );
  g.set("Array", arrayGlobal(host));
  g.set(
    "Number",
    new Namespace(
      "Number",
      new Map<string, Value>([
        ["isInteger", new Builtin("Number.isInteger", ([x]) => Number.isInteger(x))],
        ["parseInt", new Builtin("Number.parseInt", ([x, radix]) => parseInt(host.display(x), typeof radix === "number" ? radix : undefined))],
        ["parseFloat", new Builtin("Number.parseFloat", ([x]) => parseFloat(host.display(x)))],
        ["isFinite", new Builtin("Number.isFinite", ([x]) => Number.isFinite(x))],
        ["MAX_SAFE_INTEGER", Number.MAX_SAFE_INTEGER],
      ]),
    ),
  );
  g.set("String", new Builtin("String", ([x]) => host.display(x)));
  g.set("parseInt", new Builtin("parseInt", ([x, radix]) => parseInt(host.display(x), typeof radix === "number" ? radix : undefined)));
  g.set("parseFloat", new Builtin("parseFloat", ([x]) => parseFloat(host.display(x))));
  g.set("isNaN", new Builtin("isNaN", ([x]) => typeof x === "number" && Number.isNaN(x)));
  for (const [k, v] of collectionGlobals(host)) g.set(k, v);
  g.set("Error", new Builtin("Error", ([m]) => new ObjectValue(new Map([["message", host.display(m)]])), true));
  return g;
}

/** `Array(n)` / `new Array(n)` (n holes, for `.fill`), `Array.isArray`, `Array.from`, `Array.of`. */
function arrayGlobal(host: JsHost): Builtin {
  const statics = new Map<string, Value>([
    ["isArray", new Builtin("Array.isArray", ([a]) => a instanceof ArrayValue)],
    ["of", new Builtin("Array.of", (args) => new ArrayValue([...args]))],
    [
      "from",
      new Builtin("Array.from", ([src, fn], s) => {
        let items: Value[];
        if (src instanceof ObjectValue && typeof src.props.get("length") === "number") {
          const n = src.props.get("length") as number;
          if (!(Number.isInteger(n) && n >= 0 && n <= 1e6)) return host.fail(s, `Array.from length must be a small non-negative integer, got ${n}`);
          items = Array.from({ length: n }, (): Value => undefined);
        } else if (src instanceof ArrayValue || src instanceof SetValue || src instanceof MapValue || typeof src === "string") {
          items = host.iterate(src, s.argNodes[0] ?? s.node);
        } else return host.fail(s, `Array.from expects an array, a Set, a Map or { length: n }, got ${host.display(src)}`);
        return new ArrayValue(fn === undefined ? items : items.map((x, i) => host.call(fn, [x, i], s)));
      }),
    ],
  ]);
  return new Builtin(
    "Array",
    (args, s) => {
      const [n] = args;
      if (args.length !== 1 || typeof n !== "number") return new ArrayValue([...args]);
      if (!(Number.isInteger(n) && n >= 0 && n <= 1e6)) return host.fail(s, `Array(${n}): the length must be a small non-negative integer`);
      return new ArrayValue(Array.from({ length: n }, (): Value => undefined));
    },
    true,
    statics,
  );
}

/** Methods of arrays (`push`, `map`, ...) and strings, bound to the receiver; undefined when unknown. */
export function arrayMember(host: JsHost, arr: ArrayValue, name: string): Value | undefined {
  const cb =
    (fn: Value, site: CallSite) =>
    (x: Value, i: number): Value =>
      host.call(fn, [x, i, arr], site);
  switch (name) {
    case "length":
      return arr.items.length;
    case "push":
      return new Builtin("push", (args) => arr.items.push(...args));
    case "pop":
      return new Builtin("pop", () => arr.items.pop());
    case "map":
      return new Builtin("map", ([fn], s) => new ArrayValue(arr.items.map(cb(fn, s))));
    case "forEach":
      return new Builtin("forEach", ([fn], s) => {
        arr.items.forEach(cb(fn, s));
        return undefined;
      });
    case "filter":
      return new Builtin("filter", ([fn], s) => new ArrayValue(arr.items.filter((x, i) => host.truthy(cb(fn, s)(x, i)))));
    case "some":
      return new Builtin("some", ([fn], s) => arr.items.some((x, i) => host.truthy(cb(fn, s)(x, i))));
    case "every":
      return new Builtin("every", ([fn], s) => arr.items.every((x, i) => host.truthy(cb(fn, s)(x, i))));
    case "reduce":
      return new Builtin("reduce", (args, s) => {
        const [fn] = args;
        let i = 0;
        let acc: Value;
        if (args.length >= 2) acc = args[1];
        else {
          if (arr.items.length === 0) return host.fail(s, "reduce of an empty array with no initial value");
          acc = arr.items[0];
          i = 1;
        }
        for (; i < arr.items.length; i++) acc = host.call(fn, [acc, arr.items[i], i, arr], s);
        return acc;
      });
    case "slice":
      return new Builtin("slice", ([a, b]) => new ArrayValue(arr.items.slice(a as number | undefined, b as number | undefined)));
    case "concat":
      return new Builtin("concat", (args) => new ArrayValue(arr.items.concat(...args.map((a) => (a instanceof ArrayValue ? a.items : [a])))));
    case "includes":
      return new Builtin("includes", ([x]) => arr.items.some((y) => collectionKey(y) === collectionKey(x) || (Number.isNaN(x) && Number.isNaN(y))));
    case "indexOf":
      return new Builtin("indexOf", ([x]) => arr.items.findIndex((y) => collectionKey(y) === collectionKey(x)));
    case "find":
      return new Builtin("find", ([fn], s) => arr.items.find((x, i) => host.truthy(cb(fn, s)(x, i))));
    case "findIndex":
      return new Builtin("findIndex", ([fn], s) => arr.items.findIndex((x, i) => host.truthy(cb(fn, s)(x, i))));
    case "keys":
      return new Builtin("keys", () => new ArrayValue(arr.items.map((_, i) => i)));
    case "values":
      return new Builtin("values", () => new ArrayValue([...arr.items]));
    case "join":
      return new Builtin("join", ([sep]) => arr.items.map((x) => host.display(x)).join(typeof sep === "string" ? sep : ","));
    case "reverse":
      return new Builtin("reverse", () => {
        arr.items.reverse();
        return arr;
      });
    case "fill":
      return new Builtin("fill", ([x, start, end]) => {
        arr.items.fill(x, typeof start === "number" ? start : undefined, typeof end === "number" ? end : undefined);
        return arr;
      });
    case "entries":
      return new Builtin("entries", () => new ArrayValue(arr.items.map((x, i) => new ArrayValue([i, x]))));
    case "at":
      return new Builtin("at", ([i]) => arr.items.at(i as number));
    default:
      return undefined;
  }
}

export function stringMember(host: JsHost, s: string, name: string): Value | undefined {
  switch (name) {
    case "length":
      return s.length;
    case "toUpperCase":
      return new Builtin("toUpperCase", () => s.toUpperCase());
    case "toLowerCase":
      return new Builtin("toLowerCase", () => s.toLowerCase());
    case "startsWith":
      return new Builtin("startsWith", ([x]) => s.startsWith(host.display(x)));
    case "endsWith":
      return new Builtin("endsWith", ([x]) => s.endsWith(host.display(x)));
    case "includes":
      return new Builtin("includes", ([x]) => s.includes(host.display(x)));
    case "repeat":
      return new Builtin("repeat", ([n]) => s.repeat(typeof n === "number" && n >= 0 && n < 1e4 ? n : 0));
    default:
      return undefined;
  }
}

export function displayValue(v: Value): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof ArrayValue) return `[${v.items.map(displayValue).join(", ")}]`;
  if (v instanceof SetValue) return `Set {${[...v.items.values()].map(displayValue).join(", ")}}`;
  if (v instanceof MapValue) return `Map {${[...v.entries.values()].map(([k, x]) => `${displayValue(k)} => ${displayValue(x)}`).join(", ")}}`;
  if (v instanceof SymDim) return v.dim;
  if (v instanceof ObjectValue) return `{ ${[...v.props].map(([k, x]) => `${k}: ${displayValue(x)}`).join(", ")} }`;
  if (typeof v === "object" && v !== null) return typeName(v);
  return String(v);
}
