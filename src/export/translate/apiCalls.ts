import ts = require("typescript");
import { FUNCTIONAL_KINDS, LAYER_KINDS, OPS_KINDS } from "../../analyzer/layers/index";
import { isLayerType } from "../../shared/layerCatalog";
import { F_RENAMES, MODULE_METHODS, NN_MODULES, originOf, type Origin } from "../api";
import {
  P,
  asMultiline,
  atom,
  attr,
  binary,
  call,
  group,
  ifElse,
  kwarg,
  list,
  name,
  render,
  seq,
  snake,
  star,
  subscript,
  tuple,
  wrap,
  type Item,
  type Py,
} from "../py";
import { Ctx, INT_TYPES, Scope, Translator, isSimple, mentions, skipOuter, unsupported, usesThis, warn } from "./context";
import { item, multiline } from "./layout";
import { calleeOrigin, enterScope, fresh, identifier, methodName, propertyNameText, symbolName } from "./names";
import { collectionMethod, globalFunction, libConstructor } from "./jsCollections";
import { certainlyInt, maybeFloat } from "./numbers";
import { registerBufferCall, tensorMethodCall, version2Call } from "./torchApi";
import { isArrayLike, isDictType, isNumberType, isOptionsType, isUnknownType, tensorMemberOfModuleCall, typeOf } from "./types";

/** Calls, and the mapping of the model language's API and of JavaScript's library to PyTorch and Python. */

// ---- calls ----------------------------------------------------------------------------------

export function callExpr(cx: Translator, e: ts.CallExpression, ctx: Ctx): Py {
  if (e.expression.kind === ts.SyntaxKind.SuperKeyword) return unsupported(cx, e, "'super(...)' inside an expression");
  if (e.questionDotToken) return unsupported(cx, e, "Optional call '?.()'");
  const callee = skipOuter(cx, e.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.SuperKeyword) {
    const o = calleeOrigin(cx, e);
    const n = o && o.where === "api" ? (MODULE_METHODS[callee.name.text]?.py ?? snake(callee.name.text)) : methodName(cx, callee.name.text);
    return call(attr(atom("super()"), n), cx.passes.argItems(e.arguments, ctx));
  }
  const o = calleeOrigin(cx, e) ?? tensorMethodOfModuleResult(cx, callee);
  const iterable = !!ctx.iterable;
  ctx = iterable ? { ...ctx, iterable: false } : ctx;
  const v2 = version2Call(cx, e, callee, o, ctx, iterable);
  if (v2) return asMultiline(v2, multiline(cx, e.arguments));
  if (o && o.where === "api") return asMultiline(apiCall(cx, e, callee, o, ctx, iterable), multiline(cx, e.arguments));
  if (o && o.where === "lib") {
    const r = libCall(cx, e, callee, o, ctx, iterable);
    if (r) return r;
  }
  // calls through function-typed values declared without a body (`normLayer(c)`, `activation({ inplace: true })`)
  if (
    o &&
    o.where === "user" &&
    !(o.decl as { body?: ts.Node }).body &&
    (ts.isFunctionTypeNode(o.decl) || ts.isCallSignatureDeclaration(o.decl) || ts.isMethodSignature(o.decl))
  ) {
    const params = o.decl.parameters;
    const lastArg = e.arguments[e.arguments.length - 1];
    const lastParam = params[e.arguments.length - 1];
    if (lastArg && lastParam && !lastParam.dotDotDotToken && isOptionsType(cx, cx.checker.getTypeAtLocation(lastParam))) {
      return call(cx.passes.expr(callee, ctx), [...cx.passes.argItems(e.arguments.slice(0, -1), ctx), ...kwargs(cx, lastArg, ctx, true)]);
    }
  }
  return asMultiline(call(cx.passes.expr(callee, ctx), cx.passes.argItems(e.arguments, ctx)), multiline(cx, e.arguments));
}

/** `m(x).add(y)` with `m` a plain `nn.Module` (a call typed `any`): the Tensor's method (types.ts). */
function tensorMethodOfModuleResult(cx: Translator, callee: ts.Expression): (Origin & { decl: ts.SignatureDeclaration }) | undefined {
  const decl = ts.isPropertyAccessExpression(callee) ? tensorMemberOfModuleCall(cx, callee) : undefined;
  if (!decl || !(ts.isMethodSignature(decl) || ts.isMethodDeclaration(decl))) return undefined;
  const origin = originOf(decl, cx.prog.typings);
  return origin.where === "api" ? { ...origin, decl } : undefined;
}

export function newExpr(cx: Translator, e: ts.NewExpression, ctx: Ctx): Py {
  const callee = skipOuter(cx, e.expression);
  const args = e.arguments ?? [];
  if (ts.isIdentifier(callee)) {
    if (/^(Error|TypeError|RangeError)$/.test(callee.text))
      return call(name(callee.text === "TypeError" ? "TypeError" : "ValueError"), cx.passes.argItems(args, ctx));
    if (callee.text === "Array") {
      const n = args[0];
      return n ? binary(list([atom("None")]), "*", cx.passes.expr(n, ctx), P.term) : list([]);
    }
  }
  const o = calleeOrigin(cx, e);
  const v2 = version2Call(cx, e, callee, o, ctx, false);
  if (v2) return asMultiline(v2, multiline(cx, e.arguments));
  if (o && o.where === "api") return asMultiline(apiCall(cx, e, callee, o, ctx), multiline(cx, e.arguments));
  if (o && o.where === "lib") {
    const r = libConstructor(cx, e, o.owner, ctx);
    if (r) return r;
  }
  return asMultiline(call(cx.passes.expr(callee, ctx), cx.passes.argItems(args, ctx)), multiline(cx, e.arguments));
}

/** Keyword arguments from an options object (camelCase → snake_case; `inplace` dropped). */
export function kwargs(cx: Translator, arg: ts.Expression, ctx: Ctx, dropInplace: boolean, intKeys?: ReadonlySet<string>): Item[] {
  const o = skipOuter(cx, arg);
  if (ts.isObjectLiteralExpression(o)) {
    const out: Item[] = [];
    const explicit = new Set<string>();
    for (const p of o.properties)
      if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyNameText(cx, p.name)) explicit.add(propertyNameText(cx, p.name)!);
    for (const p of o.properties) {
      if (ts.isSpreadAssignment(p)) {
        out.push(item(cx, p, spreadKwargs(cx, p.expression, ctx, dropInplace, explicit)));
        continue;
      }
      if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
        unsupported(cx, p, "A method in an options object");
        continue;
      }
      const key = propertyNameText(cx, p.name);
      if (key === undefined) {
        unsupported(cx, p.name, "A computed option name");
        continue;
      }
      if (dropInplace && key === "inplace") {
        cx.usage.inplace = true;
        continue;
      }
      const valueNode = ts.isPropertyAssignment(p) ? p.initializer : p.name;
      let value = ts.isPropertyAssignment(p) ? cx.passes.expr(p.initializer, ctx) : identifier(cx, p.name, ctx);
      if (intKeys?.has(key)) value = intValue(cx, valueNode, value, ctx);
      out.push(item(cx, p, kwarg(snake(key), value)));
    }
    return out;
  }
  return [{ py: spreadKwargs(cx, arg, ctx, dropInplace, new Set()) }];
}

/** `**opts` for an options value (through `_kwargs(...)` when its keys need renaming). */
export function spreadKwargs(cx: Translator, e: ts.Expression, ctx: Ctx, dropInplace: boolean, explicit: ReadonlySet<string>): Py {
  const t = typeOf(cx, e);
  const props = cx.checker.getPropertiesOfType(t).map((p) => p.name);
  const clash = props.some((p) => explicit.has(p));
  const clean = !isUnknownType(cx, t) && props.every((p) => snake(p) === p && !(dropInplace && p === "inplace"));
  const v = cx.passes.expr(e, ctx);
  if (clean && !clash) return star(v, "**");
  cx.usage.kwargsHelper = true;
  if (clash) warn(cx, e, "Options given both in a spread object and explicitly: the explicit ones win");
  return star(call(name("_kwargs"), [v]), "**");
}

/** An integer argument: `int(...)` around a value that may be a float in Python. */
export function intValue(cx: Translator, node: ts.Expression, py: Py, ctx: Ctx): Py {
  const n = skipOuter(cx, node);
  if (ts.isArrayLiteralExpression(n)) return tuple(n.elements.map((el) => intValue(cx, el, cx.passes.expr(el, ctx), ctx)));
  if (isNumberType(cx, typeOf(cx, n)) && maybeFloat(cx, n)) return call(name("int"), [py]);
  return py;
}

/** A pair argument of the API: an array literal becomes a tuple. */
export function apiArg(cx: Translator, node: ts.Expression, ctx: Ctx, isInt: boolean, isPair: boolean): Item {
  const n = skipOuter(cx, node);
  if (ts.isSpreadElement(node)) return item(cx, node, star(cx.passes.expr(node.expression, ctx)));
  if (isPair && ts.isArrayLiteralExpression(n) && n.elements.length === 2 && !n.elements.some(ts.isSpreadElement)) {
    return item(cx, node, tuple(n.elements.map((el) => (isInt ? intValue(cx, el, cx.passes.expr(el, ctx), ctx) : cx.passes.expr(el, ctx)))));
  }
  return item(cx, node, isInt ? intValue(cx, node, cx.passes.expr(node, ctx), ctx) : cx.passes.expr(node, ctx));
}

/** Calls of the model language's API: nn factories, F, torch, tensor and module methods. */
export function apiCall(
  cx: Translator,
  e: ts.CallExpression | ts.NewExpression,
  callee: ts.Expression,
  o: { owner: string; name: string; decl: ts.SignatureDeclaration },
  ctx: Ctx,
  iterable = false,
): Py {
  const args = e.arguments ?? [];
  const params = o.decl.parameters;
  const owner = o.owner;
  // a module called like a function
  if (owner === "Module" && (ts.isCallSignatureDeclaration(o.decl) || !o.name)) {
    const withOptions = multiOutputCall(cx, e, callee, ctx);
    if (withOptions) return withOptions;
    return call(cx.passes.expr(callee, ctx), cx.passes.argItems(args, ctx));
  }
  if (owner === "ops") return opsCall(cx, e, callee, o.name, ctx);
  const ctorOwner = /^(Sequential|ModuleList|ModuleDict)Constructor$/.exec(owner);
  if (ctorOwner) {
    const kind = ctorOwner[1]!;
    const fn = factoryCallee(cx, callee, ctx, kind);
    const only = args.length === 1 ? skipOuter(cx, args[0]!) : undefined;
    if (kind === "Sequential" && only && !ts.isSpreadElement(only) && (ts.isObjectLiteralExpression(only) || isDictType(cx, typeOf(cx, only))))
      return call(fn, [cx.passes.orderedDict(only, ctx)]);
    return call(fn, cx.passes.argItems(args, ctx));
  }
  if (owner === "nn" || owner === "F" || owner === "torch") {
    if (owner === "F") cx.usage.F = true;
    const kind = owner === "nn" ? LAYER_KINDS.get(o.name) : owner === "F" ? FUNCTIONAL_KINDS.get(o.name) : undefined;
    const fn = apiCallee(cx, callee, owner, o.name, ctx);
    // a module whose arguments PyTorch ignores (nn.Identity): the model language accepts them, the export drops them
    if (owner === "nn" && isLayerType(o.name) && NN_MODULES[o.name].noArgs) return call(fn, []);
    const items: Item[] = [];
    const spreads = args.some(ts.isSpreadElement);
    const intNames = new Set((kind?.params ?? []).filter((p) => INT_TYPES.has(p.type)).map((p) => p.name));
    if (owner === "F" && ["maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveMaxPool2d"].includes(o.name)) intNames.add("x");
    args.forEach((a, i) => {
      const p = spreads ? undefined : params[i];
      const pname = p && ts.isIdentifier(p.name) ? p.name.text : undefined;
      if (pname === "inplace") {
        cx.usage.inplace = true;
        return;
      }
      // options after a rest parameter (`torch.meshgrid(a, b, { indexing: "ij" })`) are keywords too
      const afterRest = i === args.length - 1 && !!params[params.length - 1]?.dotDotDotToken && ts.isObjectLiteralExpression(skipOuter(cx, a));
      if (((pname === "opts" || pname === "options") && !ts.isSpreadElement(a)) || afterRest) {
        items.push(...kwargs(cx, a, ctx, true, intNames));
        return;
      }
      const isInt = pname !== undefined && (intNames.has(pname) || intParam(cx, owner, o.name, pname));
      const isPair = !!p?.type && /Size2d|Conv2dPadding|\[number, number\]/.test(p.type.getText());
      items.push(apiArg(cx, a, ctx, isInt, isPair));
    });
    return call(fn, items);
  }
  if (owner === "Tensor") {
    if (!ts.isPropertyAccessExpression(callee) || !ts.isCallExpression(e)) return call(cx.passes.expr(callee, ctx), cx.passes.argItems(args, ctx));
    return tensorMethodCall(cx, e, callee, o.name, ctx);
  }
  if (owner === "ObjectConstructor") {
    // Object.values / entries of a ModuleDict
    const a = args[0];
    if (!a) return unsupported(cx, e, `Object.${o.name}()`);
    const m = o.name === "entries" ? "items" : o.name;
    const py = call(attr(cx.passes.expr(a, ctx), m), []);
    return iterable ? py : call(name("list"), [py]);
  }
  if (owner === "Module" || owner === "Sequential" || owner === "ModuleList" || owner === "ModuleDictBase") {
    const recv = ts.isPropertyAccessExpression(callee) ? cx.passes.expr(callee.expression, ctx) : undefined;
    const m = MODULE_METHODS[o.name];
    if (recv && o.name === "registerBuffer" && ts.isCallExpression(e)) return registerBufferCall(cx, e, recv, ctx);
    if (!recv || !m) return call(cx.passes.expr(callee, ctx), cx.passes.argItems(args, ctx));
    const py = call(attr(recv, m.py), cx.passes.argItems(args, ctx));
    return m.list && !iterable ? call(name("list"), [py]) : py;
  }
  return call(cx.passes.expr(callee, ctx), cx.passes.argItems(args, ctx));
}

export function intParam(cx: Translator, owner: string, fn: string, param: string): boolean {
  if (owner === "torch" && (fn === "cat" || fn === "concat") && param === "dim") return true;
  if (owner === "torch" && fn === "flatten" && (param === "startDim" || param === "endDim")) return true;
  if (owner === "F" && (param === "dim" || param === "outputSize" || param === "kernelSize")) return true;
  return false;
}

/** `nn.Conv2d` → NN_MODULES' `nn.Conv2d`, `F.maxPool2d` → `F.max_pool2d`, `torch.concat` → `torch.cat`; aliases stay as written. */
export function apiCallee(cx: Translator, callee: ts.Expression, owner: string, n: string, ctx: Ctx): Py {
  const direct = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === owner;
  if (!direct) return cx.passes.expr(callee, ctx);
  if (owner === "F") {
    const r = F_RENAMES[n];
    return atom(r ?? `F.${snake(n)}`);
  }
  if (owner === "torch") return atom(`torch.${n === "concat" ? "cat" : n}`);
  if (isLayerType(n)) return atom(NN_MODULES[n].py);
  return unsupported(cx, callee, `'nn.${n}' (not a layer kind of the registry)`);
}

export function factoryCallee(cx: Translator, callee: ts.Expression, ctx: Ctx, kind: string): Py {
  const direct = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "nn";
  return direct ? atom(`nn.${kind}`) : cx.passes.expr(callee, ctx);
}

/** Calls of the JavaScript library: Math, arrays, strings, Object, Array, Number, String. */
export function libCall(
  cx: Translator,
  e: ts.CallExpression,
  callee: ts.Expression,
  o: { owner: string; name: string },
  ctx: Ctx,
  iterable = false,
): Py | undefined {
  const args = e.arguments;
  const a = (i: number): Py => (args[i] ? cx.passes.expr(args[i]!, ctx) : atom("None"));
  const recv = (): Py => (ts.isPropertyAccessExpression(callee) ? cx.passes.expr(callee.expression, ctx) : atom("None"));
  const hasSpread = args.some(ts.isSpreadElement);
  switch (o.owner) {
    case "Math": {
      const mathBefore = cx.usage.math;
      cx.usage.math = !(o.name === "abs" || o.name === "pow" || o.name === "max" || o.name === "min") || cx.usage.math;
      switch (o.name) {
        case "floor": {
          const wasMath = mathBefore;
          const x = args[0] && skipOuter(cx, args[0]);
          if (x && ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.SlashToken && certainlyInt(cx, x.left) && certainlyInt(cx, x.right)) {
            cx.usage.math = wasMath;
            return binary(cx.passes.expr(x.left, ctx), "//", cx.passes.expr(x.right, ctx), P.term);
          }
          return call(atom("math.floor"), [a(0)]);
        }
        case "ceil":
        case "trunc":
        case "sqrt":
        case "log":
        case "log2":
        case "exp":
          return call(atom(`math.${o.name}`), [a(0)]);
        case "round":
          return call(atom("math.floor"), [binary(a(0), "+", atom("0.5"), P.sum)]);
        case "abs":
          return call(name("abs"), [a(0)]);
        case "pow":
          return binary(a(0), "**", a(1), P.power);
        case "max":
        case "min":
          if (hasSpread && args.length === 1) return call(name(o.name), [cx.passes.expr((args[0] as ts.SpreadElement).expression, ctx)]);
          if (args.length === 1) return a(0);
          return call(name(o.name), cx.passes.argItems(args, ctx));
      }
      return undefined;
    }
    case "Array":
    case "ReadonlyArray":
      return arrayMethod(cx, e, callee, o.name, recv, ctx, iterable);
    case "String":
      switch (o.name) {
        case "toUpperCase":
          return call(attr(recv(), "upper"), []);
        case "toLowerCase":
          return call(attr(recv(), "lower"), []);
        case "startsWith":
          return call(attr(recv(), "startswith"), [a(0)]);
        case "endsWith":
          return call(attr(recv(), "endswith"), [a(0)]);
        case "includes":
          return binary(a(0), "in", recv(), P.compare);
        case "repeat":
          return binary(recv(), "*", a(0), P.term);
        case "toString":
          return call(name("str"), [recv()]);
      }
      return undefined;
    case "Number":
      if (o.name === "toString") return call(name("str"), [recv()]);
      return undefined;
    case "NumberConstructor":
      if (o.name === "isInteger") return call(attr(call(name("float"), [a(0)]), "is_integer"), []);
      if (o.name === "isFinite") {
        cx.usage.math = true;
        return call(atom("math.isfinite"), [a(0)]);
      }
      if (!o.name) return call(name("float"), [a(0)]);
      return undefined;
    case "StringConstructor":
      return call(name("str"), [a(0)]);
    case "BooleanConstructor":
      return call(name("bool"), [a(0)]);
    case "ArrayConstructor": {
      if (o.name === "isArray") return call(name("isinstance"), [a(0), atom("list")]);
      if (o.name === "from") return arrayFrom(cx, e, ctx);
      if (!o.name) {
        const n = args[0];
        return n ? binary(list([atom("None")]), "*", cx.passes.expr(n, ctx), P.term) : list([]);
      }
      return undefined;
    }
    case "ObjectConstructor": {
      const x = a(0);
      switch (o.name) {
        case "keys":
          return iterable ? x : call(name("list"), [x]);
        case "values":
          return iterable ? call(attr(x, "values"), []) : call(name("list"), [call(attr(x, "values"), [])]);
        case "entries":
          return iterable ? call(attr(x, "items"), []) : call(name("list"), [call(attr(x, "items"), [])]);
        case "fromEntries":
          return call(name("dict"), [x]);
      }
      return undefined;
    }
    case "ErrorConstructor":
      return call(name("ValueError"), cx.passes.argItems(args, ctx));
    case "Set":
    case "Map":
    case "ReadonlySet":
    case "ReadonlyMap":
      return collectionMethod(cx, e, recv(), o.owner, o.name, ctx, iterable);
    case "":
      return globalFunction(cx, e, o.name, ctx);
  }
  return undefined;
}

export function callbackParts(
  cx: Translator,
  fn: ts.Expression | undefined,
  ctx: Ctx,
  arity: number,
): { params: string[]; body: (inner: Ctx) => Py; scope: Scope } | undefined {
  const f = fn && skipOuter(cx, fn);
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f))) return undefined;
  if (ts.isFunctionExpression(f) && usesThis(cx, f)) return undefined;
  if (f.parameters.length > arity || f.parameters.some((p) => !ts.isIdentifier(p.name) || p.initializer || p.dotDotDotToken)) return undefined;
  let ret: ts.Expression | undefined;
  if (ts.isBlock(f.body)) {
    const only = f.body.statements.length === 1 ? f.body.statements[0] : undefined;
    if (only && ts.isReturnStatement(only) && only.expression) ret = only.expression;
    else return undefined;
  } else ret = f.body;
  const scope = enterScope(cx, f, ctx.scope);
  const params = f.parameters.map((p) => symbolName(cx, p.name as ts.Identifier));
  const body = ret;
  return { params, body: (inner) => cx.passes.expr(body, { ...inner, scope, lambda: true }), scope };
}

export function arrayFrom(cx: Translator, e: ts.CallExpression, ctx: Ctx): Py {
  const src = e.arguments[0] && skipOuter(cx, e.arguments[0]);
  const fn = e.arguments[1];
  if (!src) return list([]);
  let iter: Py;
  let lengthOnly = false;
  if (ts.isObjectLiteralExpression(src) && src.properties.length === 1) {
    const p = src.properties[0]!;
    if (ts.isPropertyAssignment(p) && propertyNameText(cx, p.name) === "length") {
      iter = call(name("range"), [intValue(cx, p.initializer, cx.passes.expr(p.initializer, ctx), ctx)]);
      lengthOnly = true;
    } else return unsupported(cx, src, "Array.from of this object");
  } else iter = cx.passes.expr(src, ctx);
  if (!fn) return lengthOnly ? list([atom("None")]) : call(name("list"), [iter]);
  const cb = callbackParts(cx, fn, ctx, 2);
  if (!cb) {
    const f = cx.passes.expr(fn, ctx);
    const v = fresh(cx, ctx.scope, "_i");
    return group("[", [seq([call(f, [atom(lengthOnly ? "None" : v), atom(v)]), atom(` for ${v} in `), iter], P.lambda)], "]", "none");
  }
  const [v, i] = cb.params;
  const body = cb.body(ctx);
  const target = lengthOnly ? (i ? i : "_") : i ? `${i}, ${v}` : (v ?? "_");
  const it = !lengthOnly && i ? call(name("enumerate"), [iter]) : iter;
  if (lengthOnly && v && i === undefined) {
    // (_, ) => …: the element is undefined
    return group("[", [seq([body, atom(` for ${v} in `), it], P.lambda)], "]", "none");
  }
  return group("[", [seq([body, atom(` for ${target} in `), it], P.lambda)], "]", "none");
}

export function arrayMethod(
  cx: Translator,
  e: ts.CallExpression,
  callee: ts.Expression,
  method: string,
  recvF: () => Py,
  ctx: Ctx,
  iterable = false,
): Py | undefined {
  const args = e.arguments;
  const recvNode = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  const recv = recvF();
  const comprehension = (cb: NonNullable<ReturnType<typeof callbackParts>>, build: (body: Py, target: string, iter: Py) => Py): Py => {
    const [v, i] = cb.params;
    const target = i ? `${i}, ${v}` : (v ?? "_");
    const iter = i ? call(name("enumerate"), [recv]) : recv;
    return build(cb.body(ctx), target, iter);
  };
  switch (method) {
    case "map": {
      const cb = callbackParts(cx, args[0], ctx, 2);
      if (!cb) {
        const f = args[0] ? cx.passes.expr(args[0], ctx) : atom("None");
        const v = fresh(cx, ctx.scope, "_x");
        return group("[", [seq([call(f, [atom(v)]), atom(` for ${v} in `), recv], P.lambda)], "]", "none");
      }
      return comprehension(cb, (body, target, iter) => group("[", [seq([body, atom(` for ${target} in `), iter], P.lambda)], "]", "none"));
    }
    case "filter": {
      const cb = callbackParts(cx, args[0], ctx, 2);
      if (!cb) return unsupported(cx, e, "filter with this callback");
      const [v] = cb.params;
      return comprehension(cb, (body, target, iter) =>
        group("[", [seq([atom(`${v ?? "_"} for ${target} in `), iter, atom(" if "), wrap(body, P.or)], P.lambda)], "]", "none"),
      );
    }
    case "some":
    case "every": {
      const cb = callbackParts(cx, args[0], ctx, 2);
      if (!cb) return unsupported(cx, e, `${method} with this callback`);
      return comprehension(cb, (body, target, iter) =>
        call(name(method === "some" ? "any" : "all"), [seq([wrap(body, P.or), atom(` for ${target} in `), iter], P.lambda)]),
      );
    }
    case "reduce": {
      const f = args[0] && skipOuter(cx, args[0]);
      if (args.length === 2 && f && ts.isArrowFunction(f) && f.parameters.length === 2 && !ts.isBlock(f.body)) {
        // (acc, x) => acc + expr, 0  →  sum(expr for x in xs)
        const body = skipOuter(cx, f.body);
        const [accP, xP] = f.parameters;
        const init = skipOuter(cx, args[1]!);
        if (
          ts.isBinaryExpression(body) &&
          body.operatorToken.kind === ts.SyntaxKind.PlusToken &&
          ts.isIdentifier(body.left) &&
          accP &&
          ts.isIdentifier(accP.name) &&
          body.left.text === accP.name.text &&
          ts.isNumericLiteral(init) &&
          init.text === "0" &&
          !mentions(cx, body.right, accP.name.text)
        ) {
          const scope = enterScope(cx, f, ctx.scope);
          const x = xP && ts.isIdentifier(xP.name) ? symbolName(cx, xP.name) : "_";
          const term = cx.passes.expr(body.right, { ...ctx, scope, lambda: true });
          return call(name("sum"), [seq([term, atom(` for ${x} in `), recv], P.lambda)]);
        }
      }
      const cb = callbackParts(cx, args[0], ctx, 2);
      if (!cb) return unsupported(cx, e, "reduce with this callback");
      cx.usage.functools = true;
      const lambda = seq([atom(`lambda ${cb.params.join(", ")}: `), wrap(cb.body(ctx), P.lambda)], P.lambda);
      return call(atom("functools.reduce"), args.length > 1 ? [lambda, recv, cx.passes.expr(args[1]!, ctx)] : [lambda, recv]);
    }
    case "slice": {
      const s = args[0] ? render(cx.passes.expr(args[0], ctx), 0, 0) : "";
      const en = args[1] ? render(cx.passes.expr(args[1], ctx), 0, 0) : "";
      return seq([wrap(recv, P.primary), atom(`[${s}:${en}]`)], P.primary);
    }
    case "concat": {
      let out = recv;
      for (const a of args) {
        const t = typeOf(cx, a);
        const v = isArrayLike(cx, t) ? cx.passes.expr(a, ctx) : list([cx.passes.expr(a, ctx)]);
        out = binary(call(name("list"), [out]), "+", v, P.sum);
      }
      return args.length ? out : call(name("list"), [recv]);
    }
    case "includes":
      return binary(cx.passes.expr(args[0]!, ctx), "in", recv, P.compare);
    case "indexOf": {
      if (!recvNode || !isSimple(cx, recvNode) || !args[0] || !isSimple(cx, args[0])) return unsupported(cx, e, "indexOf of an expression with calls");
      const x = cx.passes.expr(args[0], ctx);
      return ifElse(binary(x, "in", recv, P.compare), call(attr(recv, "index"), [x]), atom("-1"));
    }
    case "join": {
      const sep = args[0] ? cx.passes.expr(args[0], ctx) : atom('","');
      return call(attr(sep, "join"), [call(name("map"), [atom("str"), recv])]);
    }
    case "entries":
      return iterable ? call(name("enumerate"), [recv]) : call(name("list"), [call(name("enumerate"), [recv])]);
    case "keys":
      return iterable ? call(name("range"), [call(name("len"), [recv])]) : call(name("list"), [call(name("range"), [call(name("len"), [recv])])]);
    case "values":
      return iterable ? recv : call(name("list"), [recv]);
    case "at":
      return subscript(recv, cx.passes.expr(args[0]!, ctx));
    case "pop":
      return call(attr(recv, "pop"), []);
    case "fill": {
      // new Array(n).fill(x) / Array(n).fill(x) → [x] * n
      const r = recvNode && skipOuter(cx, recvNode);
      if (
        r &&
        (ts.isNewExpression(r) || ts.isCallExpression(r)) &&
        ts.isIdentifier(r.expression) &&
        r.expression.text === "Array" &&
        r.arguments?.length === 1
      ) {
        return binary(list([cx.passes.expr(args[0]!, ctx)]), "*", cx.passes.expr(r.arguments[0]!, ctx), P.term);
      }
      return unsupported(cx, e, "fill on an existing array");
    }
    case "push":
    case "forEach":
    case "reverse":
      return unsupported(cx, e, `The value of ${method}(...) (use it as a statement)`);
  }
  return undefined;
}

// ---- attention: torchvision.ops blocks and calls with call options (nn.MultiheadAttention) ----

/** `ops.X(...)` → `torchvision.ops.X(...)`, options as snake_case keywords (`inplace` kept: torchvision passes it on). */
function opsCall(cx: Translator, e: ts.CallExpression | ts.NewExpression, callee: ts.Expression, n: string, ctx: Ctx): Py {
  const direct = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "ops";
  cx.usage.torchvision = true;
  const fn = direct ? atom(`torchvision.ops.${n}`) : cx.passes.expr(callee, ctx);
  const kind = OPS_KINDS.get(n);
  // the leaf kinds' integer parameters, else the blocks' channel counts (the first two arguments)
  const isInt = (i: number): boolean => (kind ? INT_TYPES.has(kind.params[i]?.type ?? "number") : i < (n === "MLP" ? 1 : 2));
  const args = e.arguments ?? [];
  const items: Item[] = [];
  args.forEach((a, i) => {
    const last = i === args.length - 1 && i > 0 && ts.isObjectLiteralExpression(skipOuter(cx, a));
    if (last) items.push(...kwargs(cx, a, ctx, false, new Set(["kernelSize", "stride", "padding", "groups", "dilation"])));
    else items.push(apiArg(cx, a, ctx, isInt(i) && !ts.isSpreadElement(a), false));
  });
  return call(fn, items);
}

/**
 * A call of a module whose forward takes an options object after its tensors (`attn(q, k, v, {
 * needWeights: false })`): the options become PyTorch's keyword arguments (`need_weights=False`).
 */
function multiOutputCall(cx: Translator, e: ts.CallExpression | ts.NewExpression, callee: ts.Expression, ctx: Ctx): Py | undefined {
  const t = typeOf(cx, callee);
  const decl = t.getSymbol()?.declarations?.find(ts.isInterfaceDeclaration);
  if (!decl || decl.name.text !== "MultiheadAttention") return undefined;
  if (originOf(decl, cx.prog.typings).where !== "api") return undefined;
  const args = [...(e.arguments ?? [])];
  const last = args[args.length - 1];
  if (args.length !== 4 || !last || ts.isSpreadElement(last)) return undefined;
  return call(cx.passes.expr(callee, ctx), [...cx.passes.argItems(args.slice(0, 3), ctx), ...kwargs(cx, last, ctx, false)]);
}
