import ts = require("typescript");
import { isLayerType } from "../../shared/layerCatalog";
import { MODULE_NAME } from "../../analyzer/analyze";
import { F_RENAMES, MODULE_METHODS, NN_MODULES } from "../api";
import { atom, attr, call, kwarg, name, snake, star, type Item, type Py } from "../py";
import { Ctx, Translator, skipOuter } from "./context";
import { item } from "./layout";
import { declOf, isUserSymbol, valueSymbol } from "./names";
import { isModuleType, isUnknownType, typeOf } from "./types";

/**
 * Version 2 of the model language's API in PyTorch: tensor methods and `torch.*` / `F.*` /
 * `nn.init.*` functions (camelCase → snake_case, options objects → keyword arguments),
 * `nn.Parameter`, `registerBuffer`, in-place initialisers and `F.scaledDotProductAttention`.
 * The mapping goes by name, so it holds whether or not the typings declare the member yet: a
 * call the type checker cannot resolve still reaches PyTorch's function of that name.
 */

export type ApiNamespace = "nn" | "F" | "torch" | "init" | "ops";

const NAMESPACES = new Set<string>(["nn", "F", "torch", "ops"]);

/**
 * `nn`, `F`, `torch`, `ops` imported from "cnn-studio", or `nn.init`. Decided by the import, not by
 * where the typings declare the namespace (one file or a file per namespace, as they are split).
 */
export function apiNamespace(cx: Translator, e: ts.Expression): ApiNamespace | undefined {
  const n = skipOuter(cx, e);
  if (ts.isPropertyAccessExpression(n)) return n.name.text === "init" && apiNamespace(cx, n.expression) === "nn" ? "init" : undefined;
  if (!ts.isIdentifier(n)) return undefined;
  const d = cx.checker.getSymbolAtLocation(n)?.declarations?.[0];
  if (!d || !ts.isImportSpecifier(d)) return undefined;
  const from = d.parent.parent.parent.moduleSpecifier;
  if (!ts.isStringLiteral(from) || from.text !== MODULE_NAME) return undefined;
  const imported = (d.propertyName ?? d.name).text;
  return NAMESPACES.has(imported) ? (imported as ApiNamespace) : undefined;
}

/** Tensor methods whose arguments are sizes or dimensions (`int(...)` around a value that may be a float). */
const INT_METHODS = new Set([
  "view",
  "reshape",
  "size",
  "flatten",
  "permute",
  "transpose",
  "unsqueeze",
  "squeeze",
  "expand",
  "repeat",
  "chunk",
  "split",
  "narrow",
  "select",
  "flip",
  "roll",
  "newZeros",
  "newOnes",
  "movedim",
]);

/** In-place initialisers → `nn.init.*` (on a parameter, PyTorch refuses the in-place method outside `no_grad`). */
const INIT_OF_METHOD: Record<string, string> = {
  normal_: "normal_",
  uniform_: "uniform_",
  zero_: "zeros_",
  fill_: "constant_",
  truncNormal_: "trunc_normal_",
};

/** Tensor methods of Version 2 that a call without a resolved declaration may still be. */
export const TENSOR_METHODS = new Set([
  ...INT_METHODS,
  ...Object.keys(INIT_OF_METHOD),
  ..."t contiguous expandAs indexSelect matmul bmm softmax logSoftmax sum mean amax amin max min std var norm sqrt exp log abs neg pow clamp add mul sub div addcmul maskedFill where eq ne lt gt le ge float to detach clone dim numel add_ sub_ mul_ div_ clamp_ bernoulli_ relu sigmoid tanh sign round floor ceil argmax argmin logicalNot long int bool half newEmpty newFull".split(
    " ",
  ),
]);

/** Interfaces of the typings whose methods are tensor methods (besides `Tensor`, which apiCall maps itself). */
const TENSOR_LIKE_OWNERS = new Set(["Parameter", "Buffer", "TensorMethods"]);

/** `true` for a Tensor of the typings, or a value whose type the checker does not know. */
export function isTensorOrUnknown(cx: Translator, e: ts.Expression): boolean {
  const t = typeOf(cx, e);
  if (isUnknownType(cx, t)) return true;
  const sym = t.getSymbol();
  const d = sym && declOf(cx, sym);
  return !!sym && !!d && ts.isInterfaceDeclaration(d) && d.name.text === "Tensor" && !isUserSymbol(cx, sym);
}

/** Is `e` an options object (an object literal): its keys become keyword arguments. */
function isOptionsLiteral(cx: Translator, e: ts.Expression | undefined): e is ts.Expression {
  return !!e && !ts.isSpreadElement(e) && ts.isObjectLiteralExpression(skipOuter(cx, e));
}

/** Positional arguments (`int(...)` where `ints`), then the options object as keyword arguments. */
export function argsWithOptions(cx: Translator, args: readonly ts.Expression[], ctx: Ctx, ints: boolean | ((i: number) => boolean)): Item[] {
  const last = args[args.length - 1];
  const opts = isOptionsLiteral(cx, last) ? last : undefined;
  const positional = opts ? args.slice(0, -1) : args;
  const out: Item[] = positional.map((a, i) => {
    if (ts.isSpreadElement(a)) return item(cx, a, star(cx.passes.expr(a.expression, ctx)));
    const isInt = typeof ints === "function" ? ints(i) : ints;
    return cx.passes.intArg(a, isInt, ctx);
  });
  if (opts) out.push(...cx.passes.kwargs(opts, ctx));
  return out;
}

/** `x.expandAs(y)` → `x.expand_as(y)`; `this.w.normal_(...)` → `nn.init.normal_(self.w, ...)`. */
export function tensorMethodCall(cx: Translator, e: ts.CallExpression, callee: ts.PropertyAccessExpression, method: string, ctx: Ctx): Py {
  const recvNode = callee.expression;
  const recv = cx.passes.expr(recvNode, ctx);
  const args = argsWithOptions(cx, e.arguments, ctx, INT_METHODS.has(method));
  const init = INIT_OF_METHOD[method];
  // a fresh tensor (`torch.empty(...).normal_()`) keeps the method; a parameter goes through nn.init, and so do
  // truncNormal_ (no tensor method in PyTorch) and uniform_ (whose method's bounds are `from`/`to`, nn.init's `a`/`b`)
  if (init && (method === "truncNormal_" || method === "uniform_" || !ts.isCallExpression(skipOuter(cx, recvNode))))
    return call(atom(`nn.init.${init}`), [{ py: recv }, ...args]);
  return call(attr(recv, snake(method)), args);
}

/** The PyTorch function of `ns.fn` (`torch.zerosLike` → `torch.zeros_like`). */
export function namespaceCallee(cx: Translator, ns: ApiNamespace, fn: string): Py {
  switch (ns) {
    case "nn":
      return atom(isLayerType(fn) ? NN_MODULES[fn].py : `nn.${fn}`);
    case "init":
      return atom(`nn.init.${snake(fn)}`);
    case "F":
      cx.usage.F = true;
      if (fn === "scaledDotProductAttention") {
        cx.usage.sdpa = true;
        return name("scaled_dot_product_attention");
      }
      return atom(F_RENAMES[fn] ?? `F.${snake(fn)}`);
    case "torch":
      return atom(`torch.${fn === "concat" ? "cat" : snake(fn)}`);
    case "ops":
      return atom(`torchvision.ops.${fn}`);
  }
}

const INT_FUNCTIONS = new Set(["zeros", "ones", "empty", "full", "randn", "rand", "eye"]);

/** `nn.Parameter(t, { requiresGrad: false })`, `nn.init.kaimingNormal_(w, { mode })`, `torch.zerosLike(x)`, `F.pad(x, p, { mode })`. */
export function namespaceCall(cx: Translator, e: ts.CallExpression | ts.NewExpression, ns: ApiNamespace, fn: string, ctx: Ctx): Py {
  const args = e.arguments ?? [];
  // sizes as int (a size list stays a list, as the typed path writes it)
  const sizes = ns === "torch" && INT_FUNCTIONS.has(fn);
  const isSize = (i: number): boolean => sizes && !(fn === "full" && i > 0) && !ts.isArrayLiteralExpression(skipOuter(cx, args[i]!));
  return call(namespaceCallee(cx, ns, fn), argsWithOptions(cx, args, ctx, isSize));
}

/** Should `ns.fn` go through namespaceCall even where the typings declare it (what the older mapping gets wrong)? */
export function isVersion2Call(ns: ApiNamespace, fn: string): boolean {
  if (ns === "init") return true;
  if (ns === "nn") return !isLayerType(fn) && !["Sequential", "ModuleList", "ModuleDict", "Module"].includes(fn);
  if (ns === "torch") return snake(fn) !== fn;
  if (ns === "F") return fn === "scaledDotProductAttention";
  return false;
}

/** `this.registerBuffer(name, t, persistent)` → `self.register_buffer(name, t, persistent=...)`. */
export function registerBufferCall(cx: Translator, e: ts.CallExpression, recv: Py, ctx: Ctx): Py {
  const [n, t, persistent] = e.arguments;
  const items: Item[] = [n, t].filter((a): a is ts.Expression => !!a).map((a) => item(cx, a, cx.passes.expr(a, ctx)));
  if (persistent) items.push(item(cx, persistent, kwarg("persistent", cx.passes.expr(persistent, ctx))));
  return call(attr(recv, "register_buffer"), items);
}

/**
 * PyTorch 2.0's `F.scaled_dot_product_attention`, with its math written out for PyTorch 1.13
 * (which lacks it); PyTorch 2.x runs its own (fused) kernel.
 */
export const SDPA_HELPER = `def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """F.scaled_dot_product_attention (PyTorch 2.0+), written out where PyTorch lacks it (1.13)."""
    if hasattr(F, "scaled_dot_product_attention"):
        extra = {} if scale is None else {"scale": scale}
        return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, dropout_p=dropout_p, is_causal=is_causal, **extra)
    scale = query.size(-1) ** -0.5 if scale is None else scale
    scores = torch.matmul(query, key.transpose(-2, -1)) * scale
    if is_causal:
        causal = torch.ones(query.size(-2), key.size(-2), dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(causal.logical_not(), float("-inf"))
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask.logical_not(), float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    if dropout_p > 0:
        weights = F.dropout(weights, p=dropout_p)
    return torch.matmul(weights, value)`;

/** `nn` members of Version 2 (the typings of other parts of the work may not declare them yet). */
const NN_VERSION2 = new Set(
  "Parameter LayerNorm GroupNorm MultiheadAttention Conv1d MaxPool1d AvgPool1d AdaptiveAvgPool1d Embedding Unflatten PixelShuffle ZeroPad2d Mish PReLU".split(
    " ",
  ),
);

/** Is `ns.fn` a member the export knows, declared or not (`nn.Conv3d` is not: it stays an unknown attribute, with a warning)? */
export function isKnownMember(ns: ApiNamespace, fn: string): boolean {
  return ns === "nn" ? isLayerType(fn) || NN_VERSION2.has(fn) : ns !== "ops";
}

/** A built-in module kind of `nn` (`LayerNorm`; not `Module` nor a container), declared by the typings or not. */
function isBuiltinLayer(n: string): boolean {
  return isLayerType(n) || (/^[A-Z]/.test(n) && !["Module", "Sequential", "ModuleList", "ModuleDict", "Parameter"].includes(n));
}

/** The nn layer kind a user class extends (`class LayerNorm2d extends nn.LayerNorm`), through user base classes. */
export function layerBase(cx: Translator, c: ts.ClassLikeDeclaration, depth = 0): string | undefined {
  const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext || depth > 50) return undefined;
  const b = skipOuter(cx, ext.expression);
  if (ts.isPropertyAccessExpression(b) && apiNamespace(cx, b.expression) === "nn") return isBuiltinLayer(b.name.text) ? b.name.text : undefined;
  // torchvision's blocks (`class SimpleStemIN extends ops.Conv2dNormActivation`): their options are keywords too
  if (ts.isPropertyAccessExpression(b) && apiNamespace(cx, b.expression) === "ops") return b.name.text;
  const sym = valueSymbol(cx, b);
  const d = sym && declOf(cx, sym);
  return sym && d && ts.isClassLike(d) && isUserSymbol(cx, sym) ? layerBase(cx, d, depth + 1) : undefined;
}

/** The user class a `new C(...)` / `C(...)` constructs, if it has no constructor of its own (its arguments are its base's). */
function inheritedLayerConstructor(cx: Translator, callee: ts.Expression): boolean {
  if (!ts.isIdentifier(callee)) return false;
  const sym = valueSymbol(cx, callee);
  const d = sym && declOf(cx, sym);
  if (!sym || !d || !ts.isClassLike(d) || !isUserSymbol(cx, sym)) return false;
  for (let c: ts.ClassLikeDeclaration | undefined = d, i = 0; c && i < 50; i++) {
    if (c.members.some((m) => ts.isConstructorDeclaration(m) && m.body)) return false;
    const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const b = ext && skipOuter(cx, ext.expression);
    if (!b) return false;
    if (ts.isPropertyAccessExpression(b)) return apiNamespace(cx, b.expression) === "nn" && isBuiltinLayer(b.name.text);
    const s = valueSymbol(cx, b);
    const bd = s && declOf(cx, s);
    c = bd && ts.isClassLike(bd) ? bd : undefined;
  }
  return false;
}

type CallOrigin = { where: "api" | "lib"; owner: string; name: string } | { where: "user" } | undefined;

/**
 * The calls of Version 2 that the older mapping does not translate (or would translate wrongly):
 * `nn.Parameter`, `nn.init.*`, `torch.zerosLike`, `F.scaledDotProductAttention`, a layer subclass's
 * inherited constructor, and (where the typings do not declare them yet) tensor and module methods.
 */
export function version2Call(
  cx: Translator,
  e: ts.CallExpression | ts.NewExpression,
  callee: ts.Expression,
  o: CallOrigin,
  ctx: Ctx,
  iterable: boolean,
): Py | undefined {
  const api = o?.where === "api";
  if (ts.isPropertyAccessExpression(callee)) {
    const fn = callee.name.text;
    const ns = apiNamespace(cx, callee.expression);
    // declared elsewhere than the namespace itself (`nn.LayerNorm` as a class or a constructor interface): by name too
    const declaredInNamespace = api && o.owner === ns;
    if (ns && isKnownMember(ns, fn) && (!declaredInNamespace || isVersion2Call(ns, fn))) return namespaceCall(cx, e, ns, fn, ctx);
    // a tensor method declared on another interface of the typings (a Parameter's `normal_`)
    if (api && !ns && ts.isCallExpression(e) && TENSOR_METHODS.has(fn) && TENSOR_LIKE_OWNERS.has(o.owner)) return tensorMethodCall(cx, e, callee, fn, ctx);
    if (ns || o || !ts.isCallExpression(e)) return undefined;
    // not declared (yet): module methods by name, then tensor methods by name
    if (isModuleType(cx, typeOf(cx, callee.expression))) {
      const recv = cx.passes.expr(callee.expression, ctx);
      if (fn === "registerBuffer") return registerBufferCall(cx, e, recv, ctx);
      const m = MODULE_METHODS[fn];
      if (!m) return undefined;
      const py = call(attr(recv, m.py), cx.passes.argItems(e.arguments, ctx));
      return m.list && !iterable ? call(name("list"), [py]) : py;
    }
    if (TENSOR_METHODS.has(fn) && isTensorOrUnknown(cx, callee.expression)) return tensorMethodCall(cx, e, callee, fn, ctx);
    return undefined;
  }
  if (inheritedLayerConstructor(cx, skipOuter(cx, callee))) return call(cx.passes.expr(callee, ctx), argsWithOptions(cx, e.arguments ?? [], ctx, false));
  return undefined;
}
