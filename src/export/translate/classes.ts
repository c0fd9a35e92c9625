import ts = require("typescript");
import { hasModifier } from "../../analyzer/syntax";
import { originOf } from "../api";
import { P, asMultiline, atom, call, group, identifierChars, isIdentifier, name, pyString, render, seq, wrap, type Item, type Py } from "../py";
import { ClassInfo, Ctx, FunctionDefOptions, Lines, Scope, Translator, anyNode, skipOuter, unsupported, usesThis } from "./context";
import { docstring, emit, leadingComments, multiline, simple } from "./layout";
import { arrayTarget, declOf, enterScope, fresh, methodName, propertyNameText, symbolName, valueSymbol } from "./names";
import { apiNamespace, argsWithOptions, layerBase } from "./torchApi";
import { hiddenChild, isDictType, optional, typeHint, typeOf } from "./types";

/** Functions, parameters and classes (`nn.Module` subclasses, fields, constructors, super calls). */

// ---- functions ------------------------------------------------------------------------------

/** Python parameters (with defaults; mutable or late defaults become None plus a body assignment). */
export function params(cx: Translator, fn: ts.SignatureDeclaration, ctx: Ctx, inner: Ctx, hints = true): { items: Py[]; prologue: Lines } {
  const items: Py[] = [];
  const prologue: Lines = [];
  let afterOptional = false;
  for (const p of fn.parameters) {
    if (ts.isIdentifier(p.name) && p.name.text === "this") continue;
    let pname: string;
    const unpack: Lines = [];
    if (ts.isIdentifier(p.name)) pname = symbolName(cx, p.name);
    else {
      pname = fresh(cx, inner.scope, ts.isArrayBindingPattern(p.name) ? "_values" : "_options");
      unpack.push(...destructurePattern(cx, p.name, name(pname), inner));
    }
    let hint = hints ? typeHint(cx, p.type, p.initializer) : undefined;
    const nullDefault =
      !!p.initializer && (p.initializer.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(p.initializer) && p.initializer.text === "undefined"));
    if (hint && (p.questionToken || nullDefault) && !hint.startsWith("Optional[")) hint = optional(cx, hint);
    const annotated = hint ? `${pname}: ${hint}` : pname;
    if (p.dotDotDotToken) {
      items.push(atom(`*${pname}`));
      prologue.push(...unpack);
      continue;
    }
    if (p.initializer) {
      afterOptional = true;
      const eq = hint ? " = " : "=";
      if (isDefTimeSafe(cx, p.initializer)) items.push(seq([atom(`${annotated}${eq}`), cx.passes.expr(p.initializer, ctx)], P.lambda));
      else {
        items.push(atom(`${annotated}${eq}None`));
        prologue.push(`if ${pname} is None:`, ...emit(cx, { ...inner, indent: 4 }, cx.passes.expr(p.initializer, inner), `${pname} = `).map((l) => l.slice(0)));
      }
    } else if (p.questionToken || afterOptional) {
      afterOptional = true;
      items.push(atom(`${annotated}${hint ? " = " : "="}None`));
    } else items.push(atom(annotated));
    prologue.push(...unpack);
  }
  return { items, prologue };
}

export function destructurePattern(cx: Translator, p: ts.BindingPattern, source: Py, ctx: Ctx): Lines {
  const c = { ...ctx, indent: 0 };
  if (ts.isArrayBindingPattern(p)) {
    const t = arrayTarget(cx, p);
    return t === undefined ? [] : emit(cx, c, source, `${t} = `);
  }
  return cx.passes.objectPattern(p, source, cx.checker.getTypeAtLocation(p), c);
}

/** Can a default value be evaluated when the `def` runs (no mutable literal, no later declaration)? */
export function isDefTimeSafe(cx: Translator, e: ts.Expression): boolean {
  const x = skipOuter(cx, e);
  if (ts.isNumericLiteral(x) || ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return true;
  if (x.kind === ts.SyntaxKind.TrueKeyword || x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPrefixUnaryExpression(x) && ts.isNumericLiteral(x.operand)) return true;
  if (ts.isIdentifier(x)) {
    if (x.text === "undefined" || x.text === "Infinity" || x.text === "NaN") return true;
    const sym = valueSymbol(cx, x);
    const d = sym && declOf(cx, sym);
    if (!d) return false;
    if (originOf(d, cx.prog.typings).where !== "user") return true;
    if (cx.models.has(d)) return false;
    const top = topLevelOf(cx, d);
    return !!top && cx.emitted.has(top);
  }
  if (ts.isPropertyAccessExpression(x)) {
    const root = skipOuter(cx, x.expression);
    if (ts.isIdentifier(root) && (root.text === "nn" || root.text === "F" || root.text === "torch" || root.text === "ops" || root.text === "Math")) return true;
    return isDefTimeSafe(cx, x.expression) && !isDictType(cx, typeOf(cx, x.expression));
  }
  return false;
}

/** The top-level statement (or declaration) containing a node. */
export function topLevelOf(cx: Translator, d: ts.Node): ts.Node | undefined {
  for (let n: ts.Node | undefined = d; n; n = n.parent) {
    if (n.parent && ts.isSourceFile(n.parent)) {
      if (ts.isVariableStatement(n) && ts.isVariableDeclaration(d)) return d;
      return n;
    }
  }
  return undefined;
}

/** `def name(params): body` for functions, arrows bound to a name, and methods. */
export function functionDef(
  cx: Translator,
  fn: ts.SignatureDeclaration & { body?: ts.ConciseBody | undefined },
  pyName: string,
  ctx: Ctx,
  docNode?: ts.Node,
  opts: FunctionDefOptions = {},
): Lines {
  const scope = enterScope(cx, fn, ctx.scope, opts.extraFree ?? []);
  if (opts.self) scope.names.add(opts.self);
  const inner: Ctx = {
    ...ctx,
    scope,
    indent: ctx.indent + 4,
    pre: [],
    update: null,
    forEach: false,
    lambda: false,
    self: opts.self ?? (ts.isArrowFunction(fn) ? ctx.self : null),
  };
  const { items, prologue } = params(cx, fn, ctx, inner);
  const paramItems = opts.self ? [atom(opts.self), ...items] : items;
  const ret = opts.returnHint ?? typeHint(cx, fn.type, undefined, true);
  const pad = " ".repeat(ctx.indent);
  const headPy = seq(
    [atom(`def ${pyName}`), group("(", paramItems, ")", "trailing", P.atom, multiline(cx, fn.parameters)), atom(`${ret ? ` -> ${ret}` : ""}:`)],
    P.atom,
  );
  const head = (pad + render(headPy, ctx.indent, ctx.indent)).split("\n");
  const docs = docstring(cx, docNode ?? fn, ctx.indent + 4);
  let body: Lines;
  if (!fn.body) body = [];
  else if (ts.isBlock(fn.body)) body = cx.passes.block(fn.body.statements, inner);
  else {
    const pre: Lines = [];
    body = emit(cx, { ...inner, pre }, cx.passes.expr(fn.body, { ...inner, pre }), "return ");
    body = [...pre, ...body];
  }
  const innerPad = " ".repeat(ctx.indent + 4);
  const decls = [
    ...(scope.globals.size ? [`${innerPad}global ${[...scope.globals].join(", ")}`] : []),
    ...(scope.nonlocals.size ? [`${innerPad}nonlocal ${[...scope.nonlocals].join(", ")}`] : []),
  ];
  const pro = [...prologue.map((l) => innerPad + l), ...(opts.bodyPrefix ?? [])];
  if (pro.length || docs.length) body = body.filter((l) => l.trim() !== "pass" || !fn.body || (ts.isBlock(fn.body) && fn.body.statements.length > 0));
  if (!body.length && !pro.length && !docs.length) body = [`${innerPad}pass`];
  return [...(opts.decorators ?? []).map((d) => pad + d), ...head, ...docs, ...decls, ...pro, ...body];
}

/** A function value: a lambda for an expression body, else a hoisted `def`. */
export function functionValue(cx: Translator, fn: ts.ArrowFunction | ts.FunctionExpression, ctx: Ctx): Py {
  if (ts.isFunctionExpression(fn) && usesThis(cx, fn)) return unsupported(cx, fn, "A function expression using 'this' (use an arrow function)");
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && fn.parameters.every((p) => ts.isIdentifier(p.name))) {
    const scope = enterScope(cx, fn, ctx.scope);
    const inner: Ctx = { ...ctx, scope, lambda: true, pre: [] };
    const { items, prologue } = params(cx, fn, ctx, inner, false);
    if (!prologue.length) {
      const body = cx.passes.expr(fn.body, inner);
      if (!inner.pre.length) {
        const ps = items.map((i) => render(i, 0, 0));
        return seq([atom(`lambda${ps.length ? " " + ps.join(", ") : ""}: `), wrap(body, P.lambda)], P.lambda);
      }
    }
  }
  if (ctx.lambda) return unsupported(cx, fn, "A function with statements inside an expression that must stay one expression");
  const n = fresh(cx, ctx.scope, "_fn");
  ctx.pre.push(...functionDef(cx, fn, n, { ...ctx, indent: ctx.indent }), "");
  return name(n);
}

// ---- classes --------------------------------------------------------------------------------

/** The builtin class at the root of a class's `extends` chain (`Module`, `Sequential`, ...), "" for none. */
export function rootBase(cx: Translator, c: ts.ClassLikeDeclaration, depth = 0): string {
  const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext || depth > 50) return "";
  const e = skipOuter(cx, ext.expression);
  if (ts.isPropertyAccessExpression(e)) {
    const sym = cx.checker.getSymbolAtLocation(e.name);
    const d = sym && declOf(cx, sym);
    if (d && originOf(d, cx.prog.typings).where === "api") return e.name.text;
    // a module kind the typings do not declare (yet)
    if (apiNamespace(cx, e.expression) === "nn") return e.name.text;
  }
  const sym = valueSymbol(cx, e);
  const d = sym && declOf(cx, sym);
  if (d && ts.isClassLike(d)) return rootBase(cx, d, depth + 1);
  return "?";
}

export function classInfo(cx: Translator, c: ts.ClassLikeDeclaration): ClassInfo {
  const root = rootBase(cx, c);
  const container = ["Sequential", "ModuleList", "ModuleDict"].includes(root) ? root : null;
  const sym = c.name && cx.checker.getSymbolAtLocation(c.name);
  return {
    node: c,
    name: (sym && cx.symbolNames.get(sym)) ?? c.name?.text ?? "_Class",
    isModule: root !== "" && root !== "?",
    container,
    hasBase: root !== "",
  };
}

export function isStaticMember(cx: Translator, m: ts.ClassElement): boolean {
  return hasModifier(m, ts.SyntaxKind.StaticKeyword);
}

export function classDef(cx: Translator, c: ts.ClassLikeDeclaration, ctx: Ctx): Lines {
  const info = classInfo(cx, c);
  const pad = " ".repeat(ctx.indent);
  const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  const base = ext ? render(cx.passes.expr(ext.expression, ctx), 0, 0) : "";
  const out: Lines = [`${pad}class ${info.name}${base ? `(${base})` : ""}:`];
  const docs = docstring(cx, c, ctx.indent + 4);
  out.push(...docs);
  const inner: Ctx = { ...ctx, indent: ctx.indent + 4, cls: info, self: null, pre: [] };
  const members: Lines[] = [];
  // static fields: class attributes
  const statics: Lines = [];
  for (const m of c.members) {
    if (ts.isPropertyDeclaration(m) && isStaticMember(cx, m)) {
      const key = propertyNameText(cx, m.name);
      if (key === undefined || !isIdentifier(key)) {
        unsupported(cx, m.name, "This static property name");
        continue;
      }
      if (m.initializer && usesThis(cx, m.initializer)) {
        unsupported(cx, m, "'this' in a static initializer");
        continue;
      }
      const pre: Lines = [];
      const value = m.initializer ? cx.passes.expr(m.initializer, { ...inner, pre }) : atom("None");
      statics.push(...leadingComments(cx, m, true).map((l) => " ".repeat(inner.indent) + l), ...pre, ...simple(cx, m, emit(cx, inner, value, `${key} = `)));
    } else if (ts.isClassStaticBlockDeclaration(m)) unsupported(cx, m, "A static block");
    else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) unsupported(cx, m, "A getter or setter");
    else if (ts.isPropertyDeclaration(m) && m.name.kind === ts.SyntaxKind.PrivateIdentifier) unsupported(cx, m, "A #private field");
    else if (ts.isIndexSignatureDeclaration(m)) {
      /* types only */
    }
  }
  if (statics.length) members.push(statics);
  const ctor = c.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  const init = constructorDef(cx, c, info, ctor, inner);
  if (init.length) members.push(init);
  for (const m of c.members) {
    if (!ts.isMethodDeclaration(m) || !m.body) continue;
    const key = propertyNameText(cx, m.name);
    if (key === undefined) {
      unsupported(cx, m.name, "A computed method name");
      continue;
    }
    if (m.asteriskToken || hasModifier(m, ts.SyntaxKind.AsyncKeyword)) {
      unsupported(cx, m, "A generator or async method");
      continue;
    }
    const isStatic = isStaticMember(cx, m);
    const lines = functionDef(cx, m, methodName(cx, key), inner, m, isStatic ? { decorators: ["@staticmethod"] } : { self: "self" });
    members.push([...leadingComments(cx, m, true).map((l) => " ".repeat(inner.indent) + l), ...lines]);
  }
  if (!members.length && !docs.length) members.push([`${" ".repeat(inner.indent)}pass`]);
  members.forEach((m, i) => {
    if (i > 0 || docs.length) out.push("");
    out.push(...m);
  });
  return out;
}

/** Instance field initialisers and parameter properties, as TypeScript runs them after `super()`. */
export function fieldInits(cx: Translator, c: ts.ClassLikeDeclaration, ctor: ts.ConstructorDeclaration | undefined, ctx: Ctx): Lines {
  const out: Lines = [];
  if (ctor) {
    for (const p of ctor.parameters) {
      if (ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name))
        out.push(`${" ".repeat(ctx.indent)}self.${fieldName(cx, p.name.text, p)} = ${symbolName(cx, p.name)}`);
    }
  }
  for (const m of c.members) {
    if (!ts.isPropertyDeclaration(m) || isStaticMember(cx, m) || !m.initializer) continue;
    if (hasModifier(m, ts.SyntaxKind.DeclareKeyword)) continue;
    const key = propertyNameText(cx, m.name);
    if (key === undefined) continue;
    out.push(...leadingComments(cx, m, true).map((l) => " ".repeat(ctx.indent) + l));
    out.push(
      ...ctx.pre.splice(0),
      ...simple(cx, m, fieldAssignment(cx, ctx, atom("self"), fieldName(cx, key, m), cx.passes.expr(m.initializer, { ...ctx, self: "self" }), m.initializer)),
    );
  }
  return out;
}

/** A field keeps its name (it is a state_dict key); one PyTorch would shadow is an error. */
export function fieldName(cx: Translator, key: string, node: ts.Node): string {
  if (!isIdentifier(key)) unsupported(cx, node, `The field name '${key}' (not a Python identifier)`);
  return identifierChars(key);
}

/** `self.x = value`, or `self._modules["x"] = value` for a child under an nn.Module attribute's name. */
export function fieldAssignment(cx: Translator, ctx: Ctx, recv: Py, key: string, value: Py, valueNode: ts.Node): Lines {
  if (hiddenChild(cx, key, valueNode)) return emit(cx, ctx, value, `${render(recv, 0, 0)}._modules[${pyString(key)}] = `);
  return emit(cx, ctx, value, `${render(recv, 0, 0)}.${key} = `);
}

export function constructorDef(cx: Translator, c: ts.ClassLikeDeclaration, info: ClassInfo, ctor: ts.ConstructorDeclaration | undefined, ctx: Ctx): Lines {
  const fieldInitializers = c.members
    .filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !isStaticMember(cx, m) && !!m.initializer)
    .map((m) => m.initializer!);
  const pad = " ".repeat(ctx.indent);
  if (!ctor) {
    const scope = new Scope(c, ctx.scope);
    scope.names.add("self");
    const inner: Ctx = { ...ctx, scope, indent: ctx.indent + 4, self: "self", pre: [] };
    for (const e of fieldInitializers) enterScope(cx, e, ctx.scope, [], scope);
    const fields = fieldInits(cx, c, undefined, inner);
    if (!fields.length) return [];
    if (!info.hasBase) return [`${pad}def __init__(self) -> None:`, ...fields];
    if (isDirectModuleBase(cx, c)) return [`${pad}def __init__(self) -> None:`, `${pad}    super().__init__()`, ...fields];
    const rest = info.container ? "*args" : "*args, **kwargs";
    return [`${pad}def __init__(self, ${rest}) -> None:`, `${pad}    super().__init__(${rest})`, ...fields];
  }
  const superStmt = ctor.body!.statements.find(
    (s) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === ts.SyntaxKind.SuperKeyword,
  );
  if (info.hasBase && !superStmt && containsSuper(cx, ctor.body!)) unsupported(cx, ctor, "A super(...) call that is not a statement of the constructor body");
  const fieldsAfter = !info.hasBase;
  const lines = functionDef(cx, ctor, "__init__", ctx, ctor, {
    self: "self",
    returnHint: "None",
    extraFree: fieldInitializers,
    bodyPrefix: fieldsAfter ? pendingFields(cx, c, ctor, ctx) : [],
  });
  return lines;
}

export function isDirectModuleBase(cx: Translator, c: ts.ClassLikeDeclaration): boolean {
  const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext) return false;
  const e = skipOuter(cx, ext.expression);
  return ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "nn" && e.name.text === "Module";
}

export function pendingFields(cx: Translator, c: ts.ClassLikeDeclaration, ctor: ts.ConstructorDeclaration, ctx: Ctx): Lines {
  const scope = new Scope(ctor, ctx.scope);
  return fieldInits(cx, c, ctor, { ...ctx, scope, indent: ctx.indent + 4, self: "self", pre: [] });
}

export function containsSuper(cx: Translator, n: ts.Node): boolean {
  return anyNode(n, (x) => ts.isCallExpression(x) && x.expression.kind === ts.SyntaxKind.SuperKeyword);
}

/** `super(...)` → `super().__init__(...)`, then parameter properties and field initialisers. */
export function superCall(cx: Translator, e: ts.CallExpression, ctx: Ctx): Lines {
  const cls = ctx.cls;
  if (!cls) {
    unsupported(cx, e, "'super()' outside a class");
    return [];
  }
  let args: (Item | Py)[];
  const only = e.arguments.length === 1 ? skipOuter(cx, e.arguments[0]!) : undefined;
  if (cls.container === "Sequential" && only && (ts.isObjectLiteralExpression(only) || isDictType(cx, typeOf(cx, only))))
    args = [cx.passes.orderedDict(only, ctx)];
  else if (layerBase(cx, cls.node)) args = argsWithOptions(cx, e.arguments, ctx, false);
  else args = cx.passes.argItems(e.arguments, ctx);
  const out = emit(cx, ctx, asMultiline(call(atom("super().__init__"), args), multiline(cx, e.arguments)));
  const ctor = e.parent?.parent?.parent;
  if (ctor && ts.isConstructorDeclaration(ctor)) out.push(...fieldInits(cx, cls.node, ctor, ctx));
  return out;
}
