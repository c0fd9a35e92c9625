import ts = require("typescript");
import { originOf, TORCH_MODULE_ATTRIBUTES, type Origin } from "../api";
import { atom, call, isIdentifier, name, safeName, snake, type Py } from "../py";
import { Ctx, FUNCTION_LIKE, Scope, Translator, unsupported } from "./context";

/** Scopes and naming: symbols, the Python scopes of functions, fresh and safe names. */

// ---- symbols and names ----------------------------------------------------------------------

/** The value symbol an identifier refers to, with imports resolved to what they import. */
export function valueSymbol(cx: Translator, id: ts.Node): ts.Symbol | undefined {
  let sym: ts.Symbol | undefined;
  if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) sym = cx.checker.getShorthandAssignmentValueSymbol(id.parent);
  else sym = cx.checker.getSymbolAtLocation(id);
  if (sym && sym.flags & ts.SymbolFlags.Alias) {
    try {
      sym = cx.checker.getAliasedSymbol(sym);
    } catch {
      return sym;
    }
  }
  return sym;
}

/** The declaration of a symbol that binds it (the variable, parameter, function or class). */
export function declOf(cx: Translator, sym: ts.Symbol): ts.Declaration | undefined {
  return sym.valueDeclaration ?? sym.declarations?.[0];
}

/** The function-like node whose Python scope binds the symbol (null: the module). */
export function bindingScopeNode(cx: Translator, sym: ts.Symbol): ts.Node | null | undefined {
  const d = declOf(cx, sym);
  if (!d) return undefined;
  if (ts.isParameter(d)) return d.parent;
  for (let n: ts.Node | undefined = d.parent; n; n = n.parent) {
    if (FUNCTION_LIKE(n)) return n;
    if (ts.isSourceFile(n)) return null;
  }
  return undefined;
}

export function isUserSymbol(cx: Translator, sym: ts.Symbol): boolean {
  const d = declOf(cx, sym);
  return !!d && originOf(d, cx.prog.typings).where === "user";
}

/** Assigns a module-level name (classes keep theirs, everything else goes snake_case). */
export function nameModuleSymbol(cx: Translator, sym: ts.Symbol, preferred: string, keep = false): string {
  const existing = cx.symbolNames.get(sym);
  if (existing) return existing;
  let cand = keep ? preferred : safeName(snake(preferred));
  if (keep && !isIdentifier(cand)) cand = safeName(cand);
  if (cx.moduleScope.names.has(cand) && !keep) cand = safeName(preferred);
  cand = reserveModuleName(cx, cand);
  cx.symbolNames.set(sym, cand);
  return cand;
}

export function reserveModuleName(cx: Translator, n: string): string {
  return fresh(cx, cx.moduleScope, n);
}

/** Symbols bound directly in a function-like node (parameters, locals, nested declarations). */
export function localsOf(cx: Translator, fn: ts.Node): ts.Symbol[] {
  const out: ts.Symbol[] = [];
  const seen = new Set<ts.Symbol>();
  const add = (n: ts.Node) => {
    const s = cx.checker.getSymbolAtLocation(n);
    if (s && !seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  };
  const bind = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) add(n);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  const visit = (n: ts.Node): void => {
    if (n !== fn && FUNCTION_LIKE(n)) {
      if (ts.isFunctionDeclaration(n) && n.name) add(n.name);
      return;
    }
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
      if (ts.isClassDeclaration(n) && n.name) add(n.name);
      return;
    }
    if (ts.isParameter(n) && n.parent === fn) bind(n.name);
    else if (ts.isVariableDeclaration(n)) bind(n.name);
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return;
    ts.forEachChild(n, visit);
  };
  if (FUNCTION_LIKE(fn)) {
    for (const p of fn.parameters) visit(p);
    const body = (fn as { body?: ts.Node }).body;
    if (body) visit(body);
  } else visit(fn);
  return out;
}

export function isValueReference(cx: Translator, id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isQualifiedName(p) && p.right === id)) return false;
  if (
    (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isGetAccessorDeclaration(p)) &&
    p.name === id
  )
    return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  return true;
}

/** Opens the Python scope of a function-like node: free names are reserved, locals named. */
export function enterScope(cx: Translator, fn: ts.Node, parent: Scope, extra: readonly ts.Node[] = [], inlineInto?: Scope): Scope {
  const scope = inlineInto ?? new Scope(fn, parent);
  const visit = (n: ts.Node): void => {
    if ((ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isIdentifier(n) && isValueReference(cx, n)) {
      const sym = valueSymbol(cx, n);
      if (sym && !within(cx, declOf(cx, sym), fn)) {
        const py = cx.symbolNames.get(sym);
        if (py) scope.names.add(py);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  extra.forEach(visit);
  for (const sym of localsOf(cx, fn)) {
    if (cx.symbolNames.has(sym)) continue;
    const block = declaringBlock(cx, sym, fn);
    const free = (n: string): boolean => {
      if (!scope.names.has(n)) return true;
      // block-scoped variables of disjoint blocks (two loops' `i`) may share a Python name
      const users = scope.blockUsers.get(n);
      return !!users && !!block && users.every((b) => !within(cx, b, block) && !within(cx, block, b));
    };
    let cand = safeName(snake(sym.name));
    if (!free(cand)) cand = safeName(sym.name);
    const root = cand;
    for (let k = 2; !free(cand); k++) cand = `${root}_${k}`;
    if (!scope.names.has(cand) || scope.blockUsers.has(cand)) {
      const users = scope.blockUsers.get(cand) ?? [];
      if (block) scope.blockUsers.set(cand, [...users, block]);
      else scope.blockUsers.delete(cand);
    }
    if (!block) scope.blockUsers.delete(cand);
    scope.names.add(cand);
    cx.symbolNames.set(sym, cand);
  }
  return scope;
}

/** The block a `let`/`const` is scoped to (undefined for parameters, `var`, functions and classes). */
export function declaringBlock(cx: Translator, sym: ts.Symbol, fn: ts.Node): ts.Node | undefined {
  const d = declOf(cx, sym);
  if (!d) return undefined;
  let decl: ts.Node = d;
  if (ts.isBindingElement(decl)) {
    while (ts.isBindingElement(decl) || ts.isObjectBindingPattern(decl) || ts.isArrayBindingPattern(decl)) decl = decl.parent;
  }
  if (!ts.isVariableDeclaration(decl) || !ts.isVariableDeclarationList(decl.parent)) return undefined;
  if (!(decl.parent.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) return undefined;
  const holder = decl.parent.parent;
  if (ts.isForStatement(holder) || ts.isForOfStatement(holder) || ts.isForInStatement(holder)) return holder;
  const block = holder.parent;
  if (!block || block === fn || (FUNCTION_LIKE(fn) && block === (fn as { body?: ts.Node }).body) || ts.isSourceFile(block)) return undefined;
  return ts.isBlock(block) || ts.isCaseClause(block) || ts.isDefaultClause(block) ? block : undefined;
}

export function within(cx: Translator, node: ts.Node | undefined, ancestor: ts.Node): boolean {
  for (let n = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** A fresh name in a scope (for hoisted helpers and temporaries). */
export function fresh(cx: Translator, scope: Scope, base: string): string {
  let cand = base;
  for (let k = 2; scope.names.has(cand) || cx.moduleScope.names.has(cand); k++) cand = `${base}_${k}`;
  scope.names.add(cand);
  return cand;
}

/** A user method's Python name: snake_case, moved aside when it would shadow an nn.Module attribute. */
export function methodName(cx: Translator, n: string): string {
  if (n === "forward" || n === "constructor") return n;
  let s = safeName(snake(n));
  while (TORCH_MODULE_ATTRIBUTES.has(s)) s = `${s}_`;
  return s;
}

/** The Python name of the symbol an identifier refers to. */
export function symbolName(cx: Translator, id: ts.Identifier): string {
  const sym = cx.checker.getSymbolAtLocation(id);
  return (sym && cx.symbolNames.get(sym)) ?? safeName(snake(id.text));
}

// ---- names in the source: property keys, members, callees, patterns, identifiers -----------

/** The text of a property name that is not computed, else undefined. */
export function propertyNameText(cx: Translator, n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

/** A member's Python name: the API's in snake_case, user methods through methodName(). */
export function memberName(cx: Translator, prop: ts.Symbol | undefined, key: string): string {
  const d = prop && declOf(cx, prop);
  if (d) {
    const o = originOf(d, cx.prog.typings);
    if (o.where === "api") return snake(key);
    if (ts.isMethodDeclaration(d)) return methodName(cx, key);
  }
  return key;
}

/** The declaration a call resolves to, and where it comes from (the API, the library, user code). */
export function calleeOrigin(cx: Translator, e: ts.CallExpression | ts.NewExpression): (Origin & { decl: ts.SignatureDeclaration }) | undefined {
  let sig: ts.Signature | undefined;
  try {
    sig = cx.checker.getResolvedSignature(e);
  } catch {
    return undefined;
  }
  const decl = sig?.getDeclaration();
  if (!decl) return undefined;
  return { ...originOf(decl, cx.prog.typings), decl };
}

/** The Python assignment target of an array pattern (`a, *rest`), or undefined (reported) when it has none. */
export function arrayTarget(cx: Translator, p: ts.ArrayBindingPattern): string | undefined {
  const parts: string[] = [];
  for (const el of p.elements) {
    if (ts.isOmittedExpression(el)) parts.push("_");
    else if (el.initializer) {
      unsupported(cx, el, "A default value in an array pattern");
      return undefined;
    } else if (ts.isIdentifier(el.name)) parts.push(`${el.dotDotDotToken ? "*" : ""}${symbolName(cx, el.name)}`);
    else if (ts.isArrayBindingPattern(el.name)) {
      const inner = arrayTarget(cx, el.name);
      if (inner === undefined) return undefined;
      parts.push(`(${inner})`);
    } else {
      unsupported(cx, el, "An object pattern inside an array pattern");
      return undefined;
    }
  }
  return parts.length === 1 ? `${parts[0]},` : parts.join(", ");
}

/** An identifier as a Python value: model constants call their builders, `nn`/`torch`/`F` stay. */
export function identifier(cx: Translator, id: ts.Identifier, _ctx: Ctx): Py {
  switch (id.text) {
    case "undefined":
      return atom("None");
    case "NaN":
      cx.usage.math = true;
      return atom("math.nan");
    case "Infinity":
      cx.usage.math = true;
      return atom("math.inf");
  }
  const sym = valueSymbol(cx, id);
  const d = sym && declOf(cx, sym);
  if (d) {
    const model = cx.models.get(d);
    if (model) return call(name(model.builder), []);
    const o = originOf(d, cx.prog.typings);
    if (o.where === "api") {
      if (id.text === "nn" || id.text === "torch") return name(id.text);
      if (id.text === "F") {
        cx.usage.F = true;
        return name("F");
      }
    }
  }
  if (sym) {
    const py = cx.symbolNames.get(sym);
    if (py) return name(py);
    if (sym.flags & ts.SymbolFlags.ValueModule) return unsupported(cx, id, `The namespace import '${id.text}' used as a value`);
  }
  if (!sym || !isUserSymbol(cx, sym)) {
    if (["nn", "torch"].includes(id.text)) return name(id.text);
    if (id.text === "F") {
      cx.usage.F = true;
      return name("F");
    }
    cx.reporter.report("error", id, `'${id.text}' is not defined (or not part of the model language)`, "export-undefined");
    return atom("...");
  }
  return name(safeName(snake(id.text)));
}
