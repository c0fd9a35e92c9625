import ts = require("typescript");
import { P, atom, attr, binary, call, ifElse, isIdentifier, list, logical, name, pyString, render, subscript, tuple, unary, type Py } from "../py";
import { Ctx, FUNCTION_LIKE, Lines, MUTATING_METHODS, Scope, Translator, anyNode, isAssignment, isSimple, skipOuter, unsupported } from "./context";
import { blankBefore, emit, leadingComments, simple, sub } from "./layout";
import {
  arrayTarget,
  bindingScopeNode,
  calleeOrigin,
  enterScope,
  fresh,
  isValueReference,
  memberName,
  propertyNameText,
  symbolName,
  valueSymbol,
} from "./names";
import { collectionKind, mapSetStatement } from "./jsCollections";
import { maybeFloat } from "./numbers";
import { hiddenChild, isDictType, isModuleType, isStringType, typeOf } from "./types";

/** Statements: blocks, control flow, loops, assignments and destructuring. */

// ---- statements -----------------------------------------------------------------------------

/** Statements of a block; `pass` when there are none. */
export function block(cx: Translator, stmts: readonly ts.Statement[], ctx: Ctx): Lines {
  const out: Lines = [];
  // function declarations are hoisted (JavaScript semantics)
  const ordered = [...stmts.filter(ts.isFunctionDeclaration), ...stmts.filter((s) => !ts.isFunctionDeclaration(s))];
  let prevDef = false;
  for (const s of ordered) {
    const pre: Lines = [];
    const lines = stmt(cx, s, { ...ctx, pre });
    if (!lines.length && !pre.length) continue;
    const comments = leadingComments(cx, s).map((c) => " ".repeat(ctx.indent) + c);
    const isDef = lines.some((l) => /^\s*(def|class) /.test(l) && l.search(/\S/) === ctx.indent);
    if (out.length && (isDef || prevDef || blankBefore(cx, s))) out.push("");
    out.push(...comments, ...pre, ...lines);
    prevDef = isDef;
  }
  if (!out.some((l) => l.trim() && !l.trim().startsWith("#"))) out.push(" ".repeat(ctx.indent) + "pass");
  return out;
}

export function stmt(cx: Translator, s: ts.Statement, ctx: Ctx): Lines {
  const K = ts.SyntaxKind;
  switch (s.kind) {
    case K.VariableStatement:
      return simple(cx, s, variableList(cx, (s as ts.VariableStatement).declarationList, ctx));
    case K.ExpressionStatement:
      return simple(cx, s, exprStatement(cx, (s as ts.ExpressionStatement).expression, ctx));
    case K.Block:
      return block(cx, (s as ts.Block).statements, ctx).filter((l) => l.trim() !== "pass" || (s as ts.Block).statements.length === 0);
    case K.IfStatement:
      return ifStatement(cx, s as ts.IfStatement, ctx, "if");
    case K.ReturnStatement: {
      const r = s as ts.ReturnStatement;
      if (ctx.forEach)
        return r.expression ? [...exprStatement(cx, r.expression, ctx), `${" ".repeat(ctx.indent)}continue`] : [`${" ".repeat(ctx.indent)}continue`];
      if (r.expression && returnsObjectFromForward(cx, r)) cx.usage.dictOutput = true;
      return simple(cx, s, r.expression ? emit(cx, ctx, cx.passes.expr(r.expression, ctx), "return ") : [`${" ".repeat(ctx.indent)}return`]);
    }
    case K.ForStatement:
      return forStatement(cx, s as ts.ForStatement, ctx);
    case K.ForOfStatement:
      return forOf(cx, s as ts.ForOfStatement, ctx);
    case K.ForInStatement: {
      const f = s as ts.ForInStatement;
      const over = typeOf(cx, f.expression);
      if (!isDictType(cx, over) && !(isModuleType(cx, over) && cx.checker.getPropertyOfType(over, "items"))) {
        unsupported(cx, f, "for…in over something other than an object's keys (use for…of)");
        return [];
      }
      const target = loopTarget(cx, f.initializer, ctx);
      const head = emit(cx, ctx, cx.passes.expr(f.expression, ctx), `for ${target.head} in `, ":");
      return [...head, ...target.body.map((l) => " ".repeat(ctx.indent + 4) + l), ...block(cx, bodyOf(cx, f.statement), sub(cx, ctx, { update: null }))];
    }
    case K.WhileStatement: {
      const w = s as ts.WhileStatement;
      const pre: Lines = [];
      const cond = condExpr(cx, w.expression, { ...ctx, pre });
      if (pre.length) unsupported(cx, w.expression, "A loop condition that needs a helper function");
      return [...emit(cx, ctx, cond, "while ", ":"), ...block(cx, bodyOf(cx, w.statement), sub(cx, ctx, { update: null }))];
    }
    case K.DoStatement: {
      const d = s as ts.DoStatement;
      if (hasContinue(cx, d.statement)) {
        unsupported(cx, d, "'continue' inside do…while");
        return [];
      }
      const body = block(cx, bodyOf(cx, d.statement), sub(cx, ctx, { update: null }));
      const inner = sub(cx, ctx);
      return [
        `${" ".repeat(ctx.indent)}while True:`,
        ...body,
        ...emit(cx, inner, unary("not", condExpr(cx, d.expression, inner)), "if ", ":"),
        `${" ".repeat(inner.indent + 4)}break`,
      ];
    }
    case K.BreakStatement:
    case K.ContinueStatement: {
      const b = s as ts.BreakStatement | ts.ContinueStatement;
      if (b.label) {
        unsupported(cx, b, "A labelled break or continue");
        return [];
      }
      const word = s.kind === K.BreakStatement ? "break" : "continue";
      const pad = " ".repeat(ctx.indent);
      if (word === "continue" && ctx.update) return [...ctx.update.map((l) => pad + l), `${pad}continue`];
      return [`${pad}${word}`];
    }
    case K.ThrowStatement:
      return simple(cx, s, throwStatement(cx, s as ts.ThrowStatement, ctx));
    case K.SwitchStatement:
      return switchStatement(cx, s as ts.SwitchStatement, ctx);
    case K.FunctionDeclaration: {
      const f = s as ts.FunctionDeclaration;
      if (!f.body) return [];
      return cx.passes.functionDef(f, f.name ? symbolName(cx, f.name) : fresh(cx, ctx.scope, "_fn"), ctx);
    }
    case K.ClassDeclaration:
      return cx.passes.classDef(s as ts.ClassDeclaration, ctx);
    case K.EmptyStatement:
    case K.TypeAliasDeclaration:
    case K.InterfaceDeclaration:
    case K.ImportDeclaration:
    case K.ExportDeclaration:
      return [];
    default: {
      const names: Partial<Record<ts.SyntaxKind, string>> = {
        [K.TryStatement]: "try/catch",
        [K.LabeledStatement]: "A labelled statement",
        [K.WithStatement]: "'with'",
        [K.EnumDeclaration]: "An enum",
        [K.ModuleDeclaration]: "A namespace",
        [K.DebuggerStatement]: "'debugger'",
      };
      unsupported(cx, s, names[s.kind] ?? `A '${K[s.kind]}' statement`);
      return [];
    }
  }
}

export function bodyOf(cx: Translator, s: ts.Statement): readonly ts.Statement[] {
  return ts.isBlock(s) ? s.statements : [s];
}

export function hasContinue(cx: Translator, n: ts.Node): boolean {
  return !!ts.forEachChild(n, (c) => anyNode(c, ts.isContinueStatement, (x) => FUNCTION_LIKE(x) || ts.isIterationStatement(x, false)));
}

/**
 * A condition. JavaScript's truthiness is Python's for numbers, strings, booleans and null, but
 * an object (a tensor, a module, an array) is always true in JavaScript: it becomes `is not None`
 * (a tensor has no truth value in PyTorch, an empty list is false in Python).
 */
export function condExpr(cx: Translator, node: ts.Expression, ctx: Ctx): Py {
  const n = skipOuter(cx, node);
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = skipOuter(cx, n.operand);
    if (isObjectValue(cx, inner)) return binary(cx.passes.expr(inner, ctx), "is", atom("None"), P.compare);
    return unary("not", condExpr(cx, inner, ctx));
  }
  if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return logical(condExpr(cx, n.left, ctx), n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? "and" : "or", condExpr(cx, n.right, ctx));
  }
  const py = cx.passes.expr(n, ctx);
  return isObjectValue(cx, n) ? binary(py, "is not", atom("None"), P.compare) : py;
}

/** Is the value an object (always true in JavaScript) or null/undefined, never a primitive? */
export function isObjectValue(cx: Translator, e: ts.Expression): boolean {
  const t = cx.checker.getTypeAtLocation(e);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  const parts = t.isUnion() ? t.types : [t];
  const objects = parts.filter((x) => !(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
  return objects.length > 0 && objects.every((x) => !!(x.flags & ts.TypeFlags.Object) || !!(x.flags & ts.TypeFlags.NonPrimitive));
}

export function ifStatement(cx: Translator, s: ts.IfStatement, ctx: Ctx, word: "if" | "elif"): Lines {
  const out = [...emit(cx, ctx, condExpr(cx, s.expression, ctx), `${word} `, ":"), ...block(cx, bodyOf(cx, s.thenStatement), sub(cx, ctx))];
  const e = s.elseStatement;
  if (!e) return out;
  if (ts.isIfStatement(e)) {
    const pre: Lines = [];
    const lines = ifStatement(cx, e, { ...ctx, pre }, "elif");
    if (pre.length) {
      // the elif condition needs helpers: nest it in else
      return [...out, `${" ".repeat(ctx.indent)}else:`, ...pre.map((l) => "    " + l), ...ifStatement(cx, e, sub(cx, ctx), "if")];
    }
    return [...out, ...lines];
  }
  return [...out, `${" ".repeat(ctx.indent)}else:`, ...block(cx, bodyOf(cx, e), sub(cx, ctx))];
}

export function throwStatement(cx: Translator, s: ts.ThrowStatement, ctx: Ctx): Lines {
  const e = s.expression;
  let cls = "ValueError";
  let args: readonly ts.Expression[] | undefined;
  if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && ts.isIdentifier(e.expression) && /^(Error|TypeError|RangeError)$/.test(e.expression.text)) {
    cls = e.expression.text === "TypeError" ? "TypeError" : "ValueError";
    args = e.arguments ?? [];
  }
  const msg = args ? args.map((a) => cx.passes.expr(a, ctx)) : [cx.passes.expr(e, ctx)];
  return emit(cx, ctx, call(name(cls), msg), "raise ");
}

export function switchStatement(cx: Translator, s: ts.SwitchStatement, ctx: Ctx): Lines {
  const out: Lines = [];
  let disc = cx.passes.expr(s.expression, ctx);
  if (!isSimple(cx, s.expression)) {
    const t = fresh(cx, ctx.scope, "_value");
    out.push(...emit(cx, ctx, disc, `${t} = `));
    disc = name(t);
  }
  const clauses = s.caseBlock.clauses;
  let pending: ts.Expression[] = [];
  let first = true;
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i]!;
    if (ts.isCaseClause(c)) pending.push(c.expression);
    if (c.statements.length === 0 && i < clauses.length - 1) continue;
    let stmts = [...c.statements];
    if (stmts.length === 1 && ts.isBlock(stmts[0]!)) stmts = [...stmts[0].statements];
    const lastStmt = stmts[stmts.length - 1];
    if (lastStmt && ts.isBreakStatement(lastStmt) && !lastStmt.label) stmts.pop();
    else if (i < clauses.length - 1 && !(lastStmt && (ts.isReturnStatement(lastStmt) || ts.isThrowStatement(lastStmt) || ts.isContinueStatement(lastStmt)))) {
      unsupported(cx, c, "A switch case that falls through into the next");
      return out;
    }
    if (stmts.some((x) => containsBreak(cx, x))) {
      unsupported(cx, c, "'break' in the middle of a switch case");
      return out;
    }
    const isDefault = ts.isDefaultClause(c);
    if (isDefault && pending.length === 0) {
      if (first) out.push(...block(cx, stmts, ctx));
      else out.push(`${" ".repeat(ctx.indent)}else:`, ...block(cx, stmts, sub(cx, ctx)));
    } else {
      if (isDefault) {
        unsupported(cx, c, "A default clause shared with cases");
        return out;
      }
      const values = pending.map((v) => cx.passes.expr(v, ctx));
      const test = values.length === 1 ? binary(disc, "==", values[0]!, P.compare) : binary(disc, "in", tuple(values), P.compare);
      out.push(...emit(cx, ctx, test, first ? "if " : "elif ", ":"), ...block(cx, stmts, sub(cx, ctx)));
    }
    first = false;
    pending = [];
  }
  return out;
}

export function containsBreak(cx: Translator, n: ts.Node): boolean {
  return anyNode(
    n,
    (x) => ts.isBreakStatement(x) && !x.label,
    (x) => FUNCTION_LIKE(x) || ts.isIterationStatement(x, false) || ts.isSwitchStatement(x),
  );
}

/** One top-level variable declaration (a statement of its own in Python). */
export function topVariable(cx: Translator, d: ts.VariableDeclaration, ctx: Ctx): Lines {
  const lines = variableList(cx, { declarations: [d] }, ctx);
  const list = d.parent;
  if (!ts.isVariableDeclarationList(list)) return lines;
  return list.declarations[list.declarations.length - 1] === d ? simple(cx, list.parent, lines) : lines;
}

export function emitReturn(cx: Translator, value: Py, ctx: Ctx): Lines {
  return emit(cx, ctx, value, "return ");
}

export function variableList(cx: Translator, list: { readonly declarations: readonly ts.VariableDeclaration[] }, ctx: Ctx): Lines {
  const out: Lines = [];
  for (const d of list.declarations) {
    if (ts.isIdentifier(d.name)) {
      const n = symbolName(cx, d.name);
      const init = d.initializer && skipOuter(cx, d.initializer);
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
        out.push(...cx.passes.functionDef(init, n, ctx, d));
        continue;
      }
      const value = d.initializer ? cx.passes.expr(d.initializer, ctx) : atom("None");
      out.push(...emit(cx, ctx, value, `${n} = `));
    } else out.push(...destructure(cx, d.name, d.initializer, ctx));
  }
  return out;
}

/** `const [a, b] = …` and `const { a, b: c = 1 } = …`. */
export function destructure(cx: Translator, pattern: ts.BindingName, init: ts.Expression | undefined, ctx: Ctx): Lines {
  if (!init) {
    unsupported(cx, pattern, "A destructuring declaration without a value");
    return [];
  }
  if (ts.isArrayBindingPattern(pattern)) {
    const target = arrayTarget(cx, pattern);
    if (target === undefined) return [];
    return emit(cx, ctx, cx.passes.expr(init, ctx), `${padToTuple(cx, pattern, init, target)} = `);
  }
  if (ts.isObjectBindingPattern(pattern)) {
    const out: Lines = [];
    let source: Py = cx.passes.expr(init, ctx);
    if (!isSimple(cx, init)) {
      const t = fresh(cx, ctx.scope, "_value");
      out.push(...emit(cx, ctx, source, `${t} = `));
      source = name(t);
    }
    out.push(...objectPattern(cx, pattern, source, typeOf(cx, init), ctx));
    return out;
  }
  unsupported(cx, pattern, "This destructuring");
  return [];
}

/**
 * A pattern shorter than the fixed tuple it takes apart (`const [y] = attn(q, k, v)`, a pair) takes
 * a prefix in JavaScript; Python unpacks exactly, so the rest goes to `_` (`y, _ = ...`).
 */
function padToTuple(cx: Translator, pattern: ts.ArrayBindingPattern, init: ts.Expression, target: string): string {
  const t = typeOf(cx, init);
  const n = pattern.elements.length;
  if (!cx.checker.isTupleType(t) || pattern.elements.some((el) => ts.isBindingElement(el) && el.dotDotDotToken)) return target;
  const length = (t as ts.TupleTypeReference).target.fixedLength;
  if (length <= n) return target;
  const head = target.endsWith(",") ? target.slice(0, -1) : target;
  return [head, ...Array.from({ length: length - n }, () => "_")].join(", ");
}

export function objectPattern(cx: Translator, p: ts.ObjectBindingPattern, source: Py, type: ts.Type, ctx: Ctx): Lines {
  const out: Lines = [];
  const taken: string[] = [];
  for (const el of p.elements) {
    if (el.dotDotDotToken) {
      if (!ts.isIdentifier(el.name)) {
        unsupported(cx, el, "This rest pattern");
        return out;
      }
      const keys = tuple(taken.map((k) => atom(pyString(k))));
      out.push(...emit(cx, ctx, atom(`{k: v for k, v in ${render(source, 0, 0)}.items() if k not in ${render(keys, 0, 0)}}`), `${symbolName(cx, el.name)} = `));
      continue;
    }
    const key = el.propertyName ? propertyNameText(cx, el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
    if (key === undefined) {
      unsupported(cx, el, "This property pattern");
      return out;
    }
    taken.push(key);
    const prop = cx.checker.getPropertyOfType(type, key);
    const isDict = isDictType(cx, type);
    let value: Py;
    if (isDict) {
      const optional = !!(prop && prop.flags & ts.SymbolFlags.Optional);
      value = el.initializer
        ? call(attr(source, "get"), [atom(pyString(key)), cx.passes.expr(el.initializer, ctx)])
        : optional
          ? call(attr(source, "get"), [atom(pyString(key))])
          : subscript(source, atom(pyString(key)));
    } else {
      value = attr(source, memberName(cx, prop, key));
      if (el.initializer) value = ifElse(binary(value, "is not", atom("None"), P.compare), value, cx.passes.expr(el.initializer, ctx));
    }
    if (ts.isIdentifier(el.name)) out.push(...emit(cx, ctx, value, `${symbolName(cx, el.name)} = `));
    else if (ts.isArrayBindingPattern(el.name)) {
      const t = arrayTarget(cx, el.name);
      if (t !== undefined) out.push(...emit(cx, ctx, value, `${t} = `));
    } else {
      const tmp = fresh(cx, ctx.scope, "_value");
      out.push(...emit(cx, ctx, value, `${tmp} = `));
      out.push(...objectPattern(cx, el.name, name(tmp), prop ? cx.checker.getTypeOfSymbol(prop) : type, ctx));
    }
  }
  return out;
}

/** Marks identifiers assigned outside their own Python scope as nonlocal / global. */
export function noteAssignment(cx: Translator, target: ts.Expression, ctx: Ctx): void {
  const t = skipOuter(cx, target);
  if (ts.isIdentifier(t)) {
    const sym = valueSymbol(cx, t);
    if (!sym) return;
    const home = bindingScopeNode(cx, sym);
    const py = cx.symbolNames.get(sym);
    if (!py || home === undefined) return;
    if (home === null) {
      if (ctx.scope.node !== null) ctx.scope.globals.add(py);
    } else if (home !== ctx.scope.node && !isInlinedInto(cx, home, ctx.scope)) ctx.scope.nonlocals.add(py);
  } else if (ts.isArrayLiteralExpression(t)) {
    for (const el of t.elements) noteAssignment(cx, ts.isSpreadElement(el) ? el.expression : el, ctx);
  }
}

export function isInlinedInto(cx: Translator, home: ts.Node, scope: Scope): boolean {
  // forEach callbacks are inlined into the enclosing function's scope
  for (let n: ts.Node | undefined = home; n; n = n.parent) {
    if (n === scope.node) return true;
    if (FUNCTION_LIKE(n) && !cx.inlined.has(n)) return false;
  }
  return false;
}

export function exprStatement(cx: Translator, e0: ts.Expression, ctx: Ctx): Lines {
  const e = skipOuter(cx, e0);
  const K = ts.SyntaxKind;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === K.EqualsToken) {
      // chained `a = b = c`
      const targets: ts.Expression[] = [e.left];
      let value: ts.Expression = e.right;
      while (ts.isBinaryExpression(skipOuter(cx, value)) && (skipOuter(cx, value) as ts.BinaryExpression).operatorToken.kind === K.EqualsToken) {
        const b = skipOuter(cx, value) as ts.BinaryExpression;
        targets.push(b.left);
        value = b.right;
      }
      targets.forEach((t) => noteAssignment(cx, t, ctx));
      const only = targets.length === 1 ? skipOuter(cx, targets[0]!) : undefined;
      if (only && ts.isPropertyAccessExpression(only) && isModuleType(cx, typeOf(cx, only.expression)) && hiddenChild(cx, only.name.text, value)) {
        return cx.passes.fieldAssignment(ctx, cx.passes.expr(only.expression, ctx), only.name.text, cx.passes.expr(value, ctx), value);
      }
      const named = only && moduleKeyAccess(cx, only);
      if (named) return emit(cx, ctx, call(name("setattr"), [cx.passes.expr(named.expression, ctx), atom(pyString(named.key)), cx.passes.expr(value, ctx)]));
      const lhs = targets.map((t) => targetText(cx, t, ctx)).join(" = ");
      return emit(cx, ctx, cx.passes.expr(value, ctx), `${lhs} = `);
    }
    const compound: Partial<Record<ts.SyntaxKind, string>> = {
      [K.PlusEqualsToken]: "+=",
      [K.MinusEqualsToken]: "-=",
      [K.AsteriskEqualsToken]: "*=",
      [K.SlashEqualsToken]: "/=",
      [K.PercentEqualsToken]: "%=",
      [K.AsteriskAsteriskEqualsToken]: "**=",
      [K.AmpersandEqualsToken]: "&=",
      [K.BarEqualsToken]: "|=",
      [K.CaretEqualsToken]: "^=",
      [K.LessThanLessThanEqualsToken]: "<<=",
      [K.GreaterThanGreaterThanEqualsToken]: ">>=",
    };
    const cop = compound[op];
    if (cop) {
      noteAssignment(cx, e.left, ctx);
      let right = cx.passes.expr(e.right, ctx);
      if (op === K.PlusEqualsToken && isStringType(cx, typeOf(cx, e.left)) && !isStringType(cx, typeOf(cx, e.right))) right = call(name("str"), [right]);
      return emit(cx, ctx, right, `${targetText(cx, e.left, ctx)} ${cop} `);
    }
    if (op === K.QuestionQuestionEqualsToken || op === K.BarBarEqualsToken || op === K.AmpersandAmpersandEqualsToken) {
      noteAssignment(cx, e.left, ctx);
      const t = targetText(cx, e.left, ctx);
      const test = op === K.QuestionQuestionEqualsToken ? `${t} is None` : op === K.BarBarEqualsToken ? `not ${t}` : t;
      return [`${" ".repeat(ctx.indent)}if ${test}:`, ...emit(cx, sub(cx, ctx), cx.passes.expr(e.right, ctx), `${t} = `)];
    }
    if (op === K.CommaToken) return [...exprStatement(cx, e.left, ctx), ...exprStatement(cx, e.right, ctx)];
  }
  if ((ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) && (e.operator === K.PlusPlusToken || e.operator === K.MinusMinusToken)) {
    noteAssignment(cx, e.operand, ctx);
    return [`${" ".repeat(ctx.indent)}${targetText(cx, e.operand, ctx)} ${e.operator === K.PlusPlusToken ? "+=" : "-="} 1`];
  }
  if (ts.isCallExpression(e)) {
    const special = statementCall(cx, e, ctx);
    if (special) return special;
  }
  if (ts.isVoidExpression(e)) return exprStatement(cx, e.expression, ctx);
  if (ts.isDeleteExpression(e)) {
    // `delete d[k]` → `d.pop(k, None)` (a missing key is no error, as in JavaScript)
    const t = skipOuter(cx, e.expression);
    if (ts.isElementAccessExpression(t) && !isModuleType(cx, typeOf(cx, t.expression)))
      return emit(cx, ctx, call(attr(cx.passes.expr(t.expression, ctx), "pop"), [cx.passes.expr(t.argumentExpression, ctx), atom("None")]));
    if (ts.isPropertyAccessExpression(t) && !isModuleType(cx, typeOf(cx, t.expression)))
      return emit(cx, ctx, call(attr(cx.passes.expr(t.expression, ctx), "pop"), [atom(pyString(t.name.text)), atom("None")]));
    // a child of a module or a ModuleDict: PyTorch's `del` unregisters it
    if (ts.isElementAccessExpression(t) || ts.isPropertyAccessExpression(t)) return [`${" ".repeat(ctx.indent)}del ${targetText(cx, t, ctx)}`];
    unsupported(cx, e, "'delete' of this target");
    return [];
  }
  return emit(cx, ctx, cx.passes.expr(e, ctx));
}

export function targetText(cx: Translator, t: ts.Expression, ctx: Ctx): string {
  const inner = skipOuter(cx, t);
  if (ts.isArrayLiteralExpression(inner)) {
    return inner.elements
      .map((el) => (ts.isOmittedExpression(el) ? "_" : ts.isSpreadElement(el) ? `*${targetText(cx, el.expression, ctx)}` : targetText(cx, el, ctx)))
      .join(", ");
  }
  if (moduleKeyAccess(cx, inner)) return render(unsupported(cx, t, "This assignment target (an attribute name that is not a Python identifier)"), 0, 0);
  if (!(ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner))) {
    unsupported(cx, t, "This assignment target");
  }
  return render(cx.passes.expr(inner, ctx), 0, 0);
}

/** `module["not-an-identifier"]`: an attribute that only getattr/setattr reach. */
export function moduleKeyAccess(cx: Translator, e: ts.Expression): { expression: ts.Expression; key: string } | undefined {
  if (!ts.isElementAccessExpression(e)) return undefined;
  const arg = skipOuter(cx, e.argumentExpression);
  if (!(ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) || isIdentifier(arg.text)) return undefined;
  const recvType = typeOf(cx, e.expression);
  return isModuleType(cx, recvType) && !cx.checker.getPropertyOfType(recvType, "items") ? { expression: e.expression, key: arg.text } : undefined;
}

/** Calls that are statements in Python: `push`, `forEach`, `super(...)`, `reverse`. */
export function statementCall(cx: Translator, e: ts.CallExpression, ctx: Ctx): Lines | undefined {
  if (e.expression.kind === ts.SyntaxKind.SuperKeyword) return cx.passes.superCall(e, ctx);
  const callee = e.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const o = calleeOrigin(cx, e);
  const method = callee.name.text;
  const mapSet = o && o.where === "lib" ? mapSetStatement(cx, e, ctx) : undefined;
  if (mapSet) return emit(cx, ctx, mapSet.value, `${render(mapSet.target, 0, 0)} = `);
  if (o && o.where === "lib" && (o.owner === "Array" || o.owner === "ReadonlyArray")) {
    const recv = cx.passes.expr(callee.expression, ctx);
    if (method === "push") {
      if (e.arguments.length === 1 && !ts.isSpreadElement(e.arguments[0]!))
        return emit(cx, ctx, call(attr(recv, "append"), [cx.passes.expr(e.arguments[0]!, ctx)]));
      if (e.arguments.length === 1 && ts.isSpreadElement(e.arguments[0]!))
        return emit(cx, ctx, call(attr(recv, "extend"), [cx.passes.expr(e.arguments[0].expression, ctx)]));
      return emit(cx, ctx, call(attr(recv, "extend"), [list(cx.passes.argItems(e.arguments, ctx))]));
    }
    if (method === "reverse" && e.arguments.length === 0) return emit(cx, ctx, call(attr(recv, "reverse"), []));
    if (method === "forEach") return forEachLoop(cx, e, recv, ctx);
  }
  return undefined;
}

export function forEachLoop(cx: Translator, e: ts.CallExpression, recv: Py, ctx: Ctx): Lines | undefined {
  const fn = e.arguments[0] && skipOuter(cx, e.arguments[0]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters.length > 2 || fn.parameters.some((p) => !ts.isIdentifier(p.name))) {
    unsupported(cx, e, "forEach with a callback other than an arrow function of (value, index)");
    return [];
  }
  cx.inlined.add(fn);
  enterScope(cx, fn, ctx.scope, [], ctx.scope);
  const [v, i] = fn.parameters.map((p) => symbolName(cx, p.name as ts.Identifier));
  const head = i ? `for ${i}, ${v ?? "_"} in enumerate(${render(recv, 0, 0)}):` : `for ${v ?? "_"} in ${render(recv, 0, 0)}:`;
  const inner = sub(cx, ctx, { forEach: true, update: null });
  const body = ts.isBlock(fn.body) ? block(cx, fn.body.statements, inner) : exprStatement(cx, fn.body, inner);
  return [`${" ".repeat(ctx.indent)}${head}`, ...body];
}

// ---- loops ----------------------------------------------------------------------------------

export function forStatement(cx: Translator, f: ts.ForStatement, ctx: Ctx): Lines {
  const range = rangeLoop(cx, f, ctx);
  if (range) return range;
  const out: Lines = [];
  if (f.initializer) {
    if (ts.isVariableDeclarationList(f.initializer)) out.push(...variableList(cx, f.initializer, ctx));
    else out.push(...exprStatement(cx, f.initializer, ctx));
  }
  const inner = sub(cx, ctx);
  const update = f.incrementor ? exprStatement(cx, f.incrementor, { ...inner, indent: 0 }) : [];
  const cond = f.condition ? condExpr(cx, f.condition, ctx) : atom("True");
  out.push(...emit(cx, ctx, cond, "while ", ":"));
  const body = block(cx, bodyOf(cx, f.statement), { ...inner, update });
  out.push(...body.filter((l) => l.trim() !== "pass" || update.length === 0), ...update.map((l) => " ".repeat(inner.indent) + l));
  return out;
}

/** `for (let i = a; i < b; i += k)` with an invariant bound → `for i in range(a, b, k)`. */
export function rangeLoop(cx: Translator, f: ts.ForStatement, ctx: Ctx): Lines | undefined {
  const init = f.initializer;
  if (!init || !ts.isVariableDeclarationList(init) || !(init.flags & ts.NodeFlags.Let) || init.declarations.length !== 1) return undefined;
  const d = init.declarations[0]!;
  if (!ts.isIdentifier(d.name) || !d.initializer) return undefined;
  const sym = cx.checker.getSymbolAtLocation(d.name);
  const c = f.condition;
  if (!sym || !c || !ts.isBinaryExpression(c) || !ts.isIdentifier(c.left) || cx.checker.getSymbolAtLocation(c.left) !== sym) return undefined;
  const inc = f.incrementor;
  let step: number | undefined;
  if (
    inc &&
    (ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) &&
    ts.isIdentifier(inc.operand) &&
    cx.checker.getSymbolAtLocation(inc.operand) === sym
  ) {
    step = inc.operator === ts.SyntaxKind.PlusPlusToken ? 1 : inc.operator === ts.SyntaxKind.MinusMinusToken ? -1 : undefined;
  } else if (
    inc &&
    ts.isBinaryExpression(inc) &&
    ts.isIdentifier(inc.left) &&
    cx.checker.getSymbolAtLocation(inc.left) === sym &&
    ts.isNumericLiteral(inc.right)
  ) {
    const k = Number(inc.right.text);
    if (Number.isInteger(k) && k > 0)
      step = inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken ? k : inc.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken ? -k : undefined;
  }
  if (step === undefined) return undefined;
  const op = c.operatorToken.kind;
  const K = ts.SyntaxKind;
  if (step > 0 && op !== K.LessThanToken && op !== K.LessThanEqualsToken) return undefined;
  if (step < 0 && op !== K.GreaterThanToken && op !== K.GreaterThanEqualsToken) return undefined;
  if (assigns(cx, f.statement, sym) || !invariant(cx, c.right, f.statement)) return undefined;
  const start = cx.passes.expr(d.initializer, ctx);
  let end = cx.passes.expr(c.right, ctx);
  const inclusive = op === K.LessThanEqualsToken || op === K.GreaterThanEqualsToken;
  if (maybeFloat(cx, c.right)) {
    cx.usage.math = true;
    end = call(atom(step > 0 ? (inclusive ? "math.floor" : "math.ceil") : inclusive ? "math.ceil" : "math.floor"), [end]);
  }
  if (inclusive) {
    const lit = ts.isNumericLiteral(c.right) ? Number(c.right.text) : undefined;
    end = lit !== undefined && Number.isInteger(lit) ? atom(String(lit + (step > 0 ? 1 : -1))) : binary(end, step > 0 ? "+" : "-", atom("1"), P.sum);
  }
  const zeroStart = ts.isNumericLiteral(d.initializer) && d.initializer.text === "0";
  const args = step === 1 && zeroStart ? [end] : step === 1 ? [start, end] : [start, end, atom(String(step))];
  const head = emit(cx, ctx, call(name("range"), args), `for ${symbolName(cx, d.name)} in `, ":");
  return [...head, ...block(cx, bodyOf(cx, f.statement), sub(cx, ctx, { update: null }))];
}

/** Does `body` assign the symbol? */
export function assigns(cx: Translator, body: ts.Node, sym: ts.Symbol): boolean {
  const isSym = (e: ts.Expression) => ts.isIdentifier(skipOuter(cx, e)) && cx.checker.getSymbolAtLocation(skipOuter(cx, e)) === sym;
  return anyNode(
    body,
    (n) =>
      (isAssignment(n) && isSym(n.left)) ||
      ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) &&
        (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) &&
        isSym(n.operand)),
  );
}

/** Is `e` unchanged by running `body` (no calls, no assigned or mutated names)? */
export function invariant(cx: Translator, e: ts.Expression, body: ts.Node): boolean {
  const changes = (n: ts.Node): boolean => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      return !(ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Math");
    }
    if (ts.isIdentifier(n) && isValueReference(cx, n)) {
      const sym = valueSymbol(cx, n);
      return !!sym && (assigns(cx, body, sym) || mutates(cx, body, sym));
    }
    return ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && assignsThisField(cx, body, n.name.text);
  };
  return !anyNode(e, changes);
}

/** The receiver of a call of a mutating method (`xs.push(...)`), or undefined. */
export function mutatedReceiver(cx: Translator, n: ts.Node): ts.Expression | undefined {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MUTATING_METHODS.has(n.expression.name.text)
    ? skipOuter(cx, n.expression.expression)
    : undefined;
}

export function mutates(cx: Translator, body: ts.Node, sym: ts.Symbol): boolean {
  return anyNode(body, (n) => {
    const r = mutatedReceiver(cx, n);
    return !!r && ts.isIdentifier(r) && valueSymbol(cx, r) === sym;
  });
}

export function assignsThisField(cx: Translator, body: ts.Node, field: string): boolean {
  const isField = (e: ts.Expression | undefined) =>
    !!e && ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && e.name.text === field;
  return anyNode(body, (n) => (isAssignment(n) && isField(skipOuter(cx, n.left))) || isField(mutatedReceiver(cx, n)));
}

export function loopTarget(cx: Translator, init: ts.ForInitializer, ctx: Ctx): { head: string; body: Lines } {
  if (ts.isVariableDeclarationList(init)) {
    const d = init.declarations[0];
    if (!d) return { head: "_", body: [] };
    if (ts.isIdentifier(d.name)) return { head: symbolName(cx, d.name), body: [] };
    if (ts.isArrayBindingPattern(d.name)) return { head: arrayTarget(cx, d.name) ?? "_", body: [] };
    const tmp = fresh(cx, ctx.scope, "_item");
    const type = cx.checker.getTypeAtLocation(d.name);
    return { head: tmp, body: objectPattern(cx, d.name, name(tmp), type, { ...ctx, indent: 0 }) };
  }
  noteAssignment(cx, init, ctx);
  return { head: targetText(cx, init, ctx), body: [] };
}

export function forOf(cx: Translator, f: ts.ForOfStatement, ctx: Ctx): Lines {
  if (f.awaitModifier) {
    unsupported(cx, f, "for await");
    return [];
  }
  const target = loopTarget(cx, f.initializer, ctx);
  let iter = cx.passes.expr(f.expression, { ...ctx, iterable: true });
  if (collectionKind(cx, typeOf(cx, f.expression)) === "Map") iter = call(attr(iter, "items"), []);
  const head = emit(cx, ctx, iter, `for ${target.head} in `, ":");
  const inner = sub(cx, ctx, { update: null });
  return [...head, ...target.body.map((l) => " ".repeat(inner.indent) + l), ...block(cx, bodyOf(cx, f.statement), inner)];
}

/** `return { out, aux }` in a `forward`: the model's output is a dict. */
function returnsObjectFromForward(cx: Translator, r: ts.ReturnStatement): boolean {
  const fn = ts.findAncestor(r, (n) => ts.isFunctionLike(n));
  if (!fn || !ts.isMethodDeclaration(fn) || fn.name.getText() !== "forward" || !r.expression) return false;
  // an object literal, or an object built up first (torchvision's segmentation models' `result`)
  return ts.isObjectLiteralExpression(skipOuter(cx, r.expression)) || isDictType(cx, typeOf(cx, r.expression));
}
