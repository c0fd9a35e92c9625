import ts = require("typescript");
import { originOf } from "../api";
import { FUNCTION_LIKE, Translator, anyNode, isAssignment, skipOuter } from "./context";
import { declOf, isValueReference, valueSymbol } from "./names";

/** Integer or float: which numbers Python sees as floats (divisions, float literals, call sites). */

// ---- integers -------------------------------------------------------------------------------

/** Every call (and `super(...)`) by its callee's declaration, for parameter value analysis. */
export function indexCalls(cx: Translator, files: readonly ts.SourceFile[]): void {
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      let decl: ts.Declaration | undefined;
      try {
        decl = cx.checker.getResolvedSignature(n)?.getDeclaration();
      } catch {
        decl = undefined;
      }
      if (decl && n.arguments) {
        const list = cx.callSites.get(decl) ?? [];
        list.push(n.arguments);
        cx.callSites.set(decl, list);
      }
    }
    if (ts.isIdentifier(n) && isValueReference(cx, n) && !isDirectUse(cx, n)) {
      const sym = valueSymbol(cx, n);
      const d = sym && declOf(cx, sym);
      if (d && (ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d))) cx.escaping.add(d);
      else if (d && ts.isVariableDeclaration(d) && d.initializer) {
        const init = skipOuter(cx, d.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) cx.escaping.add(init);
      }
    }
    ts.forEachChild(n, visit);
  };
  files.forEach(visit);
}

/** A reference that calls, constructs, extends, declares or reads a member of what it names (does not pass it on). */
export function isDirectUse(cx: Translator, id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === id) return true;
  if (ts.isPropertyAccessExpression(p) && p.expression === id) return true;
  if (ts.isExpressionWithTypeArguments(p) || ts.isTypeQueryNode(p) || ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p)) return true;
  if ((ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isVariableDeclaration(p)) && p.name === id) return true;
  return false;
}

/** Certainly an integer in Python, also when a function passed as a value is called with floats? */
export function certainlyInt(cx: Translator, e: ts.Node): boolean {
  cx.strictFloat = true;
  try {
    return !maybeFloat(cx, e);
  } finally {
    cx.strictFloat = false;
  }
}

/** May this number be a float in Python (a division, a float literal, ...)? Integers by default. */
export function maybeFloat(cx: Translator, e: ts.Node, seen: Set<ts.Node> = new Set()): boolean {
  const memoMap = cx.strictFloat ? cx.strictMemo : cx.floatMemo;
  const memo = memoMap.get(e);
  if (memo !== undefined) return memo;
  if (seen.has(e)) return false;
  seen.add(e);
  const r = maybeFloatUncached(cx, e, seen);
  memoMap.set(e, r);
  return r;
}

export function maybeFloatUncached(cx: Translator, e: ts.Node, seen: Set<ts.Node>): boolean {
  const K = ts.SyntaxKind;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e))
    return maybeFloat(cx, e.expression, seen);
  if (ts.isNumericLiteral(e)) return /[.eE]/.test(e.getText()) && !/^0[xX]/.test(e.getText());
  if (ts.isPrefixUnaryExpression(e)) return maybeFloat(cx, e.operand, seen);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === K.SlashToken || op === K.SlashEqualsToken) return true;
    if (op === K.AsteriskAsteriskToken) return true;
    if (
      [
        K.PlusToken,
        K.MinusToken,
        K.AsteriskToken,
        K.PercentToken,
        K.QuestionQuestionToken,
        K.BarBarToken,
        K.AmpersandAmpersandToken,
        K.PlusEqualsToken,
        K.MinusEqualsToken,
        K.AsteriskEqualsToken,
        K.EqualsToken,
      ].includes(op)
    ) {
      return (op !== K.EqualsToken && maybeFloat(cx, e.left, seen)) || maybeFloat(cx, e.right, seen);
    }
    return false;
  }
  if (ts.isConditionalExpression(e)) return maybeFloat(cx, e.whenTrue, seen) || maybeFloat(cx, e.whenFalse, seen);
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Math") {
      const m = c.name.text;
      if (["floor", "ceil", "round", "trunc"].includes(m)) return false;
      if (m === "max" || m === "min" || m === "abs") return e.arguments.some((a) => maybeFloat(cx, a, seen));
      return true;
    }
    let decl: ts.Declaration | undefined;
    try {
      decl = cx.checker.getResolvedSignature(e)?.getDeclaration();
    } catch {
      decl = undefined;
    }
    if (decl && originOf(decl, cx.prog.typings).where === "user" && (decl as { body?: ts.Node }).body) {
      const body = (decl as { body?: ts.Node }).body!;
      if (!ts.isBlock(body)) return maybeFloat(cx, body, seen);
      return anyNode(
        body,
        (n) => ts.isReturnStatement(n) && !!n.expression && maybeFloat(cx, n.expression, seen),
        (n) => n !== body && FUNCTION_LIKE(n),
      );
    }
    return false;
  }
  if (ts.isIdentifier(e)) {
    const sym = valueSymbol(cx, e);
    const d = sym && declOf(cx, sym);
    if (!d || originOf(d, cx.prog.typings).where !== "user") return false;
    if (ts.isVariableDeclaration(d)) {
      if (d.initializer && maybeFloat(cx, d.initializer, seen)) return true;
      return assignedFloat(cx, sym!, d, seen);
    }
    if (ts.isParameter(d)) {
      if (d.initializer && maybeFloat(cx, d.initializer, seen)) return true;
      const fn = d.parent;
      if (cx.strictFloat && (cx.escaping.has(fn) || (ts.isConstructorDeclaration(fn) && cx.escaping.has(fn.parent)))) return true;
      const index = fn.parameters.indexOf(d);
      for (const args of callSitesOf(cx, fn)) {
        const a = args[index];
        if (a && !ts.isSpreadElement(a) && maybeFloat(cx, a, seen)) return true;
      }
      return assignedFloat(cx, sym!, d, seen);
    }
    return false;
  }
  return false;
}

export function callSitesOf(cx: Translator, fn: ts.SignatureDeclaration): ts.NodeArray<ts.Expression>[] {
  return cx.callSites.get(fn) ?? [];
}

export function assignedFloat(cx: Translator, sym: ts.Symbol, d: ts.Node, seen: Set<ts.Node>): boolean {
  let scope: ts.Node | undefined = d;
  while (scope && !FUNCTION_LIKE(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return false;
  return anyNode(scope, (n) => {
    if (!isAssignment(n)) return false;
    const l = skipOuter(cx, n.left);
    return ts.isIdentifier(l) && valueSymbol(cx, l) === sym && (n.operatorToken.kind === ts.SyntaxKind.SlashEqualsToken || maybeFloat(cx, n.right, seen));
  });
}
