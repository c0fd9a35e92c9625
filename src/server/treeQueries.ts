import ts = require("typescript");
import type { Position, Range } from "../shared/analysis";

/**
 * Small helpers over TypeScript syntax trees, for what the analysis does not carry itself:
 * which field of which class a cursor is on, where a statement ends, where to put an `@input` tag.
 * The trees are the analyzer's own (`Analyzer.parse`, cached per text), so nothing is parsed twice.
 */

/** Offset of a position, clamped into the file (clients may send positions past a line's end). */
export function offsetAt(sf: ts.SourceFile, pos: Position): number {
  const starts = sf.getLineStarts();
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) return sf.text.length;
  const lineStart = starts[pos.line]!;
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! : sf.text.length;
  return Math.min(lineStart + Math.max(0, pos.character), next);
}

export function positionAt(sf: ts.SourceFile, offset: number): Position {
  return sf.getLineAndCharacterOfPosition(Math.max(0, Math.min(offset, sf.text.length)));
}

export function nodeRange(sf: ts.SourceFile, node: ts.Node): Range {
  return { start: positionAt(sf, node.getStart(sf)), end: positionAt(sf, node.getEnd()) };
}

/**
 * The innermost node at `offset`: one whose text contains the character there, else one that
 * ends right before it (a cursor just after an identifier still finds it).
 */
export function nodeAt(sf: ts.SourceFile, offset: number): ts.Node {
  let node: ts.Node = sf;
  for (;;) {
    let inside: ts.Node | undefined;
    let endingHere: ts.Node | undefined;
    node.forEachChild((child) => {
      if (inside) return;
      const start = child.getStart(sf);
      const end = child.getEnd();
      if (start <= offset && offset < end) inside = child;
      else if (end === offset && start < end) endingHere ??= child;
    });
    const next = inside ?? endingHere;
    if (!next) return node;
    node = next;
  }
}

/** The identifier under the cursor, if any. */
export function identifierAt(sf: ts.SourceFile, offset: number): ts.Identifier | undefined {
  const node = nodeAt(sf, offset);
  return ts.isIdentifier(node) ? node : undefined;
}

export function findAncestor<T extends ts.Node>(node: ts.Node | undefined, test: (n: ts.Node) => n is T): T | undefined {
  for (let n = node; n; n = n.parent) if (test(n)) return n;
  return undefined;
}

/** The closest enclosing function-like node (method, function, arrow, accessor, constructor). */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  return findAncestor(node.parent, (n): n is ts.SignatureDeclaration => ts.isFunctionLike(n));
}

/** The statement `node` belongs to: the closest ancestor statement whose parent is a block, case or file. */
export function enclosingStatement(node: ts.Node): ts.Statement | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    const p = n.parent;
    if (!p) return undefined;
    if (isStatementLike(n) && (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p) || isStatementLike(p)))
      return n;
  }
  return undefined;
}

function isStatementLike(n: ts.Node): n is ts.Statement {
  return (
    ts.isExpressionStatement(n) ||
    ts.isVariableStatement(n) ||
    ts.isReturnStatement(n) ||
    ts.isIfStatement(n) ||
    ts.isForStatement(n) ||
    ts.isForOfStatement(n) ||
    ts.isForInStatement(n) ||
    ts.isWhileStatement(n) ||
    ts.isDoStatement(n) ||
    ts.isBlock(n) ||
    ts.isThrowStatement(n)
  );
}

/** The class that `node` is in, and its name (anonymous classes have none). */
export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  return findAncestor(node, (n): n is ts.ClassLikeDeclaration => ts.isClassDeclaration(n) || ts.isClassExpression(n));
}

/** `this.name` → "name". */
export function thisMemberName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return node.name.text;
  if (ts.isElementAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isStringLiteralLike(node.argumentExpression)) {
    return node.argumentExpression.text;
  }
  return undefined;
}

/** A field of a class under the cursor: a property declaration's name, or `this.name` anywhere in the class. */
export function fieldAt(sf: ts.SourceFile, offset: number): { cls: ts.ClassLikeDeclaration; name: string; node: ts.Node } | undefined {
  const id = identifierAt(sf, offset);
  if (!id) return undefined;
  const parent = id.parent;
  let name: string | undefined;
  let node: ts.Node = id;
  if (parent && ts.isPropertyDeclaration(parent) && parent.name === id) name = id.text;
  else if (parent && ts.isPropertyAccessExpression(parent) && parent.name === id && thisMemberName(parent) !== undefined) {
    name = id.text;
    node = parent;
  } else if (parent && ts.isParameter(parent) && parent.name === id && ts.isConstructorDeclaration(parent.parent) && ts.getModifiers(parent)?.length) {
    name = id.text; // a parameter property (`constructor(readonly conv: nn.Conv2d)`)
  }
  if (name === undefined) return undefined;
  const cls = enclosingClass(id);
  return cls ? { cls, name, node } : undefined;
}

/** Where a class gives a field its value: `name = …` initialisers and `this.name = …` assignments. */
export function fieldDefinitions(cls: ts.ClassLikeDeclaration, name: string): { whole: ts.Node; name: ts.Node }[] {
  const out: { whole: ts.Node; name: ts.Node }[] = [];
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && member.initializer && ts.isIdentifier(member.name) && member.name.text === name) {
      out.push({ whole: member, name: member.name });
    }
  }
  const visit = (n: ts.Node): void => {
    if (ts.isClassLike(n) && n !== cls) return; // a nested class's `this` is another object
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && thisMemberName(n.left) === name) {
      const stmt = ts.isExpressionStatement(n.parent) ? n.parent : n;
      out.push({ whole: stmt, name: ts.isPropertyAccessExpression(n.left) ? n.left.name : n.left });
    }
    n.forEachChild(visit);
  };
  for (const member of cls.members) if (!ts.isPropertyDeclaration(member)) member.forEachChild(visit);
  return out;
}

/** Class name of a class-like declaration (`export default class extends …` has none). */
export function className(cls: ts.ClassLikeDeclaration): string | undefined {
  return cls.name?.text;
}

/** The smallest call expression that contains `offset` and whose callee is `this.name`. */
export function thisCallAt(sf: ts.SourceFile, offset: number): { call: ts.CallExpression; name: string } | undefined {
  for (let n: ts.Node | undefined = nodeAt(sf, offset); n; n = n.parent) {
    if (ts.isCallExpression(n)) {
      const name = thisMemberName(n.expression);
      if (name !== undefined) return { call: n, name };
    }
    if (ts.isFunctionLike(n)) return undefined;
  }
  return undefined;
}

/** The innermost loop around `node` inside `within` (where `node` may run several times per call). */
export function innermostLoop(node: ts.Node, within: ts.Node): ts.IterationStatement | undefined {
  for (let n = node.parent; n && n !== within; n = n.parent) if (ts.isIterationStatement(n, false)) return n;
  return undefined;
}

/** The block-like containers of a node, innermost first, up to (and including) `within`. */
export function blocksOf(node: ts.Node, within: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isBlock(n) || ts.isFunctionLike(n) || ts.isSourceFile(n) || n === within) out.push(n);
    if (n === within) break;
  }
  return out;
}

export interface SequentialCall {
  call: ts.CallExpression;
  /** The children as written, in order; null when they cannot be told apart (a spread). */
  entries: ts.Node[] | null;
  /** Children's names for the object form (`{ conv: …, relu: … }`), else null (named 0, 1, …). */
  names: string[] | null;
  /** For `super(...)` in a class extending `nn.Sequential`: that class's name. */
  subclass: string | null;
}

/** The `nn.Sequential(...)` calls of a file (and `super(...)` calls of Sequential subclasses). */
export function sequentialCalls(sf: ts.SourceFile): SequentialCall[] {
  const out: SequentialCall[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      let subclass: string | null | undefined;
      if (isSequentialCallee(n.expression)) subclass = null;
      else if (n.expression.kind === ts.SyntaxKind.SuperKeyword) {
        const cls = enclosingClass(n);
        const base = cls?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        if (cls?.name && base && isSequentialCallee(base)) subclass = cls.name.text;
      }
      if (subclass !== undefined) out.push({ call: n, subclass, ...sequentialEntries(n) });
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

function sequentialEntries(call: ts.CallExpression): { entries: ts.Node[] | null; names: string[] | null } {
  const args = call.arguments;
  const [first] = args;
  if (args.length === 1 && first && ts.isObjectLiteralExpression(first)) {
    const names: string[] = [];
    for (const p of first.properties) {
      if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) return { entries: null, names: null };
      if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) names.push(p.name.text);
      else return { entries: null, names: null };
    }
    return { entries: [...first.properties], names };
  }
  return { entries: args.some((a) => ts.isSpreadElement(a)) ? null : [...args], names: null };
}

function isSequentialCallee(e: ts.Expression): boolean {
  if (ts.isPropertyAccessExpression(e)) return e.name.text === "Sequential";
  return ts.isIdentifier(e) && e.text === "Sequential";
}

/** The text of a node, as written. */
export function textOf(sf: ts.SourceFile, node: ts.Node): string {
  return sf.text.slice(node.getStart(sf), node.getEnd());
}

/** The node spanning exactly `range` that passes `test`, if any (e.g. the call at a `calledAt`). */
export function nodeSpanning<T extends ts.Node>(sf: ts.SourceFile, range: Range, test: (n: ts.Node) => n is T): T | undefined {
  const start = offsetAt(sf, range.start);
  const end = offsetAt(sf, range.end);
  for (let n: ts.Node | undefined = nodeAt(sf, start); n; n = n.parent) {
    if (n.getStart(sf) === start && n.getEnd() === end && test(n)) return n;
    if (n.getStart(sf) < start || n.getEnd() > end) break;
  }
  return undefined;
}
