import ts = require("typescript");
import { P, atom, attr, binary, call, dict, name, subscript, type Py } from "../py";
import { Ctx, Translator, unsupported } from "./context";
import { typeOf } from "./types";

/**
 * JavaScript's `Set` and `Map` in Python (`set()` and `dict()`), and `parseInt` / `parseFloat`.
 * Iterating a Map yields its entries (`m.items()`); `m.set(k, v)` is a statement (`m[k] = v`).
 */

/** `new Set(xs)` → `set(xs)`, `new Map(entries)` → `dict(entries)`. */
export function libConstructor(cx: Translator, e: ts.NewExpression, owner: string, ctx: Ctx): Py | undefined {
  const args = e.arguments ?? [];
  if (owner !== "SetConstructor" && owner !== "MapConstructor") return undefined;
  const first = args[0];
  if (owner === "MapConstructor" && !first) return dict([]);
  return call(name(owner === "SetConstructor" ? "set" : "dict"), first ? [{ py: cx.passes.expr(first, ctx) }] : []);
}

/** Is `t` a Set or Map of the exporter's library? */
export function collectionKind(cx: Translator, t: ts.Type): "Set" | "Map" | undefined {
  const s = t.getSymbol() ?? t.aliasSymbol;
  const n = s?.getName();
  return n === "Set" || n === "Map" || n === "ReadonlySet" || n === "ReadonlyMap" ? (n.replace("Readonly", "") as "Set" | "Map") : undefined;
}

/** A method of a Set or Map. */
export function collectionMethod(cx: Translator, e: ts.CallExpression, recv: Py, owner: string, method: string, ctx: Ctx, iterable: boolean): Py | undefined {
  const a = (i: number): Py => (e.arguments[i] ? cx.passes.expr(e.arguments[i]!, ctx) : atom("None"));
  const listed = (py: Py): Py => (iterable ? py : call(name("list"), [py]));
  const isMap = owner.endsWith("Map");
  switch (method) {
    case "has":
      return binary(a(0), "in", recv, P.compare);
    case "get":
      return call(attr(recv, "get"), [a(0)]);
    case "add":
      return call(attr(recv, "add"), [a(0)]);
    case "delete":
      return isMap ? call(attr(recv, "pop"), [a(0), atom("None")]) : call(attr(recv, "discard"), [a(0)]);
    case "clear":
      return call(attr(recv, "clear"), []);
    case "keys":
      return listed(isMap ? call(attr(recv, "keys"), []) : recv);
    case "values":
      return listed(isMap ? call(attr(recv, "values"), []) : recv);
    case "entries":
      return listed(isMap ? call(attr(recv, "items"), []) : call(name("zip"), [recv, recv]));
    case "set":
      return unsupported(cx, e, "The value of set(...) (use it as a statement)");
  }
  return undefined;
}

/** `m.set(k, v)` as a statement → the target `m[k]` and the value `v`. */
export function mapSetStatement(cx: Translator, e: ts.CallExpression, ctx: Ctx): { target: Py; value: Py } | undefined {
  const callee = e.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "set" || e.arguments.length !== 2) return undefined;
  if (collectionKind(cx, typeOf(cx, callee.expression)) !== "Map") return undefined;
  return { target: subscript(cx.passes.expr(callee.expression, ctx), cx.passes.expr(e.arguments[0]!, ctx)), value: cx.passes.expr(e.arguments[1]!, ctx) };
}

/** `parseInt(s)` → `int(s)`, `parseFloat(s)` → `float(s)`. */
export function globalFunction(cx: Translator, e: ts.CallExpression, fn: string, ctx: Ctx): Py | undefined {
  const args = e.arguments.map((x) => ({ py: cx.passes.expr(x, ctx) }));
  if (fn === "parseInt") return call(name("int"), args);
  if (fn === "parseFloat") return call(name("float"), args.slice(0, 1));
  return undefined;
}
