import ts = require("typescript");
import { FUNCTIONAL_KINDS, LAYER_KINDS } from "../analyzer/layers/index";
import type { ArgType } from "../analyzer/layers/kind";
import type { Reporter } from "../analyzer/location";
import { hasModifier } from "../analyzer/syntax";
import { F_RENAMES, MODULE_METHODS, originOf, TORCH_MODULE_ATTRIBUTES, type Origin } from "./api";
import type { ExportProgram } from "./program";
import {
  P,
  asMultiline,
  atom,
  attr,
  binary,
  call,
  commentLine,
  dict,
  docstringText,
  entry,
  group,
  identifierChars,
  ifElse,
  isIdentifier,
  kwarg,
  list,
  logical,
  name,
  pyString,
  render,
  safeName,
  seq,
  snake,
  splitLines,
  star,
  subscript,
  tuple,
  unary,
  wrap,
  type Item,
  type Py,
} from "./py";

/**
 * Translates the TypeScript of model files (the subset the model language defines) to Python
 * with PyTorch: classes to `nn.Module` classes with the same attribute names and registration
 * order, functions to `def`s, the model language's API to PyTorch's. What cannot be translated is
 * reported as a diagnostic naming the construct and its location; translation goes on past it
 * (emitting a placeholder) so that one export reports every problem.
 */

export type Lines = string[];

/** A Python function scope: the names bound in it, and what it must declare nonlocal/global. */
export class Scope {
  readonly names = new Set<string>();
  /** Names given to block-scoped variables, with their blocks (sharable between disjoint blocks). */
  readonly blockUsers = new Map<string, ts.Node[]>();
  readonly nonlocals = new Set<string>();
  readonly globals = new Set<string>();
  constructor(
    /** The TypeScript function-like node, or null for the module. */
    readonly node: ts.Node | null,
    readonly parent: Scope | null,
  ) {}
}

interface ClassInfo {
  node: ts.ClassLikeDeclaration;
  name: string;
  /** `nn.Module`-rooted (including through user base classes). */
  isModule: boolean;
  /** The builtin container at the root (`Sequential`, ...), if any. */
  container: string | null;
  hasBase: boolean;
}

export interface Ctx {
  scope: Scope;
  indent: number;
  cls: ClassInfo | null;
  /** `self` inside instance methods, constructors and arrows in them. */
  self: string | null;
  /** Inside a lambda or comprehension: statements cannot be hoisted. */
  lambda: boolean;
  /** Inside an f-string replacement field: string literals use single quotes. */
  fstring: boolean;
  /** Statements to emit before the current one (hoisted helper functions). */
  pre: Lines;
  /** Statements to run before `continue` (a `for` loop translated to `while`). */
  update: Lines | null;
  /** Inside a `forEach` body inlined into a `for` loop: `return` means `continue`. */
  forEach: boolean;
  /** Iterable position (`for … in HERE`): iterators need no `list(...)`. */
  iterable?: boolean;
}

/** Model constants: exported with `@input`, they become `build_<name>()` functions. */
export interface ModelConst {
  /** The model's name (what the analyzer reports and `--model` selects). */
  name: string;
  builder: string;
  init: ts.Expression;
  docNode: ts.Node;
  inputs: string[];
}

const INT_TYPES = new Set<ArgType>(["posInt", "nonNegInt", "posPair", "nonNegPair", "padding", "int", "sizeOrNull"]);

const FUNCTION_LIKE = (n: ts.Node): n is ts.SignatureDeclaration =>
  ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);

const MUTATING_METHODS = new Set(["push", "pop", "splice", "reverse", "fill", "shift", "unshift", "append", "extend", "addModule", "sort"]);

/** Does `test` hold for `root` or a node below it? The subtrees of nodes that `skip` names are not searched. */
function anyNode(root: ts.Node, test: (n: ts.Node) => boolean, skip?: (n: ts.Node) => boolean): boolean {
  const visit = (n: ts.Node): boolean => !skip?.(n) && (test(n) || !!ts.forEachChild(n, visit));
  return visit(root);
}

/** `x = …`, `x += …` and the other assignment operators. */
function isAssignment(n: ts.Node): n is ts.BinaryExpression {
  return ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

export interface TranslatorUsage {
  math: boolean;
  functools: boolean;
  orderedDict: boolean;
  kwargsHelper: boolean;
  F: boolean;
  /** An `inplace` option was left out (the model language ignores it). */
  inplace: boolean;
  typing: Set<string>;
}

/** Python names of symbols; a declaration's local and export symbols are one symbol here. */
class SymbolNames {
  private readonly map = new Map<ts.Symbol, string>();
  constructor(private readonly checker: ts.TypeChecker) {}
  private canon(s: ts.Symbol): ts.Symbol {
    return this.checker.getExportSymbolOfSymbol(s);
  }
  get(s: ts.Symbol): string | undefined {
    return this.map.get(this.canon(s));
  }
  set(s: ts.Symbol, n: string): void {
    this.map.set(this.canon(s), n);
  }
  has(s: ts.Symbol): boolean {
    return this.map.has(this.canon(s));
  }
}

export class Translator {
  readonly checker: ts.TypeChecker;
  readonly symbolNames: SymbolNames;
  readonly moduleScope = new Scope(null, null);
  /** Declarations (variable declarations, export assignments) of model constants. */
  readonly models = new Map<ts.Node, ModelConst>();
  readonly usage: TranslatorUsage = { math: false, functools: false, orderedDict: false, kwargsHelper: false, F: false, inplace: false, typing: new Set() };
  /** Top-level declarations already emitted (module-level code may only use those). */
  readonly emitted = new Set<ts.Node>();
  /** Top-level declarations that will be emitted (for type hints naming user classes). */
  readonly included = new Set<ts.Node>();
  private readonly callSites = new Map<ts.Node, ts.NodeArray<ts.Expression>[]>();
  private readonly floatMemo = new Map<ts.Node, boolean>();

  constructor(
    readonly prog: ExportProgram,
    readonly reporter: Reporter,
  ) {
    this.checker = prog.checker;
    this.symbolNames = new SymbolNames(prog.checker);
  }

  // ---- diagnostics ----------------------------------------------------------------------------

  unsupported(node: ts.Node, what: string): Py {
    this.reporter.report("error", node, `${what} cannot be exported to PyTorch`, "export-unsupported");
    return atom("...");
  }

  private warn(node: ts.Node, message: string): void {
    this.reporter.report("warning", node, message, "export-warning");
  }

  // ---- symbols and names ----------------------------------------------------------------------

  /** The value symbol an identifier refers to, with imports resolved to what they import. */
  valueSymbol(id: ts.Node): ts.Symbol | undefined {
    let sym: ts.Symbol | undefined;
    if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) sym = this.checker.getShorthandAssignmentValueSymbol(id.parent);
    else sym = this.checker.getSymbolAtLocation(id);
    if (sym && sym.flags & ts.SymbolFlags.Alias) {
      try {
        sym = this.checker.getAliasedSymbol(sym);
      } catch {
        return sym;
      }
    }
    return sym;
  }

  /** The declaration of a symbol that binds it (the variable, parameter, function or class). */
  private declOf(sym: ts.Symbol): ts.Declaration | undefined {
    return sym.valueDeclaration ?? sym.declarations?.[0];
  }

  /** The function-like node whose Python scope binds the symbol (null: the module). */
  private bindingScopeNode(sym: ts.Symbol): ts.Node | null | undefined {
    const d = this.declOf(sym);
    if (!d) return undefined;
    if (ts.isParameter(d)) return d.parent;
    for (let n: ts.Node | undefined = d.parent; n; n = n.parent) {
      if (FUNCTION_LIKE(n)) return n;
      if (ts.isSourceFile(n)) return null;
    }
    return undefined;
  }

  private isUserSymbol(sym: ts.Symbol): boolean {
    const d = this.declOf(sym);
    return !!d && originOf(d, this.prog.typingsFile).where === "user";
  }

  /** Assigns a module-level name (classes keep theirs, everything else goes snake_case). */
  nameModuleSymbol(sym: ts.Symbol, preferred: string, keep = false): string {
    const existing = this.symbolNames.get(sym);
    if (existing) return existing;
    let cand = keep ? preferred : safeName(snake(preferred));
    if (keep && !isIdentifier(cand)) cand = safeName(cand);
    if (this.moduleScope.names.has(cand) && !keep) cand = safeName(preferred);
    cand = this.reserveModuleName(cand);
    this.symbolNames.set(sym, cand);
    return cand;
  }

  reserveModuleName(n: string): string {
    return this.fresh(this.moduleScope, n);
  }

  /** Symbols bound directly in a function-like node (parameters, locals, nested declarations). */
  private localsOf(fn: ts.Node): ts.Symbol[] {
    const out: ts.Symbol[] = [];
    const seen = new Set<ts.Symbol>();
    const add = (n: ts.Node) => {
      const s = this.checker.getSymbolAtLocation(n);
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
      if ((ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n))) return;
      ts.forEachChild(n, visit);
    };
    if (FUNCTION_LIKE(fn)) {
      for (const p of fn.parameters) visit(p);
      const body = (fn as { body?: ts.Node }).body;
      if (body) visit(body);
    } else visit(fn);
    return out;
  }

  private isValueReference(id: ts.Identifier): boolean {
    const p = id.parent;
    if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isQualifiedName(p) && p.right === id)) return false;
    if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isGetAccessorDeclaration(p)) && p.name === id) return false;
    if (ts.isBindingElement(p) && p.propertyName === id) return false;
    return true;
  }

  /** Opens the Python scope of a function-like node: free names are reserved, locals named. */
  enterScope(fn: ts.Node, parent: Scope, extra: readonly ts.Node[] = [], inlineInto?: Scope): Scope {
    const scope = inlineInto ?? new Scope(fn, parent);
    const visit = (n: ts.Node): void => {
      if ((ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
      if (ts.isIdentifier(n) && this.isValueReference(n)) {
        const sym = this.valueSymbol(n);
        if (sym && !this.within(this.declOf(sym), fn)) {
          const py = this.symbolNames.get(sym);
          if (py) scope.names.add(py);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(fn);
    extra.forEach(visit);
    for (const sym of this.localsOf(fn)) {
      if (this.symbolNames.has(sym)) continue;
      const block = this.declaringBlock(sym, fn);
      const free = (n: string): boolean => {
        if (!scope.names.has(n)) return true;
        // block-scoped variables of disjoint blocks (two loops' `i`) may share a Python name
        const users = scope.blockUsers.get(n);
        return !!users && !!block && users.every((b) => !this.within(b, block) && !this.within(block, b));
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
      this.symbolNames.set(sym, cand);
    }
    return scope;
  }

  /** The block a `let`/`const` is scoped to (undefined for parameters, `var`, functions and classes). */
  private declaringBlock(sym: ts.Symbol, fn: ts.Node): ts.Node | undefined {
    const d = this.declOf(sym);
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

  private within(node: ts.Node | undefined, ancestor: ts.Node): boolean {
    for (let n = node; n; n = n.parent) if (n === ancestor) return true;
    return false;
  }

  /** A fresh name in a scope (for hoisted helpers and temporaries). */
  private fresh(scope: Scope, base: string): string {
    let cand = base;
    for (let k = 2; scope.names.has(cand) || this.moduleScope.names.has(cand); k++) cand = `${base}_${k}`;
    scope.names.add(cand);
    return cand;
  }

  /** A user method's Python name: snake_case, moved aside when it would shadow an nn.Module attribute. */
  methodName(n: string): string {
    if (n === "forward" || n === "constructor") return n;
    let s = safeName(snake(n));
    while (TORCH_MODULE_ATTRIBUTES.has(s)) s = `${s}_`;
    return s;
  }

  // ---- types ----------------------------------------------------------------------------------

  private typeOf(e: ts.Node): ts.Type {
    return this.checker.getNonNullableType(this.checker.getTypeAtLocation(e));
  }

  /** Constituents of a union (null and undefined removed). */
  private parts(t: ts.Type): ts.Type[] {
    return t.isUnion() ? t.types.filter((x) => !(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void))) : [t];
  }

  private isModuleType(t: ts.Type): boolean {
    return this.parts(t).some((x) => {
      const p = this.checker.getPropertyOfType(x, "addModule");
      const d = p && this.declOf(p);
      return !!d && originOf(d, this.prog.typingsFile).where === "api";
    });
  }

  private isArrayLike(t: ts.Type): boolean {
    const ps = this.parts(t);
    return ps.length > 0 && ps.every((x) => this.checker.isArrayType(x) || this.checker.isTupleType(x));
  }

  private isStringType(t: ts.Type): boolean {
    const ps = this.parts(t);
    return ps.length > 0 && ps.every((x) => !!(x.flags & ts.TypeFlags.StringLike));
  }

  private isNumberType(t: ts.Type): boolean {
    const ps = this.parts(t);
    return ps.length > 0 && ps.every((x) => !!(x.flags & ts.TypeFlags.NumberLike));
  }

  private isUnknownType(t: ts.Type): boolean {
    return !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
  }

  /** An object type that the exporter writes as a dict (object literals, interfaces, type literals). */
  private isDictType(t: ts.Type): boolean {
    const ps = this.parts(t);
    if (ps.length === 0) return false;
    return ps.every((x) => {
      if (!(x.flags & ts.TypeFlags.Object)) return false;
      if (this.checker.isArrayType(x) || this.checker.isTupleType(x)) return false;
      if (x.getCallSignatures().length || x.getConstructSignatures().length) return false;
      if (this.isModuleType(x)) return false;
      const s = x.getSymbol();
      if (s && s.flags & ts.SymbolFlags.Class) return false;
      const d = s && this.declOf(s);
      if (d && originOf(d, this.prog.typingsFile).where !== "user" && !ts.isTypeLiteralNode(d)) return false;
      return true;
    });
  }

  // ---- comments and docs ----------------------------------------------------------------------

  /** A comment of the source as Python comment lines (through py.ts's comment escaping). */
  private commentText(sf: ts.SourceFile, r: ts.CommentRange): string[] {
    const raw = sf.text.slice(r.pos, r.end);
    if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) return splitLines(raw.replace(/^\/\/\s?/, "")).map((l) => commentLine(l.trimEnd()));
    const body = raw.replace(/^\/\*+/, "").replace(/\*+\/$/, "");
    return splitLines(body)
      .map((l) => l.replace(/^\s*\*?\s?/, "").trimEnd())
      .filter((l, i, a) => !(l === "" && (i === 0 || i === a.length - 1)))
      .map(commentLine);
  }

  /** Comment lines before a node (its own lines, not the previous line's trailing comment). */
  leadingComments(node: ts.Node, skipJsDoc = false): string[] {
    const sf = node.getSourceFile();
    const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
    const out: string[] = [];
    for (const r of ranges) {
      if (skipJsDoc && sf.text.startsWith("/**", r.pos)) continue;
      out.push(...this.commentText(sf, r));
    }
    return out;
  }

  /** A comment on the same line after a node (after a following comma, for list items). */
  trailingComment(node: ts.Node): string | undefined {
    const sf = node.getSourceFile();
    let pos = node.getEnd();
    const text = sf.text;
    while (pos < text.length && (text[pos] === " " || text[pos] === "\t")) pos++;
    if (text[pos] === "," || text[pos] === ";") pos++;
    const ranges = ts.getTrailingCommentRanges(text, pos) ?? [];
    const parts = ranges.flatMap((r) => this.commentText(sf, r).map((l) => l.replace(/^# ?/, "")));
    return parts.length ? `# ${parts.join(" ")}` : undefined;
  }

  private item(node: ts.Node, py: Py): Item {
    const leading = this.leadingComments(node);
    const comment = this.trailingComment(node);
    const sf = node.getSourceFile();
    const prevEnd = this.previousSiblingEnd(node);
    const sameLine = prevEnd !== undefined && sf.getLineAndCharacterOfPosition(prevEnd).line === sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    return { py, ...(leading.length ? { leading } : {}), ...(comment !== undefined ? { comment } : {}), ...(sameLine ? { sameLine } : {}) };
  }

  /** The end of the list element before `node` (arguments, array elements, properties, parameters). */
  private previousSiblingEnd(node: ts.Node): number | undefined {
    const p = node.parent as unknown as Record<string, unknown> | undefined;
    if (!p) return undefined;
    for (const key of ["arguments", "elements", "properties", "parameters"]) {
      const list = p[key];
      if (Array.isArray(list)) {
        const i = (list as ts.Node[]).indexOf(node);
        if (i > 0) return (list as ts.Node[])[i - 1]!.getEnd();
        if (i === 0) return undefined;
      }
    }
    return undefined;
  }

  /** Did the source write the list's elements on their own lines? */
  multiline(list: ts.NodeArray<ts.Node> | undefined): boolean {
    const first = list?.[0];
    if (!list || !first) return false;
    const sf = first.getSourceFile();
    return sf.getLineAndCharacterOfPosition(first.getStart(sf)).line > sf.getLineAndCharacterOfPosition(list.pos).line;
  }

  /** A docstring from a node's JSDoc (tags: @input as "Input:", @param as "Args:"), or undefined. */
  docstring(node: ts.Node, indent: number, extra: string[] = []): Lines {
    const docs = (ts.getJSDocCommentsAndTags(node) as readonly ts.Node[]).filter(ts.isJSDoc);
    const last = docs[docs.length - 1];
    const paragraphs: string[] = [];
    if (last) {
      const text = ts.getTextOfJSDocComment(last.comment)?.trim();
      if (text) paragraphs.push(text);
      const params: string[] = [];
      const inputs: string[] = [];
      const others: string[] = [];
      for (const tag of last.tags ?? []) {
        const comment = (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
        const tn = tag.tagName.text;
        if (tn === "input") inputs.push(comment);
        else if (ts.isJSDocParameterTag(tag)) params.push(`${safeName(snake(tag.name.getText()))}: ${comment.replace(/^-\s*/, "")}`);
        else if (tn === "returns" || tn === "return") others.push(`Returns: ${comment}`);
        else others.push(`@${tn}${comment ? ` ${comment}` : ""}`);
      }
      if (inputs.length) paragraphs.push(inputs.map((i) => `Input: ${i}`).join("\n"));
      if (params.length) paragraphs.push(["Args:", ...params.map((p) => `    ${p}`)].join("\n"));
      if (others.length) paragraphs.push(others.join("\n"));
    }
    paragraphs.push(...extra);
    if (!paragraphs.length) return [];
    const pad = " ".repeat(indent);
    const text = docstringText(paragraphs.join("\n\n")).replace(/^"/, '\\"');
    const lines = text.split("\n");
    if (lines.length === 1 && indent + text.length + 6 <= 100) return [`${pad}"""${text}${text.endsWith('"') ? " " : ""}"""`];
    return [`${pad}"""${lines[0]}`, ...lines.slice(1).map((l) => (l ? `${pad}${l}` : "")), `${pad}"""`];
  }

  // ---- output helpers -------------------------------------------------------------------------

  private emit(ctx: Ctx, py: Py, prefix = "", suffix = ""): Lines {
    const e = prefix || suffix ? seq([atom(prefix), py, atom(suffix)], P.lambda) : py;
    const pad = " ".repeat(ctx.indent);
    return (pad + render(e, ctx.indent, ctx.indent)).split("\n");
  }

  private sub(ctx: Ctx, extra: Partial<Ctx> = {}): Ctx {
    return { ...ctx, indent: ctx.indent + 4, pre: ctx.pre, ...extra };
  }

  // ---- statements -----------------------------------------------------------------------------

  /** Statements of a block; `pass` when there are none. */
  block(stmts: readonly ts.Statement[], ctx: Ctx): Lines {
    const out: Lines = [];
    // function declarations are hoisted (JavaScript semantics)
    const ordered = [...stmts.filter(ts.isFunctionDeclaration), ...stmts.filter((s) => !ts.isFunctionDeclaration(s))];
    let prevDef = false;
    for (const s of ordered) {
      const pre: Lines = [];
      const lines = this.stmt(s, { ...ctx, pre });
      if (!lines.length && !pre.length) continue;
      const comments = this.leadingComments(s).map((c) => " ".repeat(ctx.indent) + c);
      const isDef = lines.some((l) => /^\s*(def|class) /.test(l) && l.search(/\S/) === ctx.indent);
      if (out.length && (isDef || prevDef || this.blankBefore(s))) out.push("");
      out.push(...comments, ...pre, ...lines);
      prevDef = isDef;
    }
    if (!out.some((l) => l.trim() && !l.trim().startsWith("#"))) out.push(" ".repeat(ctx.indent) + "pass");
    return out;
  }

  /** Is there an empty line before the node in the source (kept for readability)? */
  blankBefore(n: ts.Node): boolean {
    const sf = n.getSourceFile();
    return /\n[ \t]*\r?\n/.test(sf.text.slice(n.getFullStart(), n.getStart(sf)));
  }

  private simple(s: ts.Node, lines: Lines): Lines {
    const c = this.trailingComment(s);
    if (c !== undefined && lines.length) lines[lines.length - 1] += `  ${c}`;
    return lines;
  }

  stmt(s: ts.Statement, ctx: Ctx): Lines {
    const K = ts.SyntaxKind;
    switch (s.kind) {
      case K.VariableStatement:
        return this.simple(s, this.variableList((s as ts.VariableStatement).declarationList, ctx));
      case K.ExpressionStatement:
        return this.simple(s, this.exprStatement((s as ts.ExpressionStatement).expression, ctx));
      case K.Block:
        return this.block((s as ts.Block).statements, ctx).filter((l) => l.trim() !== "pass" || (s as ts.Block).statements.length === 0);
      case K.IfStatement:
        return this.ifStatement(s as ts.IfStatement, ctx, "if");
      case K.ReturnStatement: {
        const r = s as ts.ReturnStatement;
        if (ctx.forEach) return r.expression ? [...this.exprStatement(r.expression, ctx), `${" ".repeat(ctx.indent)}continue`] : [`${" ".repeat(ctx.indent)}continue`];
        return this.simple(s, r.expression ? this.emit(ctx, this.expr(r.expression, ctx), "return ") : [`${" ".repeat(ctx.indent)}return`]);
      }
      case K.ForStatement:
        return this.forStatement(s as ts.ForStatement, ctx);
      case K.ForOfStatement:
        return this.forOf(s as ts.ForOfStatement, ctx);
      case K.ForInStatement: {
        const f = s as ts.ForInStatement;
        const over = this.typeOf(f.expression);
        if (!this.isDictType(over) && !(this.isModuleType(over) && this.checker.getPropertyOfType(over, "items"))) {
          this.unsupported(f, "for…in over something other than an object's keys (use for…of)");
          return [];
        }
        const target = this.loopTarget(f.initializer, ctx);
        const head = this.emit(ctx, this.expr(f.expression, ctx), `for ${target.head} in `, ":");
        return [...head, ...target.body.map((l) => " ".repeat(ctx.indent + 4) + l), ...this.block(this.bodyOf(f.statement), this.sub(ctx, { update: null }))];
      }
      case K.WhileStatement: {
        const w = s as ts.WhileStatement;
        const pre: Lines = [];
        const cond = this.condExpr(w.expression, { ...ctx, pre });
        if (pre.length) this.unsupported(w.expression, "A loop condition that needs a helper function");
        return [...this.emit(ctx, cond, "while ", ":"), ...this.block(this.bodyOf(w.statement), this.sub(ctx, { update: null }))];
      }
      case K.DoStatement: {
        const d = s as ts.DoStatement;
        if (this.hasContinue(d.statement)) {
          this.unsupported(d, "'continue' inside do…while");
          return [];
        }
        const body = this.block(this.bodyOf(d.statement), this.sub(ctx, { update: null }));
        const inner = this.sub(ctx);
        return [`${" ".repeat(ctx.indent)}while True:`, ...body, ...this.emit(inner, unary("not", this.condExpr(d.expression, inner)), "if ", ":"), `${" ".repeat(inner.indent + 4)}break`];
      }
      case K.BreakStatement:
      case K.ContinueStatement: {
        const b = s as ts.BreakStatement | ts.ContinueStatement;
        if (b.label) {
          this.unsupported(b, "A labelled break or continue");
          return [];
        }
        const word = s.kind === K.BreakStatement ? "break" : "continue";
        const pad = " ".repeat(ctx.indent);
        if (word === "continue" && ctx.update) return [...ctx.update.map((l) => pad + l), `${pad}continue`];
        return [`${pad}${word}`];
      }
      case K.ThrowStatement:
        return this.simple(s, this.throwStatement(s as ts.ThrowStatement, ctx));
      case K.SwitchStatement:
        return this.switchStatement(s as ts.SwitchStatement, ctx);
      case K.FunctionDeclaration: {
        const f = s as ts.FunctionDeclaration;
        if (!f.body) return [];
        return this.functionDef(f, f.name ? this.symbolName(f.name) : this.fresh(ctx.scope, "_fn"), ctx);
      }
      case K.ClassDeclaration:
        return this.classDef(s as ts.ClassDeclaration, ctx);
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
        this.unsupported(s, names[s.kind] ?? `A '${K[s.kind]}' statement`);
        return [];
      }
    }
  }

  private bodyOf(s: ts.Statement): readonly ts.Statement[] {
    return ts.isBlock(s) ? s.statements : [s];
  }

  private hasContinue(n: ts.Node): boolean {
    return !!ts.forEachChild(n, (c) => anyNode(c, ts.isContinueStatement, (x) => FUNCTION_LIKE(x) || ts.isIterationStatement(x, false)));
  }

  /**
   * A condition. JavaScript's truthiness is Python's for numbers, strings, booleans and null, but
   * an object (a tensor, a module, an array) is always true in JavaScript: it becomes `is not None`
   * (a tensor has no truth value in PyTorch, an empty list is false in Python).
   */
  condExpr(node: ts.Expression, ctx: Ctx): Py {
    const n = this.skipOuter(node);
    if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) {
      const inner = this.skipOuter(n.operand);
      if (this.isObjectValue(inner)) return binary(this.expr(inner, ctx), "is", atom("None"), P.compare);
      return unary("not", this.condExpr(inner, ctx));
    }
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return logical(this.condExpr(n.left, ctx), n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? "and" : "or", this.condExpr(n.right, ctx));
    }
    const py = this.expr(n, ctx);
    return this.isObjectValue(n) ? binary(py, "is not", atom("None"), P.compare) : py;
  }

  /** Is the value an object (always true in JavaScript) or null/undefined, never a primitive? */
  private isObjectValue(e: ts.Expression): boolean {
    const t = this.checker.getTypeAtLocation(e);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
    const parts = t.isUnion() ? t.types : [t];
    const objects = parts.filter((x) => !(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    return objects.length > 0 && objects.every((x) => !!(x.flags & ts.TypeFlags.Object) || !!(x.flags & ts.TypeFlags.NonPrimitive));
  }

  private ifStatement(s: ts.IfStatement, ctx: Ctx, word: "if" | "elif"): Lines {
    const out = [...this.emit(ctx, this.condExpr(s.expression, ctx), `${word} `, ":"), ...this.block(this.bodyOf(s.thenStatement), this.sub(ctx))];
    const e = s.elseStatement;
    if (!e) return out;
    if (ts.isIfStatement(e)) {
      const pre: Lines = [];
      const lines = this.ifStatement(e, { ...ctx, pre }, "elif");
      if (pre.length) {
        // the elif condition needs helpers: nest it in else
        return [...out, `${" ".repeat(ctx.indent)}else:`, ...pre.map((l) => "    " + l), ...this.ifStatement(e, this.sub(ctx), "if")];
      }
      return [...out, ...lines];
    }
    return [...out, `${" ".repeat(ctx.indent)}else:`, ...this.block(this.bodyOf(e), this.sub(ctx))];
  }

  private throwStatement(s: ts.ThrowStatement, ctx: Ctx): Lines {
    const e = s.expression;
    let cls = "ValueError";
    let args: readonly ts.Expression[] | undefined;
    if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && ts.isIdentifier(e.expression) && /^(Error|TypeError|RangeError)$/.test(e.expression.text)) {
      cls = e.expression.text === "TypeError" ? "TypeError" : "ValueError";
      args = e.arguments ?? [];
    }
    const msg = args ? args.map((a) => this.expr(a, ctx)) : [this.expr(e, ctx)];
    return this.emit(ctx, call(name(cls), msg), "raise ");
  }

  private switchStatement(s: ts.SwitchStatement, ctx: Ctx): Lines {
    const out: Lines = [];
    let disc = this.expr(s.expression, ctx);
    if (!this.isSimple(s.expression)) {
      const t = this.fresh(ctx.scope, "_value");
      out.push(...this.emit(ctx, disc, `${t} = `));
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
        this.unsupported(c, "A switch case that falls through into the next");
        return out;
      }
      if (stmts.some((x) => this.containsBreak(x))) {
        this.unsupported(c, "'break' in the middle of a switch case");
        return out;
      }
      const isDefault = ts.isDefaultClause(c);
      if (isDefault && pending.length === 0) {
        if (first) out.push(...this.block(stmts, ctx));
        else out.push(`${" ".repeat(ctx.indent)}else:`, ...this.block(stmts, this.sub(ctx)));
      } else {
        if (isDefault) {
          this.unsupported(c, "A default clause shared with cases");
          return out;
        }
        const values = pending.map((v) => this.expr(v, ctx));
        const test = values.length === 1 ? binary(disc, "==", values[0]!, P.compare) : binary(disc, "in", tuple(values), P.compare);
        out.push(...this.emit(ctx, test, first ? "if " : "elif ", ":"), ...this.block(stmts, this.sub(ctx)));
      }
      first = false;
      pending = [];
    }
    return out;
  }

  private containsBreak(n: ts.Node): boolean {
    return anyNode(n, (x) => ts.isBreakStatement(x) && !x.label, (x) => FUNCTION_LIKE(x) || ts.isIterationStatement(x, false) || ts.isSwitchStatement(x));
  }

  // ---- variables and assignment ---------------------------------------------------------------

  private symbolName(id: ts.Identifier): string {
    const sym = this.checker.getSymbolAtLocation(id);
    return (sym && this.symbolNames.get(sym)) ?? safeName(snake(id.text));
  }

  /** One top-level variable declaration (a statement of its own in Python). */
  topVariable(d: ts.VariableDeclaration, ctx: Ctx): Lines {
    const lines = this.variableList({ declarations: [d] }, ctx);
    const list = d.parent;
    if (!ts.isVariableDeclarationList(list)) return lines;
    return list.declarations[list.declarations.length - 1] === d ? this.simple(list.parent, lines) : lines;
  }

  emitReturn(value: Py, ctx: Ctx): Lines {
    return this.emit(ctx, value, "return ");
  }

  private variableList(list: { readonly declarations: readonly ts.VariableDeclaration[] }, ctx: Ctx): Lines {
    const out: Lines = [];
    for (const d of list.declarations) {
      if (ts.isIdentifier(d.name)) {
        const n = this.symbolName(d.name);
        const init = d.initializer && this.skipOuter(d.initializer);
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          out.push(...this.functionDef(init, n, ctx, d));
          continue;
        }
        const value = d.initializer ? this.expr(d.initializer, ctx) : atom("None");
        out.push(...this.emit(ctx, value, `${n} = `));
      } else out.push(...this.destructure(d.name, d.initializer, ctx));
    }
    return out;
  }

  private skipOuter(e: ts.Expression): ts.Expression {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    return e;
  }

  /** `const [a, b] = …` and `const { a, b: c = 1 } = …`. */
  private destructure(pattern: ts.BindingName, init: ts.Expression | undefined, ctx: Ctx): Lines {
    if (!init) {
      this.unsupported(pattern, "A destructuring declaration without a value");
      return [];
    }
    if (ts.isArrayBindingPattern(pattern)) {
      const target = this.arrayTarget(pattern);
      if (target === undefined) return [];
      return this.emit(ctx, this.expr(init, ctx), `${target} = `);
    }
    if (ts.isObjectBindingPattern(pattern)) {
      const out: Lines = [];
      let source: Py = this.expr(init, ctx);
      if (!this.isSimple(init)) {
        const t = this.fresh(ctx.scope, "_value");
        out.push(...this.emit(ctx, source, `${t} = `));
        source = name(t);
      }
      out.push(...this.objectPattern(pattern, source, this.typeOf(init), ctx));
      return out;
    }
    this.unsupported(pattern, "This destructuring");
    return [];
  }

  private arrayTarget(p: ts.ArrayBindingPattern): string | undefined {
    const parts: string[] = [];
    for (const el of p.elements) {
      if (ts.isOmittedExpression(el)) parts.push("_");
      else if (el.initializer) {
        this.unsupported(el, "A default value in an array pattern");
        return undefined;
      } else if (ts.isIdentifier(el.name)) parts.push(`${el.dotDotDotToken ? "*" : ""}${this.symbolName(el.name)}`);
      else if (ts.isArrayBindingPattern(el.name)) {
        const inner = this.arrayTarget(el.name);
        if (inner === undefined) return undefined;
        parts.push(`(${inner})`);
      } else {
        this.unsupported(el, "An object pattern inside an array pattern");
        return undefined;
      }
    }
    return parts.length === 1 ? `${parts[0]},` : parts.join(", ");
  }

  private objectPattern(p: ts.ObjectBindingPattern, source: Py, type: ts.Type, ctx: Ctx): Lines {
    const out: Lines = [];
    const taken: string[] = [];
    for (const el of p.elements) {
      if (el.dotDotDotToken) {
        if (!ts.isIdentifier(el.name)) {
          this.unsupported(el, "This rest pattern");
          return out;
        }
        const keys = tuple(taken.map((k) => atom(pyString(k))));
        out.push(...this.emit(ctx, atom(`{k: v for k, v in ${render(source, 0, 0)}.items() if k not in ${render(keys, 0, 0)}}`), `${this.symbolName(el.name)} = `));
        continue;
      }
      const key = el.propertyName ? this.propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      if (key === undefined) {
        this.unsupported(el, "This property pattern");
        return out;
      }
      taken.push(key);
      const prop = this.checker.getPropertyOfType(type, key);
      const isDict = this.isDictType(type);
      let value: Py;
      if (isDict) {
        const optional = !!(prop && prop.flags & ts.SymbolFlags.Optional);
        value = el.initializer
          ? call(attr(source, "get"), [atom(pyString(key)), this.expr(el.initializer, ctx)])
          : optional
            ? call(attr(source, "get"), [atom(pyString(key))])
            : subscript(source, atom(pyString(key)));
      } else {
        value = attr(source, this.memberName(prop, key));
        if (el.initializer) value = ifElse(binary(value, "is not", atom("None"), P.compare), value, this.expr(el.initializer, ctx));
      }
      if (ts.isIdentifier(el.name)) out.push(...this.emit(ctx, value, `${this.symbolName(el.name)} = `));
      else if (ts.isArrayBindingPattern(el.name)) {
        const t = this.arrayTarget(el.name);
        if (t !== undefined) out.push(...this.emit(ctx, value, `${t} = `));
      } else {
        const tmp = this.fresh(ctx.scope, "_value");
        out.push(...this.emit(ctx, value, `${tmp} = `));
        out.push(...this.objectPattern(el.name, name(tmp), prop ? this.checker.getTypeOfSymbol(prop) : type, ctx));
      }
    }
    return out;
  }

  private propertyNameText(n: ts.PropertyName): string | undefined {
    if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
    return undefined;
  }

  /** Marks identifiers assigned outside their own Python scope as nonlocal / global. */
  private noteAssignment(target: ts.Expression, ctx: Ctx): void {
    const t = this.skipOuter(target);
    if (ts.isIdentifier(t)) {
      const sym = this.valueSymbol(t);
      if (!sym) return;
      const home = this.bindingScopeNode(sym);
      const py = this.symbolNames.get(sym);
      if (!py || home === undefined) return;
      if (home === null) {
        if (ctx.scope.node !== null) ctx.scope.globals.add(py);
      } else if (home !== ctx.scope.node && !this.isInlinedInto(home, ctx.scope)) ctx.scope.nonlocals.add(py);
    } else if (ts.isArrayLiteralExpression(t)) {
      for (const el of t.elements) this.noteAssignment(ts.isSpreadElement(el) ? el.expression : el, ctx);
    }
  }

  private isInlinedInto(home: ts.Node, scope: Scope): boolean {
    // forEach callbacks are inlined into the enclosing function's scope
    for (let n: ts.Node | undefined = home; n; n = n.parent) {
      if (n === scope.node) return true;
      if (FUNCTION_LIKE(n) && !this.inlined.has(n)) return false;
    }
    return false;
  }

  private readonly inlined = new Set<ts.Node>();

  private exprStatement(e0: ts.Expression, ctx: Ctx): Lines {
    const e = this.skipOuter(e0);
    const K = ts.SyntaxKind;
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === K.EqualsToken) {
        // chained `a = b = c`
        const targets: ts.Expression[] = [e.left];
        let value: ts.Expression = e.right;
        while (ts.isBinaryExpression(this.skipOuter(value)) && (this.skipOuter(value) as ts.BinaryExpression).operatorToken.kind === K.EqualsToken) {
          const b = this.skipOuter(value) as ts.BinaryExpression;
          targets.push(b.left);
          value = b.right;
        }
        targets.forEach((t) => this.noteAssignment(t, ctx));
        const only = targets.length === 1 ? this.skipOuter(targets[0]!) : undefined;
        if (only && ts.isPropertyAccessExpression(only) && this.isModuleType(this.typeOf(only.expression)) && this.hiddenChild(only.name.text, value)) {
          return this.fieldAssignment(ctx, this.expr(only.expression, ctx), only.name.text, this.expr(value, ctx), value);
        }
        const named = only && this.moduleKeyAccess(only);
        if (named) return this.emit(ctx, call(name("setattr"), [this.expr(named.expression, ctx), atom(pyString(named.key)), this.expr(value, ctx)]));
        const lhs = targets.map((t) => this.targetText(t, ctx)).join(" = ");
        return this.emit(ctx, this.expr(value, ctx), `${lhs} = `);
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
        this.noteAssignment(e.left, ctx);
        let right = this.expr(e.right, ctx);
        if (op === K.PlusEqualsToken && this.isStringType(this.typeOf(e.left)) && !this.isStringType(this.typeOf(e.right))) right = call(name("str"), [right]);
        return this.emit(ctx, right, `${this.targetText(e.left, ctx)} ${cop} `);
      }
      if (op === K.QuestionQuestionEqualsToken || op === K.BarBarEqualsToken || op === K.AmpersandAmpersandEqualsToken) {
        this.noteAssignment(e.left, ctx);
        const t = this.targetText(e.left, ctx);
        const test = op === K.QuestionQuestionEqualsToken ? `${t} is None` : op === K.BarBarEqualsToken ? `not ${t}` : t;
        return [`${" ".repeat(ctx.indent)}if ${test}:`, ...this.emit(this.sub(ctx), this.expr(e.right, ctx), `${t} = `)];
      }
      if (op === K.CommaToken) return [...this.exprStatement(e.left, ctx), ...this.exprStatement(e.right, ctx)];
    }
    if ((ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) && (e.operator === K.PlusPlusToken || e.operator === K.MinusMinusToken)) {
      this.noteAssignment(e.operand, ctx);
      return [`${" ".repeat(ctx.indent)}${this.targetText(e.operand, ctx)} ${e.operator === K.PlusPlusToken ? "+=" : "-="} 1`];
    }
    if (ts.isCallExpression(e)) {
      const special = this.statementCall(e, ctx);
      if (special) return special;
    }
    if (ts.isVoidExpression(e)) return this.exprStatement(e.expression, ctx);
    if (ts.isDeleteExpression(e)) {
      this.unsupported(e, "'delete'");
      return [];
    }
    return this.emit(ctx, this.expr(e, ctx));
  }

  private targetText(t: ts.Expression, ctx: Ctx): string {
    const inner = this.skipOuter(t);
    if (ts.isArrayLiteralExpression(inner)) {
      return inner.elements.map((el) => (ts.isOmittedExpression(el) ? "_" : ts.isSpreadElement(el) ? `*${this.targetText(el.expression, ctx)}` : this.targetText(el, ctx))).join(", ");
    }
    if (this.moduleKeyAccess(inner)) return render(this.unsupported(t, "This assignment target (an attribute name that is not a Python identifier)"), 0, 0);
    if (!(ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner))) {
      this.unsupported(t, "This assignment target");
    }
    return render(this.expr(inner, ctx), 0, 0);
  }

  /** `module["not-an-identifier"]`: an attribute that only getattr/setattr reach. */
  private moduleKeyAccess(e: ts.Expression): { expression: ts.Expression; key: string } | undefined {
    if (!ts.isElementAccessExpression(e)) return undefined;
    const arg = this.skipOuter(e.argumentExpression);
    if (!(ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) || isIdentifier(arg.text)) return undefined;
    const recvType = this.typeOf(e.expression);
    return this.isModuleType(recvType) && !this.checker.getPropertyOfType(recvType, "items") ? { expression: e.expression, key: arg.text } : undefined;
  }

  /** Calls that are statements in Python: `push`, `forEach`, `super(...)`, `reverse`. */
  private statementCall(e: ts.CallExpression, ctx: Ctx): Lines | undefined {
    if (e.expression.kind === ts.SyntaxKind.SuperKeyword) return this.superCall(e, ctx);
    const callee = e.expression;
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const o = this.calleeOrigin(e);
    const method = callee.name.text;
    if (o && o.where === "lib" && (o.owner === "Array" || o.owner === "ReadonlyArray")) {
      const recv = this.expr(callee.expression, ctx);
      if (method === "push") {
        if (e.arguments.length === 1 && !ts.isSpreadElement(e.arguments[0]!)) return this.emit(ctx, call(attr(recv, "append"), [this.expr(e.arguments[0]!, ctx)]));
        if (e.arguments.length === 1 && ts.isSpreadElement(e.arguments[0]!)) return this.emit(ctx, call(attr(recv, "extend"), [this.expr(e.arguments[0].expression, ctx)]));
        return this.emit(ctx, call(attr(recv, "extend"), [list(this.args(e.arguments, ctx))]));
      }
      if (method === "reverse" && e.arguments.length === 0) return this.emit(ctx, call(attr(recv, "reverse"), []));
      if (method === "forEach") return this.forEachLoop(e, recv, ctx);
    }
    return undefined;
  }

  private forEachLoop(e: ts.CallExpression, recv: Py, ctx: Ctx): Lines | undefined {
    const fn = e.arguments[0] && this.skipOuter(e.arguments[0]);
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters.length > 2 || fn.parameters.some((p) => !ts.isIdentifier(p.name))) {
      this.unsupported(e, "forEach with a callback other than an arrow function of (value, index)");
      return [];
    }
    this.inlined.add(fn);
    this.enterScope(fn, ctx.scope, [], ctx.scope);
    const [v, i] = fn.parameters.map((p) => this.symbolName(p.name as ts.Identifier));
    const head = i ? `for ${i}, ${v ?? "_"} in enumerate(${render(recv, 0, 0)}):` : `for ${v ?? "_"} in ${render(recv, 0, 0)}:`;
    const inner = this.sub(ctx, { forEach: true, update: null });
    const body = ts.isBlock(fn.body) ? this.block(fn.body.statements, inner) : this.exprStatement(fn.body, inner);
    return [`${" ".repeat(ctx.indent)}${head}`, ...body];
  }

  // ---- loops ----------------------------------------------------------------------------------

  private forStatement(f: ts.ForStatement, ctx: Ctx): Lines {
    const range = this.rangeLoop(f, ctx);
    if (range) return range;
    const out: Lines = [];
    if (f.initializer) {
      if (ts.isVariableDeclarationList(f.initializer)) out.push(...this.variableList(f.initializer, ctx));
      else out.push(...this.exprStatement(f.initializer, ctx));
    }
    const inner = this.sub(ctx);
    const update = f.incrementor ? this.exprStatement(f.incrementor, { ...inner, indent: 0 }) : [];
    const cond = f.condition ? this.condExpr(f.condition, ctx) : atom("True");
    out.push(...this.emit(ctx, cond, "while ", ":"));
    const body = this.block(this.bodyOf(f.statement), { ...inner, update });
    out.push(...body.filter((l) => l.trim() !== "pass" || update.length === 0), ...update.map((l) => " ".repeat(inner.indent) + l));
    return out;
  }

  /** `for (let i = a; i < b; i += k)` with an invariant bound → `for i in range(a, b, k)`. */
  private rangeLoop(f: ts.ForStatement, ctx: Ctx): Lines | undefined {
    const init = f.initializer;
    if (!init || !ts.isVariableDeclarationList(init) || !(init.flags & ts.NodeFlags.Let) || init.declarations.length !== 1) return undefined;
    const d = init.declarations[0]!;
    if (!ts.isIdentifier(d.name) || !d.initializer) return undefined;
    const sym = this.checker.getSymbolAtLocation(d.name);
    const c = f.condition;
    if (!sym || !c || !ts.isBinaryExpression(c) || !ts.isIdentifier(c.left) || this.checker.getSymbolAtLocation(c.left) !== sym) return undefined;
    const inc = f.incrementor;
    let step: number | undefined;
    if (inc && (ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && ts.isIdentifier(inc.operand) && this.checker.getSymbolAtLocation(inc.operand) === sym) {
      step = inc.operator === ts.SyntaxKind.PlusPlusToken ? 1 : inc.operator === ts.SyntaxKind.MinusMinusToken ? -1 : undefined;
    } else if (inc && ts.isBinaryExpression(inc) && ts.isIdentifier(inc.left) && this.checker.getSymbolAtLocation(inc.left) === sym && ts.isNumericLiteral(inc.right)) {
      const k = Number(inc.right.text);
      if (Number.isInteger(k) && k > 0) step = inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken ? k : inc.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken ? -k : undefined;
    }
    if (step === undefined) return undefined;
    const op = c.operatorToken.kind;
    const K = ts.SyntaxKind;
    if (step > 0 && op !== K.LessThanToken && op !== K.LessThanEqualsToken) return undefined;
    if (step < 0 && op !== K.GreaterThanToken && op !== K.GreaterThanEqualsToken) return undefined;
    if (this.assigns(f.statement, sym) || !this.invariant(c.right, f.statement)) return undefined;
    const start = this.expr(d.initializer, ctx);
    let end = this.expr(c.right, ctx);
    const inclusive = op === K.LessThanEqualsToken || op === K.GreaterThanEqualsToken;
    if (this.maybeFloat(c.right)) {
      this.usage.math = true;
      end = call(atom(step > 0 ? (inclusive ? "math.floor" : "math.ceil") : inclusive ? "math.ceil" : "math.floor"), [end]);
    }
    if (inclusive) {
      const lit = ts.isNumericLiteral(c.right) ? Number(c.right.text) : undefined;
      end = lit !== undefined && Number.isInteger(lit) ? atom(String(lit + (step > 0 ? 1 : -1))) : binary(end, step > 0 ? "+" : "-", atom("1"), P.sum);
    }
    const zeroStart = ts.isNumericLiteral(d.initializer) && d.initializer.text === "0";
    const args = step === 1 && zeroStart ? [end] : step === 1 ? [start, end] : [start, end, atom(String(step))];
    const head = this.emit(ctx, call(name("range"), args), `for ${this.symbolName(d.name)} in `, ":");
    return [...head, ...this.block(this.bodyOf(f.statement), this.sub(ctx, { update: null }))];
  }

  /** Does `body` assign the symbol? */
  private assigns(body: ts.Node, sym: ts.Symbol): boolean {
    const isSym = (e: ts.Expression) => ts.isIdentifier(this.skipOuter(e)) && this.checker.getSymbolAtLocation(this.skipOuter(e)) === sym;
    return anyNode(
      body,
      (n) =>
        (isAssignment(n) && isSym(n.left)) ||
        ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && isSym(n.operand)),
    );
  }

  /** Is `e` unchanged by running `body` (no calls, no assigned or mutated names)? */
  private invariant(e: ts.Expression, body: ts.Node): boolean {
    const changes = (n: ts.Node): boolean => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        return !(ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Math");
      }
      if (ts.isIdentifier(n) && this.isValueReference(n)) {
        const sym = this.valueSymbol(n);
        return !!sym && (this.assigns(body, sym) || this.mutates(body, sym));
      }
      return ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && this.assignsThisField(body, n.name.text);
    };
    return !anyNode(e, changes);
  }

  /** The receiver of a call of a mutating method (`xs.push(...)`), or undefined. */
  private mutatedReceiver(n: ts.Node): ts.Expression | undefined {
    return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MUTATING_METHODS.has(n.expression.name.text) ? this.skipOuter(n.expression.expression) : undefined;
  }

  private mutates(body: ts.Node, sym: ts.Symbol): boolean {
    return anyNode(body, (n) => {
      const r = this.mutatedReceiver(n);
      return !!r && ts.isIdentifier(r) && this.valueSymbol(r) === sym;
    });
  }

  private assignsThisField(body: ts.Node, field: string): boolean {
    const isField = (e: ts.Expression | undefined) => !!e && ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && e.name.text === field;
    return anyNode(body, (n) => (isAssignment(n) && isField(this.skipOuter(n.left))) || isField(this.mutatedReceiver(n)));
  }

  private loopTarget(init: ts.ForInitializer, ctx: Ctx): { head: string; body: Lines } {
    if (ts.isVariableDeclarationList(init)) {
      const d = init.declarations[0];
      if (!d) return { head: "_", body: [] };
      if (ts.isIdentifier(d.name)) return { head: this.symbolName(d.name), body: [] };
      if (ts.isArrayBindingPattern(d.name)) return { head: this.arrayTarget(d.name) ?? "_", body: [] };
      const tmp = this.fresh(ctx.scope, "_item");
      const type = this.checker.getTypeAtLocation(d.name);
      return { head: tmp, body: this.objectPattern(d.name, name(tmp), type, { ...ctx, indent: 0 }) };
    }
    this.noteAssignment(init, ctx);
    return { head: this.targetText(init, ctx), body: [] };
  }

  private forOf(f: ts.ForOfStatement, ctx: Ctx): Lines {
    if (f.awaitModifier) {
      this.unsupported(f, "for await");
      return [];
    }
    const target = this.loopTarget(f.initializer, ctx);
    const iter = this.expr(f.expression, { ...ctx, iterable: true });
    const head = this.emit(ctx, iter, `for ${target.head} in `, ":");
    const inner = this.sub(ctx, { update: null });
    return [...head, ...target.body.map((l) => " ".repeat(inner.indent) + l), ...this.block(this.bodyOf(f.statement), inner)];
  }

  // ---- functions ------------------------------------------------------------------------------

  /** Python parameters (with defaults; mutable or late defaults become None plus a body assignment). */
  private params(fn: ts.SignatureDeclaration, ctx: Ctx, inner: Ctx, hints = true): { items: Py[]; prologue: Lines } {
    const items: Py[] = [];
    const prologue: Lines = [];
    let afterOptional = false;
    for (const p of fn.parameters) {
      if (ts.isIdentifier(p.name) && p.name.text === "this") continue;
      let pname: string;
      const unpack: Lines = [];
      if (ts.isIdentifier(p.name)) pname = this.symbolName(p.name);
      else {
        pname = this.fresh(inner.scope, ts.isArrayBindingPattern(p.name) ? "_values" : "_options");
        unpack.push(...this.destructurePattern(p.name, name(pname), inner));
      }
      let hint = hints ? this.typeHint(p.type, p.initializer) : undefined;
      const nullDefault = !!p.initializer && (p.initializer.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(p.initializer) && p.initializer.text === "undefined"));
      if (hint && (p.questionToken || nullDefault) && !hint.startsWith("Optional[")) hint = this.optional(hint);
      const annotated = hint ? `${pname}: ${hint}` : pname;
      if (p.dotDotDotToken) {
        items.push(atom(`*${pname}`));
        prologue.push(...unpack);
        continue;
      }
      if (p.initializer) {
        afterOptional = true;
        const eq = hint ? " = " : "=";
        if (this.isDefTimeSafe(p.initializer)) items.push(seq([atom(`${annotated}${eq}`), this.expr(p.initializer, ctx)], P.lambda));
        else {
          items.push(atom(`${annotated}${eq}None`));
          prologue.push(`if ${pname} is None:`, ...this.emit({ ...inner, indent: 4 }, this.expr(p.initializer, inner), `${pname} = `).map((l) => l.slice(0)));
        }
      } else if (p.questionToken || afterOptional) {
        afterOptional = true;
        items.push(atom(`${annotated}${hint ? " = " : "="}None`));
      } else items.push(atom(annotated));
      prologue.push(...unpack);
    }
    return { items, prologue };
  }

  private destructurePattern(p: ts.BindingPattern, source: Py, ctx: Ctx): Lines {
    const c = { ...ctx, indent: 0 };
    if (ts.isArrayBindingPattern(p)) {
      const t = this.arrayTarget(p);
      return t === undefined ? [] : this.emit(c, source, `${t} = `);
    }
    return this.objectPattern(p, source, this.checker.getTypeAtLocation(p), c);
  }

  /** Can a default value be evaluated when the `def` runs (no mutable literal, no later declaration)? */
  private isDefTimeSafe(e: ts.Expression): boolean {
    const x = this.skipOuter(e);
    if (ts.isNumericLiteral(x) || ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return true;
    if (x.kind === ts.SyntaxKind.TrueKeyword || x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isPrefixUnaryExpression(x) && ts.isNumericLiteral(x.operand)) return true;
    if (ts.isIdentifier(x)) {
      if (x.text === "undefined" || x.text === "Infinity" || x.text === "NaN") return true;
      const sym = this.valueSymbol(x);
      const d = sym && this.declOf(sym);
      if (!d) return false;
      if (originOf(d, this.prog.typingsFile).where !== "user") return true;
      if (this.models.has(d)) return false;
      const top = this.topLevelOf(d);
      return !!top && this.emitted.has(top);
    }
    if (ts.isPropertyAccessExpression(x)) {
      const root = this.skipOuter(x.expression);
      if (ts.isIdentifier(root) && (root.text === "nn" || root.text === "F" || root.text === "torch" || root.text === "Math")) return true;
      return this.isDefTimeSafe(x.expression) && !this.isDictType(this.typeOf(x.expression));
    }
    return false;
  }

  /** The top-level statement (or declaration) containing a node. */
  topLevelOf(d: ts.Node): ts.Node | undefined {
    for (let n: ts.Node | undefined = d; n; n = n.parent) {
      if (n.parent && ts.isSourceFile(n.parent)) {
        if (ts.isVariableStatement(n) && ts.isVariableDeclaration(d)) return d;
        return n;
      }
    }
    return undefined;
  }

  /** `def name(params): body` for functions, arrows bound to a name, and methods. */
  functionDef(fn: ts.SignatureDeclaration & { body?: ts.ConciseBody | undefined }, pyName: string, ctx: Ctx, docNode?: ts.Node, opts: { self?: string; decorators?: string[]; returnHint?: string; bodyPrefix?: Lines; extraFree?: ts.Node[] } = {}): Lines {
    const scope = this.enterScope(fn, ctx.scope, opts.extraFree ?? []);
    if (opts.self) scope.names.add(opts.self);
    const inner: Ctx = { ...ctx, scope, indent: ctx.indent + 4, pre: [], update: null, forEach: false, lambda: false, self: opts.self ?? (ts.isArrowFunction(fn) ? ctx.self : null) };
    const { items, prologue } = this.params(fn, ctx, inner);
    const paramItems = opts.self ? [atom(opts.self), ...items] : items;
    const ret = opts.returnHint ?? this.typeHint(fn.type, undefined, true);
    const pad = " ".repeat(ctx.indent);
    const headPy = seq([atom(`def ${pyName}`), group("(", paramItems, ")", "trailing", P.atom, this.multiline(fn.parameters)), atom(`${ret ? ` -> ${ret}` : ""}:`)], P.atom);
    const head = (pad + render(headPy, ctx.indent, ctx.indent)).split("\n");
    const docs = this.docstring(docNode ?? fn, ctx.indent + 4);
    let body: Lines;
    if (!fn.body) body = [];
    else if (ts.isBlock(fn.body)) body = this.block(fn.body.statements, inner);
    else {
      const pre: Lines = [];
      body = this.emit({ ...inner, pre }, this.expr(fn.body, { ...inner, pre }), "return ");
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
  private functionValue(fn: ts.ArrowFunction | ts.FunctionExpression, ctx: Ctx): Py {
    if (ts.isFunctionExpression(fn) && this.usesThis(fn)) return this.unsupported(fn, "A function expression using 'this' (use an arrow function)");
    if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && fn.parameters.every((p) => ts.isIdentifier(p.name))) {
      const scope = this.enterScope(fn, ctx.scope);
      const inner: Ctx = { ...ctx, scope, lambda: true, pre: [] };
      const { items, prologue } = this.params(fn, ctx, inner, false);
      if (!prologue.length) {
        const body = this.expr(fn.body, inner);
        if (!inner.pre.length) {
          const ps = items.map((i) => render(i, 0, 0));
          return seq([atom(`lambda${ps.length ? " " + ps.join(", ") : ""}: `), wrap(body, P.lambda)], P.lambda);
        }
      }
    }
    if (ctx.lambda) return this.unsupported(fn, "A function with statements inside an expression that must stay one expression");
    const n = this.fresh(ctx.scope, "_fn");
    ctx.pre.push(...this.functionDef(fn, n, { ...ctx, indent: ctx.indent }), "");
    return name(n);
  }

  private usesThis(fn: ts.Node): boolean {
    return anyNode(fn, (n) => n.kind === ts.SyntaxKind.ThisKeyword, (n) => n !== fn && (ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isClassLike(n)));
  }

  // ---- type hints -----------------------------------------------------------------------------

  /** A Python type hint for a parameter or return type, or undefined where none is certain. */
  typeHint(t: ts.TypeNode | undefined, init?: ts.Expression, isReturn = false): string | undefined {
    if (!t) return undefined;
    const K = ts.SyntaxKind;
    switch (t.kind) {
      case K.BooleanKeyword:
        return "bool";
      case K.StringKeyword:
        return "str";
      case K.VoidKeyword:
        return isReturn ? "None" : undefined;
      case K.NumberKeyword: {
        const v = init && this.skipOuter(init);
        if (v && ts.isNumericLiteral(v)) return /[.eE]/.test(v.getText()) && !/^0[xXoObB]/.test(v.getText()) ? "float" : "int";
        return undefined;
      }
      case K.LiteralType:
        return ts.isStringLiteral((t as ts.LiteralTypeNode).literal) ? "str" : undefined;
      case K.ParenthesizedType:
        return this.typeHint((t as ts.ParenthesizedTypeNode).type, init, isReturn);
      case K.TypeOperator: {
        const o = t as ts.TypeOperatorNode;
        return o.operator === K.ReadonlyKeyword ? this.typeHint(o.type, init, isReturn) : undefined;
      }
      case K.ArrayType: {
        const el = this.typeHint((t as ts.ArrayTypeNode).elementType);
        if (!el) return undefined;
        this.usage.typing.add("List");
        return `List[${el}]`;
      }
      case K.UnionType: {
        const u = t as ts.UnionTypeNode;
        const nullable = u.types.some((x) => x.kind === K.NullKeyword || x.kind === K.UndefinedKeyword || (ts.isLiteralTypeNode(x) && x.literal.kind === K.NullKeyword));
        const rest = u.types.filter((x) => !(x.kind === K.NullKeyword || x.kind === K.UndefinedKeyword || (ts.isLiteralTypeNode(x) && x.literal.kind === K.NullKeyword)));
        if (rest.every((x) => ts.isLiteralTypeNode(x) && ts.isStringLiteral(x.literal))) return nullable ? this.optional("str") : "str";
        const hints = rest.map((x) => this.typeHint(x, undefined, isReturn));
        if (hints.some((h) => h === undefined)) return undefined;
        const uniq = [...new Set(hints as string[])];
        let h = uniq[0]!;
        if (uniq.length > 1) {
          if (uniq.every((x) => x.startsWith("Type["))) h = `Type[Union[${uniq.map((x) => x.slice(5, -1)).join(", ")}]]`;
          else h = `Union[${uniq.join(", ")}]`;
          this.usage.typing.add("Union");
        }
        return nullable ? this.optional(h) : h;
      }
      case K.TypeQuery: {
        const q = t as ts.TypeQueryNode;
        const h = this.classHint(q.exprName);
        if (!h) return undefined;
        this.usage.typing.add("Type");
        return `Type[${h}]`;
      }
      case K.FunctionType: {
        const r = this.typeHint((t as ts.FunctionTypeNode).type, undefined, true);
        this.usage.typing.add("Callable");
        return `Callable[..., ${r && r !== "None" ? r : "object"}]`;
      }
      case K.TypeReference: {
        const r = t as ts.TypeReferenceNode;
        const sym = this.checker.getSymbolAtLocation(r.typeName);
        const target = sym && sym.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(sym) : sym;
        const typeDecl = target?.declarations?.find((x) => ts.isInterfaceDeclaration(x) || ts.isTypeAliasDeclaration(x) || ts.isClassDeclaration(x));
        const d = typeDecl ?? (target && this.declOf(target));
        if (!d) return undefined;
        const o = originOf(d, this.prog.typingsFile);
        if (o.where === "api") {
          if (o.name === "Tensor") return "Tensor";
          if (o.owner === "nn" && (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d))) return `nn.${o.name}`;
          return undefined;
        }
        if (o.where === "lib") {
          if (o.name === "Array" || o.name === "ReadonlyArray") {
            const arg = r.typeArguments?.[0];
            const el = arg && this.typeHint(arg);
            if (!el) return undefined;
            this.usage.typing.add("List");
            return `List[${el}]`;
          }
          return undefined;
        }
        if (ts.isClassDeclaration(d)) return this.classHint(r.typeName);
        if (ts.isTypeAliasDeclaration(d) && !d.typeParameters) return this.typeHint(d.type, init, isReturn);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private optional(h: string): string {
    this.usage.typing.add("Optional");
    return `Optional[${h}]`;
  }

  private classHint(n: ts.EntityName): string | undefined {
    const sym = this.checker.getSymbolAtLocation(n);
    const target = sym && sym.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(sym) : sym;
    const d = target && this.declOf(target);
    if (!d || !ts.isClassDeclaration(d)) return undefined;
    if (originOf(d, this.prog.typingsFile).where !== "user" || !this.included.has(d)) return undefined;
    return target && this.symbolNames.get(target);
  }

  // ---- classes --------------------------------------------------------------------------------

  /** The builtin class at the root of a class's `extends` chain (`Module`, `Sequential`, ...), "" for none. */
  rootBase(c: ts.ClassLikeDeclaration, depth = 0): string {
    const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!ext || depth > 50) return "";
    const e = this.skipOuter(ext.expression);
    if (ts.isPropertyAccessExpression(e)) {
      const sym = this.checker.getSymbolAtLocation(e.name);
      const d = sym && this.declOf(sym);
      if (d && originOf(d, this.prog.typingsFile).where === "api") return e.name.text;
    }
    const sym = this.valueSymbol(e);
    const d = sym && this.declOf(sym);
    if (d && ts.isClassLike(d)) return this.rootBase(d, depth + 1);
    return "?";
  }

  private classInfo(c: ts.ClassLikeDeclaration): ClassInfo {
    const root = this.rootBase(c);
    const container = ["Sequential", "ModuleList", "ModuleDict"].includes(root) ? root : null;
    const sym = c.name && this.checker.getSymbolAtLocation(c.name);
    return { node: c, name: (sym && this.symbolNames.get(sym)) ?? c.name?.text ?? "_Class", isModule: root !== "" && root !== "?", container, hasBase: root !== "" };
  }

  private isStatic(m: ts.ClassElement): boolean {
    return hasModifier(m, ts.SyntaxKind.StaticKeyword);
  }

  classDef(c: ts.ClassLikeDeclaration, ctx: Ctx): Lines {
    const info = this.classInfo(c);
    const pad = " ".repeat(ctx.indent);
    const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const base = ext ? render(this.expr(ext.expression, ctx), 0, 0) : "";
    const out: Lines = [`${pad}class ${info.name}${base ? `(${base})` : ""}:`];
    const docs = this.docstring(c, ctx.indent + 4);
    out.push(...docs);
    const inner: Ctx = { ...ctx, indent: ctx.indent + 4, cls: info, self: null, pre: [] };
    const members: Lines[] = [];
    // static fields: class attributes
    const statics: Lines = [];
    for (const m of c.members) {
      if (ts.isPropertyDeclaration(m) && this.isStatic(m)) {
        const key = this.propertyNameText(m.name);
        if (key === undefined || !isIdentifier(key)) {
          this.unsupported(m.name, "This static property name");
          continue;
        }
        if (m.initializer && this.usesThis(m.initializer)) {
          this.unsupported(m, "'this' in a static initializer");
          continue;
        }
        const pre: Lines = [];
        const value = m.initializer ? this.expr(m.initializer, { ...inner, pre }) : atom("None");
        statics.push(...this.leadingComments(m, true).map((l) => " ".repeat(inner.indent) + l), ...pre, ...this.simple(m, this.emit(inner, value, `${key} = `)));
      } else if (ts.isClassStaticBlockDeclaration(m)) this.unsupported(m, "A static block");
      else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) this.unsupported(m, "A getter or setter");
      else if (ts.isPropertyDeclaration(m) && m.name.kind === ts.SyntaxKind.PrivateIdentifier) this.unsupported(m, "A #private field");
      else if (ts.isIndexSignatureDeclaration(m)) {
        /* types only */
      }
    }
    if (statics.length) members.push(statics);
    const ctor = c.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    const init = this.constructorDef(c, info, ctor, inner);
    if (init.length) members.push(init);
    for (const m of c.members) {
      if (!ts.isMethodDeclaration(m) || !m.body) continue;
      const key = this.propertyNameText(m.name);
      if (key === undefined) {
        this.unsupported(m.name, "A computed method name");
        continue;
      }
      if (m.asteriskToken || hasModifier(m, ts.SyntaxKind.AsyncKeyword)) {
        this.unsupported(m, "A generator or async method");
        continue;
      }
      const isStatic = this.isStatic(m);
      const lines = this.functionDef(m, this.methodName(key), inner, m, isStatic ? { decorators: ["@staticmethod"] } : { self: "self" });
      members.push([...this.leadingComments(m, true).map((l) => " ".repeat(inner.indent) + l), ...lines]);
    }
    if (!members.length && !docs.length) members.push([`${" ".repeat(inner.indent)}pass`]);
    members.forEach((m, i) => {
      if (i > 0 || docs.length) out.push("");
      out.push(...m);
    });
    return out;
  }

  /** Instance field initialisers and parameter properties, as TypeScript runs them after `super()`. */
  private fieldInits(c: ts.ClassLikeDeclaration, ctor: ts.ConstructorDeclaration | undefined, ctx: Ctx): Lines {
    const out: Lines = [];
    if (ctor) {
      for (const p of ctor.parameters) {
        if (ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name)) out.push(`${" ".repeat(ctx.indent)}self.${this.fieldName(p.name.text, p)} = ${this.symbolName(p.name)}`);
      }
    }
    for (const m of c.members) {
      if (!ts.isPropertyDeclaration(m) || this.isStatic(m) || !m.initializer) continue;
      if (hasModifier(m, ts.SyntaxKind.DeclareKeyword)) continue;
      const key = this.propertyNameText(m.name);
      if (key === undefined) continue;
      out.push(...this.leadingComments(m, true).map((l) => " ".repeat(ctx.indent) + l));
      out.push(...ctx.pre.splice(0), ...this.simple(m, this.fieldAssignment(ctx, atom("self"), this.fieldName(key, m), this.expr(m.initializer, { ...ctx, self: "self" }), m.initializer)));
    }
    return out;
  }

  /** A field keeps its name (it is a state_dict key); one PyTorch would shadow is an error. */
  private fieldName(key: string, node: ts.Node): string {
    if (!isIdentifier(key)) this.unsupported(node, `The field name '${key}' (not a Python identifier)`);
    return identifierChars(key);
  }

  /**
   * A child module stored in a field whose name is an nn.Module attribute (`double`, `parameters`,
   * ...) is registered and read through _modules: `self.double` would be the method, and
   * add_module refuses the name.
   */
  private hiddenChild(name: string, valueNode: ts.Node): boolean {
    return TORCH_MODULE_ATTRIBUTES.has(name) && this.isModuleType(this.typeOf(valueNode));
  }

  /** `self.x = value`, or `self._modules["x"] = value` for a child under an nn.Module attribute's name. */
  private fieldAssignment(ctx: Ctx, recv: Py, key: string, value: Py, valueNode: ts.Node): Lines {
    if (this.hiddenChild(key, valueNode)) return this.emit(ctx, value, `${render(recv, 0, 0)}._modules[${pyString(key)}] = `);
    return this.emit(ctx, value, `${render(recv, 0, 0)}.${key} = `);
  }

  private constructorDef(c: ts.ClassLikeDeclaration, info: ClassInfo, ctor: ts.ConstructorDeclaration | undefined, ctx: Ctx): Lines {
    const fieldInitializers = c.members.filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !this.isStatic(m) && !!m.initializer).map((m) => m.initializer!);
    const pad = " ".repeat(ctx.indent);
    if (!ctor) {
      const scope = new Scope(c, ctx.scope);
      scope.names.add("self");
      const inner: Ctx = { ...ctx, scope, indent: ctx.indent + 4, self: "self", pre: [] };
      for (const e of fieldInitializers) this.enterScope(e, ctx.scope, [], scope);
      const fields = this.fieldInits(c, undefined, inner);
      if (!fields.length) return [];
      if (!info.hasBase) return [`${pad}def __init__(self) -> None:`, ...fields];
      if (this.isDirectModuleBase(c)) return [`${pad}def __init__(self) -> None:`, `${pad}    super().__init__()`, ...fields];
      const rest = info.container ? "*args" : "*args, **kwargs";
      return [`${pad}def __init__(self, ${rest}) -> None:`, `${pad}    super().__init__(${rest})`, ...fields];
    }
    const superStmt = ctor.body!.statements.find((s) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === ts.SyntaxKind.SuperKeyword);
    if (info.hasBase && !superStmt && this.containsSuper(ctor.body!)) this.unsupported(ctor, "A super(...) call that is not a statement of the constructor body");
    const fieldsAfter = !info.hasBase;
    const lines = this.functionDef(ctor, "__init__", ctx, ctor, {
      self: "self",
      returnHint: "None",
      extraFree: fieldInitializers,
      bodyPrefix: fieldsAfter ? this.pendingFields(c, ctor, ctx) : [],
    });
    return lines;
  }

  private isDirectModuleBase(c: ts.ClassLikeDeclaration): boolean {
    const ext = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!ext) return false;
    const e = this.skipOuter(ext.expression);
    return ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "nn" && e.name.text === "Module";
  }

  private pendingFields(c: ts.ClassLikeDeclaration, ctor: ts.ConstructorDeclaration, ctx: Ctx): Lines {
    const scope = new Scope(ctor, ctx.scope);
    return this.fieldInits(c, ctor, { ...ctx, scope, indent: ctx.indent + 4, self: "self", pre: [] });
  }

  private containsSuper(n: ts.Node): boolean {
    return anyNode(n, (x) => ts.isCallExpression(x) && x.expression.kind === ts.SyntaxKind.SuperKeyword);
  }

  /** `super(...)` → `super().__init__(...)`, then parameter properties and field initialisers. */
  private superCall(e: ts.CallExpression, ctx: Ctx): Lines {
    const cls = ctx.cls;
    if (!cls) {
      this.unsupported(e, "'super()' outside a class");
      return [];
    }
    let args: (Item | Py)[];
    const only = e.arguments.length === 1 ? this.skipOuter(e.arguments[0]!) : undefined;
    if (cls.container === "Sequential" && only && (ts.isObjectLiteralExpression(only) || this.isDictType(this.typeOf(only)))) args = [this.orderedDict(only, ctx)];
    else args = this.args(e.arguments, ctx);
    const out = this.emit(ctx, asMultiline(call(atom("super().__init__"), args), this.multiline(e.arguments)));
    const ctor = e.parent?.parent?.parent;
    if (ctor && ts.isConstructorDeclaration(ctor)) out.push(...this.fieldInits(cls.node, ctor, ctx));
    return out;
  }

  // ---- expressions ----------------------------------------------------------------------------

  private isSimple(e: ts.Expression): boolean {
    const x = this.skipOuter(e);
    if (ts.isIdentifier(x) || x.kind === ts.SyntaxKind.ThisKeyword || ts.isLiteralExpression(x)) return true;
    if (ts.isPropertyAccessExpression(x)) return this.isSimple(x.expression);
    if (ts.isElementAccessExpression(x)) return this.isSimple(x.expression) && this.isSimple(x.argumentExpression);
    return false;
  }

  expr(e: ts.Expression, ctx: Ctx): Py {
    const K = ts.SyntaxKind;
    if (ctx.iterable && !ts.isCallExpression(e) && !ts.isParenthesizedExpression(e) && !ts.isAsExpression(e) && !ts.isNonNullExpression(e)) ctx = { ...ctx, iterable: false };
    switch (e.kind) {
      case K.NumericLiteral:
        return this.number(e as ts.NumericLiteral);
      case K.BigIntLiteral:
        return this.unsupported(e, "A BigInt literal");
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
        return atom(pyString((e as ts.StringLiteral).text, ctx.fstring ? "'" : '"'));
      case K.TemplateExpression:
        return this.template(e as ts.TemplateExpression, ctx);
      case K.TrueKeyword:
        return atom("True");
      case K.FalseKeyword:
        return atom("False");
      case K.NullKeyword:
        return atom("None");
      case K.Identifier:
        return this.identifier(e as ts.Identifier, ctx);
      case K.ThisKeyword:
        if (!ctx.self) return this.unsupported(e, "'this' outside an instance method or constructor");
        return name(ctx.self);
      case K.ParenthesizedExpression:
      case K.AsExpression:
      case K.SatisfiesExpression:
      case K.NonNullExpression:
      case K.TypeAssertionExpression:
        return this.expr((e as ts.ParenthesizedExpression).expression, ctx);
      case K.ArrayLiteralExpression:
        return asMultiline(list(this.elements((e as ts.ArrayLiteralExpression).elements, ctx)), this.multiline((e as ts.ArrayLiteralExpression).elements));
      case K.ObjectLiteralExpression:
        return this.objectLiteral(e as ts.ObjectLiteralExpression, ctx);
      case K.PropertyAccessExpression:
        return this.propertyAccess(e as ts.PropertyAccessExpression, ctx);
      case K.ElementAccessExpression:
        return this.elementAccess(e as ts.ElementAccessExpression, ctx);
      case K.CallExpression:
        return this.callExpr(e as ts.CallExpression, ctx);
      case K.NewExpression:
        return this.newExpr(e as ts.NewExpression, ctx);
      case K.BinaryExpression:
        return this.binaryExpr(e as ts.BinaryExpression, ctx);
      case K.PrefixUnaryExpression:
        return this.prefix(e as ts.PrefixUnaryExpression, ctx);
      case K.PostfixUnaryExpression:
        return this.unsupported(e, "An increment or decrement inside an expression (write it as its own statement)");
      case K.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        return ifElse(this.condExpr(c.condition, ctx), this.expr(c.whenTrue, ctx), this.expr(c.whenFalse, ctx));
      }
      case K.ArrowFunction:
      case K.FunctionExpression:
        return this.functionValue(e as ts.ArrowFunction, ctx);
      case K.TypeOfExpression:
        return this.unsupported(e, "'typeof' outside a comparison with a type name");
      case K.VoidExpression:
        return atom("None");
      case K.SpreadElement:
        return star(this.expr((e as ts.SpreadElement).expression, ctx));
      case K.ClassExpression:
        return this.unsupported(e, "A class expression (declare the class with a name)");
      case K.OmittedExpression:
        return atom("None");
      default:
        return this.unsupported(e, `The expression '${e.getText().slice(0, 40)}' (${K[e.kind]})`);
    }
  }

  private number(n: ts.NumericLiteral): Py {
    const src = n.getText();
    if (/^(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?|\.[0-9_]+([eE][+-]?[0-9_]+)?)$/.test(src) && !/^0[0-9]/.test(src)) {
      return atom(src.startsWith(".") ? `0${src}` : src);
    }
    return atom(String(Number(n.text)));
  }

  private template(t: ts.TemplateExpression, ctx: Ctx): Py {
    if (ctx.fstring) return this.unsupported(t, "A template string inside a template string");
    const esc = (s: string) => pyString(s).slice(1, -1).replace(/\{/g, "{{").replace(/\}/g, "}}");
    let s = `f"${esc(t.head.text)}`;
    let fallback = false;
    const inner: Ctx = { ...ctx, fstring: true };
    const parts: Py[] = [atom(pyString(t.head.text))];
    for (const span of t.templateSpans) {
      const v = this.expr(span.expression, inner);
      const text = render(v, 0, 0, 0, 10_000);
      if (/["\\\n#]/.test(text)) fallback = true;
      s += `{${text}}${esc(span.literal.text)}`;
      parts.push(call(name("str"), [this.expr(span.expression, ctx)]), atom(pyString(span.literal.text)));
    }
    if (!fallback) return atom(`${s}"`);
    const nonEmpty = parts.filter((p) => !(p.k === "atom" && p.s === '""'));
    return nonEmpty.slice(1).reduce((a, b) => binary(a, "+", b, P.sum), nonEmpty[0] ?? atom('""'));
  }

  private identifier(id: ts.Identifier, _ctx: Ctx): Py {
    switch (id.text) {
      case "undefined":
        return atom("None");
      case "NaN":
        this.usage.math = true;
        return atom("math.nan");
      case "Infinity":
        this.usage.math = true;
        return atom("math.inf");
    }
    const sym = this.valueSymbol(id);
    const d = sym && this.declOf(sym);
    if (d) {
      const model = this.models.get(d);
      if (model) return call(name(model.builder), []);
      const o = originOf(d, this.prog.typingsFile);
      if (o.where === "api") {
        if (id.text === "nn" || id.text === "torch") return name(id.text);
        if (id.text === "F") {
          this.usage.F = true;
          return name("F");
        }
      }
    }
    if (sym) {
      const py = this.symbolNames.get(sym);
      if (py) return name(py);
      if (sym.flags & ts.SymbolFlags.ValueModule) return this.unsupported(id, `The namespace import '${id.text}' used as a value`);
    }
    if (!sym || !this.isUserSymbol(sym)) {
      if (["nn", "torch"].includes(id.text)) return name(id.text);
      if (id.text === "F") {
        this.usage.F = true;
        return name("F");
      }
      this.reporter.report("error", id, `'${id.text}' is not defined (or not part of the model language)`, "export-undefined");
      return atom("...");
    }
    return name(safeName(snake(id.text)));
  }

  private elements(els: readonly ts.Expression[], ctx: Ctx): Item[] {
    return els.map((el) => this.item(el, ts.isSpreadElement(el) ? star(this.expr(el.expression, ctx)) : this.expr(el, ctx)));
  }

  private args(args: readonly ts.Expression[], ctx: Ctx): Item[] {
    return this.elements(args, ctx);
  }

  private objectLiteral(o: ts.ObjectLiteralExpression, ctx: Ctx): Py {
    const entries: Item[] = [];
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = this.keyPy(p.name, ctx);
        entries.push(this.item(p, entry(key, this.expr(p.initializer, ctx))));
      } else if (ts.isShorthandPropertyAssignment(p)) {
        entries.push(this.item(p, entry(atom(pyString(p.name.text, ctx.fstring ? "'" : '"')), this.identifier(p.name, ctx))));
      } else if (ts.isSpreadAssignment(p)) {
        entries.push(this.item(p, star(this.expr(p.expression, ctx), "**")));
      } else this.unsupported(p, "A method, getter or setter in an object literal");
    }
    return asMultiline(dict(entries), this.multiline(o.properties));
  }

  private keyPy(n: ts.PropertyName, ctx: Ctx): Py {
    if (ts.isComputedPropertyName(n)) return this.expr(n.expression, ctx);
    const t = this.propertyNameText(n);
    return atom(pyString(t ?? n.getText(), ctx.fstring ? "'" : '"'));
  }

  /** `nn.Sequential({ a: m, b: n })` → `OrderedDict([("a", m), ("b", n)])`. */
  private orderedDict(o: ts.Expression, ctx: Ctx): Py {
    this.usage.orderedDict = true;
    if (!ts.isObjectLiteralExpression(o) || o.properties.some((p) => ts.isSpreadAssignment(p))) return call(name("OrderedDict"), [this.expr(o, ctx)]);
    const pairs: Item[] = [];
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) pairs.push(this.item(p, tuple([this.keyPy(p.name, ctx), this.expr(p.initializer, ctx)])));
      else if (ts.isShorthandPropertyAssignment(p)) pairs.push(this.item(p, tuple([atom(pyString(p.name.text)), this.identifier(p.name, ctx)])));
      else this.unsupported(p, "A method in a Sequential's children");
    }
    return call(name("OrderedDict"), [asMultiline(list(pairs), this.multiline(o.properties))]);
  }

  // ---- member access --------------------------------------------------------------------------

  private memberName(prop: ts.Symbol | undefined, key: string): string {
    const d = prop && this.declOf(prop);
    if (d) {
      const o = originOf(d, this.prog.typingsFile);
      if (o.where === "api") return snake(key);
      if (ts.isMethodDeclaration(d)) return this.methodName(key);
    }
    return key;
  }

  private propertyAccess(pa: ts.PropertyAccessExpression, ctx: Ctx): Py {
    const key = pa.name.text;
    if (pa.expression.kind === ts.SyntaxKind.SuperKeyword) {
      return attr(atom("super()"), this.methodName(key));
    }
    const recvNode = this.skipOuter(pa.expression);
    // namespace imports: `resnet.BasicBlock`
    if (ts.isIdentifier(recvNode)) {
      const rs = this.checker.getSymbolAtLocation(recvNode);
      const target = rs && rs.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(rs) : rs;
      if (target && target.flags & ts.SymbolFlags.ValueModule && target.valueDeclaration && ts.isSourceFile(target.valueDeclaration)) {
        const exp = this.checker.getSymbolAtLocation(pa.name);
        const resolved = exp && exp.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exp) : exp;
        const d = resolved && this.declOf(resolved);
        const model = d && this.models.get(d);
        if (model) return call(name(model.builder), []);
        const py = resolved && this.symbolNames.get(resolved);
        return py ? name(py) : this.unsupported(pa, `'${pa.getText()}'`);
      }
      if (recvNode.text === "Math") return this.mathConstant(pa, key);
      if (recvNode.text === "Number" && key === "MAX_SAFE_INTEGER") return atom("9007199254740991");
    }
    const prop = this.checker.getSymbolAtLocation(pa.name);
    const d = prop && this.declOf(prop);
    const recvType = this.typeOf(pa.expression);
    const recv = this.expr(pa.expression, ctx);
    if (pa.questionDotToken) {
      if (!this.isSimple(pa.expression)) return this.unsupported(pa, "Optional chaining on an expression with calls");
    }
    const optional = (py: Py): Py => (pa.questionDotToken ? ifElse(binary(recv, "is not", atom("None"), P.compare), py, atom("None")) : py);
    if (d) {
      const o = originOf(d, this.prog.typingsFile);
      if (o.where === "lib") {
        if (key === "length") return optional(call(name("len"), [recv]));
        return this.unsupported(pa, `'.${key}' here`);
      }
      if (o.where === "api") {
        if (key === "length") return optional(call(name("len"), [recv]));
        if (o.owner === "nn") return attr(recv, key);
        if (o.owner === "torch") return attr(recv, key === "concat" ? "cat" : key);
        if (o.owner === "F") {
          this.usage.F = true;
          const r = F_RENAMES[key];
          return r ? atom(r) : attr(recv, snake(key));
        }
        return optional(attr(recv, snake(key)));
      }
    }
    if (this.isModuleType(recvType) || (d && (ts.isPropertyDeclaration(d) || ts.isMethodDeclaration(d) || ts.isParameter(d) || ts.isGetAccessorDeclaration(d)))) {
      const pyKey = d && ts.isMethodDeclaration(d) ? this.methodName(key) : key;
      if (!(d && ts.isMethodDeclaration(d)) && this.isModuleType(recvType) && this.hiddenChild(key, pa)) return optional(subscript(attr(recv, "_modules"), atom(pyString(key))));
      if (!isIdentifier(pyKey)) return optional(call(name("getattr"), [recv, atom(pyString(pyKey))]));
      return optional(attr(recv, pyKey));
    }
    if (d && ts.isClassDeclaration(d.parent) === false && (ts.isPropertySignature(d) || ts.isPropertyAssignment(d) || ts.isShorthandPropertyAssignment(d) || ts.isMethodSignature(d)) && this.isDictType(recvType)) {
      if (prop && prop.flags & ts.SymbolFlags.Optional) return optional(call(attr(recv, "get"), [atom(pyString(key, ctx.fstring ? "'" : '"'))]));
      return optional(subscript(recv, atom(pyString(key, ctx.fstring ? "'" : '"'))));
    }
    if (this.isDictType(recvType)) return optional(subscript(recv, atom(pyString(key, ctx.fstring ? "'" : '"'))));
    if (recvType.getConstructSignatures().length || (d && ts.isPropertyDeclaration(d))) return optional(attr(recv, key));
    if (this.isUnknownType(recvType) || !d) this.warn(pa, `The type of '${pa.expression.getText().slice(0, 40)}' is unknown: '.${key}' is exported as an attribute access`);
    return optional(attr(recv, isIdentifier(key) ? key : safeName(key)));
  }

  private mathConstant(pa: ts.PropertyAccessExpression, key: string): Py {
    this.usage.math = true;
    if (key === "PI") return atom("math.pi");
    if (key === "E") return atom("math.e");
    return this.unsupported(pa, `Math.${key} as a value`);
  }

  private elementAccess(ea: ts.ElementAccessExpression, ctx: Ctx): Py {
    const recvType = this.typeOf(ea.expression);
    const recv = this.expr(ea.expression, ctx);
    const arg = this.skipOuter(ea.argumentExpression);
    if (this.isModuleType(recvType) && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
      const isDict = !!this.checker.getPropertyOfType(recvType, "items");
      if (!isDict) return isIdentifier(arg.text) ? attr(recv, arg.text) : call(name("getattr"), [recv, atom(pyString(arg.text))]);
    }
    if (this.isModuleType(recvType) && this.isStringType(this.typeOf(arg)) && !this.checker.getPropertyOfType(recvType, "items")) {
      return call(name("getattr"), [recv, this.expr(arg, ctx)]);
    }
    let index = this.expr(ea.argumentExpression, ctx);
    if (this.isNumberType(this.typeOf(arg)) && this.maybeFloat(arg)) index = call(name("int"), [index]);
    if (this.isDictType(recvType) && ts.isNumericLiteral(arg)) index = atom(pyString(arg.text));
    return subscript(recv, index);
  }

  // ---- calls ----------------------------------------------------------------------------------

  private calleeOrigin(e: ts.CallExpression | ts.NewExpression): (Origin & { decl: ts.SignatureDeclaration }) | undefined {
    let sig: ts.Signature | undefined;
    try {
      sig = this.checker.getResolvedSignature(e);
    } catch {
      return undefined;
    }
    const decl = sig?.getDeclaration();
    if (!decl) return undefined;
    return { ...originOf(decl, this.prog.typingsFile), decl };
  }

  private callExpr(e: ts.CallExpression, ctx: Ctx): Py {
    if (e.expression.kind === ts.SyntaxKind.SuperKeyword) return this.unsupported(e, "'super(...)' inside an expression");
    if (e.questionDotToken) return this.unsupported(e, "Optional call '?.()'");
    const callee = this.skipOuter(e.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const o = this.calleeOrigin(e);
      const n = o && o.where === "api" ? (MODULE_METHODS[callee.name.text]?.py ?? snake(callee.name.text)) : this.methodName(callee.name.text);
      return call(attr(atom("super()"), n), this.args(e.arguments, ctx));
    }
    const o = this.calleeOrigin(e);
    const iterable = !!ctx.iterable;
    ctx = iterable ? { ...ctx, iterable: false } : ctx;
    if (o && o.where === "api") return asMultiline(this.apiCall(e, callee, o, ctx, iterable), this.multiline(e.arguments));
    if (o && o.where === "lib") {
      const r = this.libCall(e, callee, o, ctx, iterable);
      if (r) return r;
    }
    // calls through function-typed values declared without a body (`normLayer(c)`, `activation({ inplace: true })`)
    if (o && o.where === "user" && !(o.decl as { body?: ts.Node }).body && (ts.isFunctionTypeNode(o.decl) || ts.isCallSignatureDeclaration(o.decl) || ts.isMethodSignature(o.decl))) {
      const params = o.decl.parameters;
      const lastArg = e.arguments[e.arguments.length - 1];
      const lastParam = params[e.arguments.length - 1];
      if (lastArg && lastParam && !lastParam.dotDotDotToken && this.isOptionsType(this.checker.getTypeAtLocation(lastParam))) {
        return call(this.expr(callee, ctx), [...this.args(e.arguments.slice(0, -1), ctx), ...this.kwargs(lastArg, ctx, true)]);
      }
    }
    return asMultiline(call(this.expr(callee, ctx), this.args(e.arguments, ctx)), this.multiline(e.arguments));
  }

  private isOptionsType(t: ts.Type): boolean {
    const nn = this.checker.getNonNullableType(t);
    return this.isDictType(nn) && !this.isArrayLike(nn);
  }

  private newExpr(e: ts.NewExpression, ctx: Ctx): Py {
    const callee = this.skipOuter(e.expression);
    const args = e.arguments ?? [];
    if (ts.isIdentifier(callee)) {
      if (/^(Error|TypeError|RangeError)$/.test(callee.text)) return call(name(callee.text === "TypeError" ? "TypeError" : "ValueError"), this.args(args, ctx));
      if (callee.text === "Array") {
        const n = args[0];
        return n ? binary(list([atom("None")]), "*", this.expr(n, ctx), P.term) : list([]);
      }
    }
    const o = this.calleeOrigin(e);
    if (o && o.where === "api") return asMultiline(this.apiCall(e, callee, o, ctx), this.multiline(e.arguments));
    return asMultiline(call(this.expr(callee, ctx), this.args(args, ctx)), this.multiline(e.arguments));
  }

  /** Keyword arguments from an options object (camelCase → snake_case; `inplace` dropped). */
  private kwargs(arg: ts.Expression, ctx: Ctx, dropInplace: boolean, intKeys?: ReadonlySet<string>): Item[] {
    const o = this.skipOuter(arg);
    if (ts.isObjectLiteralExpression(o)) {
      const out: Item[] = [];
      const explicit = new Set<string>();
      for (const p of o.properties) if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && this.propertyNameText(p.name)) explicit.add(this.propertyNameText(p.name)!);
      for (const p of o.properties) {
        if (ts.isSpreadAssignment(p)) {
          out.push(this.item(p, this.spreadKwargs(p.expression, ctx, dropInplace, explicit)));
          continue;
        }
        if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
          this.unsupported(p, "A method in an options object");
          continue;
        }
        const key = this.propertyNameText(p.name);
        if (key === undefined) {
          this.unsupported(p.name, "A computed option name");
          continue;
        }
        if (dropInplace && key === "inplace") {
          this.usage.inplace = true;
          continue;
        }
        const valueNode = ts.isPropertyAssignment(p) ? p.initializer : p.name;
        let value = ts.isPropertyAssignment(p) ? this.expr(p.initializer, ctx) : this.identifier(p.name, ctx);
        if (intKeys?.has(key)) value = this.intValue(valueNode, value, ctx);
        out.push(this.item(p, kwarg(snake(key), value)));
      }
      return out;
    }
    return [{ py: this.spreadKwargs(arg, ctx, dropInplace, new Set()) }];
  }

  /** `**opts` for an options value (through `_kwargs(...)` when its keys need renaming). */
  private spreadKwargs(e: ts.Expression, ctx: Ctx, dropInplace: boolean, explicit: ReadonlySet<string>): Py {
    const t = this.typeOf(e);
    const props = this.checker.getPropertiesOfType(t).map((p) => p.name);
    const clash = props.some((p) => explicit.has(p));
    const clean = !this.isUnknownType(t) && props.every((p) => snake(p) === p && !(dropInplace && p === "inplace"));
    const v = this.expr(e, ctx);
    if (clean && !clash) return star(v, "**");
    this.usage.kwargsHelper = true;
    if (clash) this.warn(e, "Options given both in a spread object and explicitly: the explicit ones win");
    return star(call(name("_kwargs"), [v]), "**");
  }

  /** An integer argument: `int(...)` around a value that may be a float in Python. */
  private intValue(node: ts.Expression, py: Py, ctx: Ctx): Py {
    const n = this.skipOuter(node);
    if (ts.isArrayLiteralExpression(n)) return tuple(n.elements.map((el) => this.intValue(el, this.expr(el, ctx), ctx)));
    if (this.isNumberType(this.typeOf(n)) && this.maybeFloat(n)) return call(name("int"), [py]);
    return py;
  }

  /** A pair argument of the API: an array literal becomes a tuple. */
  private apiArg(node: ts.Expression, ctx: Ctx, isInt: boolean, isPair: boolean): Item {
    const n = this.skipOuter(node);
    if (ts.isSpreadElement(node)) return this.item(node, star(this.expr(node.expression, ctx)));
    if (isPair && ts.isArrayLiteralExpression(n) && n.elements.length === 2 && !n.elements.some(ts.isSpreadElement)) {
      return this.item(node, tuple(n.elements.map((el) => (isInt ? this.intValue(el, this.expr(el, ctx), ctx) : this.expr(el, ctx)))));
    }
    return this.item(node, isInt ? this.intValue(node, this.expr(node, ctx), ctx) : this.expr(node, ctx));
  }

  /** Calls of the model language's API: nn factories, F, torch, tensor and module methods. */
  private apiCall(e: ts.CallExpression | ts.NewExpression, callee: ts.Expression, o: { owner: string; name: string; decl: ts.SignatureDeclaration }, ctx: Ctx, iterable = false): Py {
    const args = e.arguments ?? [];
    const params = o.decl.parameters;
    const owner = o.owner;
    // a module called like a function
    if (owner === "Module" && (ts.isCallSignatureDeclaration(o.decl) || !o.name)) return call(this.expr(callee, ctx), this.args(args, ctx));
    const ctorOwner = /^(Sequential|ModuleList|ModuleDict)Constructor$/.exec(owner);
    if (ctorOwner) {
      const kind = ctorOwner[1]!;
      const fn = this.factoryCallee(callee, ctx, kind);
      const only = args.length === 1 ? this.skipOuter(args[0]!) : undefined;
      if (kind === "Sequential" && only && !ts.isSpreadElement(only) && (ts.isObjectLiteralExpression(only) || this.isDictType(this.typeOf(only)))) return call(fn, [this.orderedDict(only, ctx)]);
      return call(fn, this.args(args, ctx));
    }
    if (owner === "nn" || owner === "F" || owner === "torch") {
      if (owner === "F") this.usage.F = true;
      const kind = owner === "nn" ? LAYER_KINDS.get(o.name) : owner === "F" ? FUNCTIONAL_KINDS.get(o.name) : undefined;
      const fn = this.apiCallee(callee, owner, o.name, ctx);
      if (owner === "nn" && o.name === "Identity") return call(fn, []);
      const items: Item[] = [];
      const spreads = args.some(ts.isSpreadElement);
      const intNames = new Set((kind?.params ?? []).filter((p) => INT_TYPES.has(p.type)).map((p) => p.name));
      if (owner === "F" && ["maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveMaxPool2d"].includes(o.name)) intNames.add("x");
      args.forEach((a, i) => {
        const p = spreads ? undefined : params[i];
        const pname = p && ts.isIdentifier(p.name) ? p.name.text : undefined;
        if (pname === "inplace") {
          this.usage.inplace = true;
          return;
        }
        if (pname === "opts" && !ts.isSpreadElement(a)) {
          items.push(...this.kwargs(a, ctx, true, intNames));
          return;
        }
        const isInt = pname !== undefined && (intNames.has(pname) || this.intParam(owner, o.name, pname));
        const isPair = !!p?.type && /Size2d|Conv2dPadding|\[number, number\]/.test(p.type.getText());
        items.push(this.apiArg(a, ctx, isInt, isPair));
      });
      return call(fn, items);
    }
    if (owner === "Tensor") {
      const recv = ts.isPropertyAccessExpression(callee) ? this.expr(callee.expression, ctx) : undefined;
      if (!recv) return call(this.expr(callee, ctx), this.args(args, ctx));
      const intArgs = ["view", "reshape", "size", "flatten"].includes(o.name);
      return call(attr(recv, o.name), args.map((a) => (ts.isSpreadElement(a) ? this.item(a, star(this.expr(a.expression, ctx))) : this.item(a, intArgs ? this.intValue(a, this.expr(a, ctx), ctx) : this.expr(a, ctx)))));
    }
    if (owner === "ObjectConstructor") {
      // Object.values / entries of a ModuleDict
      const a = args[0];
      if (!a) return this.unsupported(e, `Object.${o.name}()`);
      const m = o.name === "entries" ? "items" : o.name;
      const py = call(attr(this.expr(a, ctx), m), []);
      return iterable ? py : call(name("list"), [py]);
    }
    if (owner === "Module" || owner === "Sequential" || owner === "ModuleList" || owner === "ModuleDictBase") {
      const recv = ts.isPropertyAccessExpression(callee) ? this.expr(callee.expression, ctx) : undefined;
      const m = MODULE_METHODS[o.name];
      if (!recv || !m) return call(this.expr(callee, ctx), this.args(args, ctx));
      const py = call(attr(recv, m.py), this.args(args, ctx));
      return m.list && !iterable ? call(name("list"), [py]) : py;
    }
    return call(this.expr(callee, ctx), this.args(args, ctx));
  }

  private intParam(owner: string, fn: string, param: string): boolean {
    if (owner === "torch" && ((fn === "cat" || fn === "concat") && param === "dim")) return true;
    if (owner === "torch" && fn === "flatten" && (param === "startDim" || param === "endDim")) return true;
    if (owner === "F" && (param === "dim" || param === "outputSize" || param === "kernelSize")) return true;
    return false;
  }

  /** `nn.Conv2d` → `nn.Conv2d`, `F.maxPool2d` → `F.max_pool2d`, `torch.concat` → `torch.cat`; aliases stay as written. */
  private apiCallee(callee: ts.Expression, owner: string, n: string, ctx: Ctx): Py {
    const direct = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === owner;
    if (!direct) return this.expr(callee, ctx);
    if (owner === "F") {
      const r = F_RENAMES[n];
      return atom(r ?? `F.${snake(n)}`);
    }
    if (owner === "torch") return atom(`torch.${n === "concat" ? "cat" : n}`);
    return atom(`nn.${n}`);
  }

  private factoryCallee(callee: ts.Expression, ctx: Ctx, kind: string): Py {
    const direct = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "nn";
    return direct ? atom(`nn.${kind}`) : this.expr(callee, ctx);
  }

  /** Calls of the JavaScript library: Math, arrays, strings, Object, Array, Number, String. */
  private libCall(e: ts.CallExpression, callee: ts.Expression, o: { owner: string; name: string }, ctx: Ctx, iterable = false): Py | undefined {
    const args = e.arguments;
    const a = (i: number): Py => (args[i] ? this.expr(args[i]!, ctx) : atom("None"));
    const recv = (): Py => (ts.isPropertyAccessExpression(callee) ? this.expr(callee.expression, ctx) : atom("None"));
    const hasSpread = args.some(ts.isSpreadElement);
    switch (o.owner) {
      case "Math": {
        const mathBefore = this.usage.math;
        this.usage.math = !(o.name === "abs" || o.name === "pow" || o.name === "max" || o.name === "min") || this.usage.math;
        switch (o.name) {
          case "floor": {
            const wasMath = mathBefore;
            const x = args[0] && this.skipOuter(args[0]);
            if (x && ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.SlashToken && this.certainlyInt(x.left) && this.certainlyInt(x.right)) {
              this.usage.math = wasMath;
              return binary(this.expr(x.left, ctx), "//", this.expr(x.right, ctx), P.term);
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
            if (hasSpread && args.length === 1) return call(name(o.name), [this.expr((args[0] as ts.SpreadElement).expression, ctx)]);
            if (args.length === 1) return a(0);
            return call(name(o.name), this.args(args, ctx));
        }
        return undefined;
      }
      case "Array":
      case "ReadonlyArray":
        return this.arrayMethod(e, callee, o.name, recv, ctx, iterable);
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
          this.usage.math = true;
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
        if (o.name === "from") return this.arrayFrom(e, ctx);
        if (!o.name) {
          const n = args[0];
          return n ? binary(list([atom("None")]), "*", this.expr(n, ctx), P.term) : list([]);
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
        return call(name("ValueError"), this.args(args, ctx));
    }
    return undefined;
  }

  private callbackParts(fn: ts.Expression | undefined, ctx: Ctx, arity: number): { params: string[]; body: (inner: Ctx) => Py; scope: Scope } | undefined {
    const f = fn && this.skipOuter(fn);
    if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f))) return undefined;
    if (ts.isFunctionExpression(f) && this.usesThis(f)) return undefined;
    if (f.parameters.length > arity || f.parameters.some((p) => !ts.isIdentifier(p.name) || p.initializer || p.dotDotDotToken)) return undefined;
    let ret: ts.Expression | undefined;
    if (ts.isBlock(f.body)) {
      const only = f.body.statements.length === 1 ? f.body.statements[0] : undefined;
      if (only && ts.isReturnStatement(only) && only.expression) ret = only.expression;
      else return undefined;
    } else ret = f.body;
    const scope = this.enterScope(f, ctx.scope);
    const params = f.parameters.map((p) => this.symbolName(p.name as ts.Identifier));
    const body = ret;
    return { params, body: (inner) => this.expr(body, { ...inner, scope, lambda: true }), scope };
  }

  private arrayFrom(e: ts.CallExpression, ctx: Ctx): Py {
    const src = e.arguments[0] && this.skipOuter(e.arguments[0]);
    const fn = e.arguments[1];
    if (!src) return list([]);
    let iter: Py;
    let lengthOnly = false;
    if (ts.isObjectLiteralExpression(src) && src.properties.length === 1) {
      const p = src.properties[0]!;
      if (ts.isPropertyAssignment(p) && this.propertyNameText(p.name) === "length") {
        iter = call(name("range"), [this.intValue(p.initializer, this.expr(p.initializer, ctx), ctx)]);
        lengthOnly = true;
      } else return this.unsupported(src, "Array.from of this object");
    } else iter = this.expr(src, ctx);
    if (!fn) return lengthOnly ? list([atom("None")]) : call(name("list"), [iter]);
    const cb = this.callbackParts(fn, ctx, 2);
    if (!cb) {
      const f = this.expr(fn, ctx);
      const v = this.fresh(ctx.scope, "_i");
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

  private arrayMethod(e: ts.CallExpression, callee: ts.Expression, method: string, recvF: () => Py, ctx: Ctx, iterable = false): Py | undefined {
    const args = e.arguments;
    const recvNode = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    const recv = recvF();
    const comprehension = (cb: NonNullable<ReturnType<Translator["callbackParts"]>>, build: (body: Py, target: string, iter: Py) => Py): Py => {
      const [v, i] = cb.params;
      const target = i ? `${i}, ${v}` : (v ?? "_");
      const iter = i ? call(name("enumerate"), [recv]) : recv;
      return build(cb.body(ctx), target, iter);
    };
    switch (method) {
      case "map": {
        const cb = this.callbackParts(args[0], ctx, 2);
        if (!cb) {
          const f = args[0] ? this.expr(args[0], ctx) : atom("None");
          const v = this.fresh(ctx.scope, "_x");
          return group("[", [seq([call(f, [atom(v)]), atom(` for ${v} in `), recv], P.lambda)], "]", "none");
        }
        return comprehension(cb, (body, target, iter) => group("[", [seq([body, atom(` for ${target} in `), iter], P.lambda)], "]", "none"));
      }
      case "filter": {
        const cb = this.callbackParts(args[0], ctx, 2);
        if (!cb) return this.unsupported(e, "filter with this callback");
        const [v] = cb.params;
        return comprehension(cb, (body, target, iter) => group("[", [seq([atom(`${v ?? "_"} for ${target} in `), iter, atom(" if "), wrap(body, P.or)], P.lambda)], "]", "none"));
      }
      case "some":
      case "every": {
        const cb = this.callbackParts(args[0], ctx, 2);
        if (!cb) return this.unsupported(e, `${method} with this callback`);
        return comprehension(cb, (body, target, iter) => call(name(method === "some" ? "any" : "all"), [seq([wrap(body, P.or), atom(` for ${target} in `), iter], P.lambda)]));
      }
      case "reduce": {
        const f = args[0] && this.skipOuter(args[0]);
        if (args.length === 2 && f && ts.isArrowFunction(f) && f.parameters.length === 2 && !ts.isBlock(f.body)) {
          // (acc, x) => acc + expr, 0  →  sum(expr for x in xs)
          const body = this.skipOuter(f.body);
          const [accP, xP] = f.parameters;
          const init = this.skipOuter(args[1]!);
          if (ts.isBinaryExpression(body) && body.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isIdentifier(body.left) && accP && ts.isIdentifier(accP.name) && body.left.text === accP.name.text && ts.isNumericLiteral(init) && init.text === "0" && !this.mentions(body.right, accP.name.text)) {
            const scope = this.enterScope(f, ctx.scope);
            const x = xP && ts.isIdentifier(xP.name) ? this.symbolName(xP.name) : "_";
            const term = this.expr(body.right, { ...ctx, scope, lambda: true });
            return call(name("sum"), [seq([term, atom(` for ${x} in `), recv], P.lambda)]);
          }
        }
        const cb = this.callbackParts(args[0], ctx, 2);
        if (!cb) return this.unsupported(e, "reduce with this callback");
        this.usage.functools = true;
        const lambda = seq([atom(`lambda ${cb.params.join(", ")}: `), wrap(cb.body(ctx), P.lambda)], P.lambda);
        return call(atom("functools.reduce"), args.length > 1 ? [lambda, recv, this.expr(args[1]!, ctx)] : [lambda, recv]);
      }
      case "slice": {
        const s = args[0] ? render(this.expr(args[0], ctx), 0, 0) : "";
        const en = args[1] ? render(this.expr(args[1], ctx), 0, 0) : "";
        return seq([wrap(recv, P.primary), atom(`[${s}:${en}]`)], P.primary);
      }
      case "concat": {
        let out = recv;
        for (const a of args) {
          const t = this.typeOf(a);
          const v = this.isArrayLike(t) ? this.expr(a, ctx) : list([this.expr(a, ctx)]);
          out = binary(call(name("list"), [out]), "+", v, P.sum);
        }
        return args.length ? out : call(name("list"), [recv]);
      }
      case "includes":
        return binary(this.expr(args[0]!, ctx), "in", recv, P.compare);
      case "indexOf": {
        if (!recvNode || !this.isSimple(recvNode) || !args[0] || !this.isSimple(args[0])) return this.unsupported(e, "indexOf of an expression with calls");
        const x = this.expr(args[0], ctx);
        return ifElse(binary(x, "in", recv, P.compare), call(attr(recv, "index"), [x]), atom("-1"));
      }
      case "join": {
        const sep = args[0] ? this.expr(args[0], ctx) : atom('","');
        return call(attr(sep, "join"), [call(name("map"), [atom("str"), recv])]);
      }
      case "entries":
        return iterable ? call(name("enumerate"), [recv]) : call(name("list"), [call(name("enumerate"), [recv])]);
      case "keys":
        return iterable ? call(name("range"), [call(name("len"), [recv])]) : call(name("list"), [call(name("range"), [call(name("len"), [recv])])]);
      case "values":
        return iterable ? recv : call(name("list"), [recv]);
      case "at":
        return subscript(recv, this.expr(args[0]!, ctx));
      case "pop":
        return call(attr(recv, "pop"), []);
      case "fill": {
        // new Array(n).fill(x) / Array(n).fill(x) → [x] * n
        const r = recvNode && this.skipOuter(recvNode);
        if (r && (ts.isNewExpression(r) || ts.isCallExpression(r)) && ts.isIdentifier(r.expression) && r.expression.text === "Array" && r.arguments?.length === 1) {
          return binary(list([this.expr(args[0]!, ctx)]), "*", this.expr(r.arguments[0]!, ctx), P.term);
        }
        return this.unsupported(e, "fill on an existing array");
      }
      case "push":
      case "forEach":
      case "reverse":
        return this.unsupported(e, `The value of ${method}(...) (use it as a statement)`);
    }
    return undefined;
  }

  private mentions(n: ts.Node, ident: string): boolean {
    return anyNode(n, (x) => ts.isIdentifier(x) && x.text === ident);
  }

  // ---- operators ------------------------------------------------------------------------------

  private binaryExpr(b: ts.BinaryExpression, ctx: Ctx): Py {
    const K = ts.SyntaxKind;
    const op = b.operatorToken.kind;
    switch (op) {
      case K.AmpersandAmpersandToken:
        return logical(this.expr(b.left, ctx), "and", this.expr(b.right, ctx));
      case K.BarBarToken:
        return logical(this.expr(b.left, ctx), "or", this.expr(b.right, ctx));
      case K.QuestionQuestionToken:
        return this.nullish(b, ctx);
      case K.InstanceOfKeyword:
        return call(name("isinstance"), [this.expr(b.left, ctx), this.expr(b.right, ctx)]);
      case K.InKeyword:
        return binary(this.expr(b.left, ctx), "in", this.expr(b.right, ctx), P.compare);
      case K.EqualsEqualsEqualsToken:
      case K.ExclamationEqualsEqualsToken:
      case K.EqualsEqualsToken:
      case K.ExclamationEqualsToken:
        return this.equality(b, ctx);
      case K.CommaToken:
        return this.unsupported(b, "The comma operator");
    }
    if (op >= K.FirstAssignment && op <= K.LastAssignment) return this.unsupported(b, "An assignment inside an expression (write it as its own statement)");
    const table: Partial<Record<ts.SyntaxKind, [string, number]>> = {
      [K.PlusToken]: ["+", P.sum],
      [K.MinusToken]: ["-", P.sum],
      [K.AsteriskToken]: ["*", P.term],
      [K.SlashToken]: ["/", P.term],
      [K.PercentToken]: ["%", P.term],
      [K.AsteriskAsteriskToken]: ["**", P.power],
      [K.LessThanToken]: ["<", P.compare],
      [K.GreaterThanToken]: [">", P.compare],
      [K.LessThanEqualsToken]: ["<=", P.compare],
      [K.GreaterThanEqualsToken]: [">=", P.compare],
      [K.AmpersandToken]: ["&", P.bitAnd],
      [K.BarToken]: ["|", P.bitOr],
      [K.CaretToken]: ["^", P.bitXor],
      [K.LessThanLessThanToken]: ["<<", P.shift],
      [K.GreaterThanGreaterThanToken]: [">>", P.shift],
    };
    const spec = table[op];
    if (!spec) return this.unsupported(b, `The operator '${b.operatorToken.getText()}'`);
    let l = this.expr(b.left, ctx);
    let r = this.expr(b.right, ctx);
    if (op === K.PlusToken) {
      const ls = this.isStringType(this.typeOf(b.left));
      const rs = this.isStringType(this.typeOf(b.right));
      if (ls && !rs) r = call(name("str"), [r]);
      if (rs && !ls) l = call(name("str"), [l]);
    }
    return binary(l, spec[0], r, spec[1]);
  }

  private equality(b: ts.BinaryExpression, ctx: Ctx): Py {
    const K = ts.SyntaxKind;
    const neg = b.operatorToken.kind === K.ExclamationEqualsEqualsToken || b.operatorToken.kind === K.ExclamationEqualsToken;
    const isNullish = (e: ts.Expression) => {
      const x = this.skipOuter(e);
      return x.kind === K.NullKeyword || (ts.isIdentifier(x) && x.text === "undefined") || ts.isVoidExpression(x);
    };
    const isBool = (e: ts.Expression) => {
      const x = this.skipOuter(e);
      return x.kind === K.TrueKeyword || x.kind === K.FalseKeyword;
    };
    // typeof x === "number"
    const tl = this.skipOuter(b.left);
    const tr = this.skipOuter(b.right);
    const typeofSide = ts.isTypeOfExpression(tl) ? { t: tl, s: tr } : ts.isTypeOfExpression(tr) ? { t: tr, s: tl } : undefined;
    if (typeofSide) {
      if (!ts.isStringLiteral(typeofSide.s)) return this.unsupported(b, "'typeof' compared with something other than a type name");
      const v = this.expr(typeofSide.t.expression, ctx);
      const checks: Record<string, Py> = {
        number: call(name("isinstance"), [v, atom("(int, float)")]),
        string: call(name("isinstance"), [v, atom("str")]),
        boolean: call(name("isinstance"), [v, atom("bool")]),
        function: call(name("callable"), [v]),
        undefined: binary(v, "is", atom("None"), P.compare),
      };
      const c = checks[typeofSide.s.text];
      if (!c) return this.unsupported(b, `typeof … === "${typeofSide.s.text}"`);
      return neg ? unary("not", c) : c;
    }
    const l = this.expr(b.left, ctx);
    const r = this.expr(b.right, ctx);
    if (isNullish(b.right) || isNullish(b.left) || isBool(b.right) || isBool(b.left)) {
      return binary(isNullish(b.left) || isBool(b.left) ? r : l, neg ? "is not" : "is", isNullish(b.left) || isBool(b.left) ? l : r, P.compare);
    }
    return binary(l, neg ? "!=" : "==", r, P.compare);
  }

  /** `a ?? b`: `a if a is not None else b`; `arr[i] ?? b` guards the index; `opts.k ?? b` → `opts.get("k", b)`. */
  private nullish(b: ts.BinaryExpression, ctx: Ctx): Py {
    const left = this.skipOuter(b.left);
    if (ts.isElementAccessExpression(left) && this.isArrayLike(this.typeOf(left.expression)) && this.isSimple(left.expression) && this.isSimple(left.argumentExpression)) {
      const arrType = this.typeOf(left.expression);
      const elements = this.parts(arrType).map((t) => this.checker.getIndexTypeOfType(t, ts.IndexKind.Number)).filter((t): t is ts.Type => !!t);
      const elemNullable = elements.some((t) => this.parts(t).length !== (t.isUnion() ? t.types.length : 1) || !!(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      const idx = this.skipOuter(left.argumentExpression);
      const arr = this.expr(left.expression, ctx);
      const i = this.expr(idx, ctx);
      const nonNeg = (ts.isNumericLiteral(idx) && Number(idx.text) >= 0) || ts.isIdentifier(idx);
      const inRange = ts.isNumericLiteral(idx) && Number(idx.text) === 0 ? binary(call(name("len"), [arr]), ">", atom("0"), P.compare) : nonNeg ? binary(i, "<", call(name("len"), [arr]), P.compare) : atom(`0 <= ${render(i, 0, 0)} < len(${render(arr, 0, 0)})`, P.compare);
      const value = this.expr(left, ctx);
      const test = elemNullable ? logical(inRange, "and", binary(value, "is not", atom("None"), P.compare)) : inRange;
      return ifElse(test, value, this.expr(b.right, ctx));
    }
    if (ts.isPropertyAccessExpression(left) && this.isDictType(this.typeOf(left.expression)) && !left.questionDotToken) {
      const prop = this.checker.getSymbolAtLocation(left.name);
      const d = prop && this.declOf(prop);
      if (d && (ts.isPropertySignature(d) || ts.isPropertyAssignment(d) || ts.isShorthandPropertyAssignment(d))) {
        const propType = this.checker.getTypeOfSymbol(prop!);
        const declaredNullable = !!(propType.flags & ts.TypeFlags.Null) || (propType.isUnion() && propType.types.some((x) => x.flags & ts.TypeFlags.Null));
        if (!declaredNullable) return call(attr(this.expr(left.expression, ctx), "get"), [atom(pyString(left.name.text, ctx.fstring ? "'" : '"')), this.expr(b.right, ctx)]);
      }
    }
    if (!this.isSimple(left)) {
      if (ctx.lambda) return this.unsupported(b, "'??' on an expression with calls inside a one-line function");
      const t = this.fresh(ctx.scope, "_value");
      ctx.pre.push(...this.emit(ctx, this.expr(left, ctx), `${t} = `));
      return ifElse(binary(name(t), "is not", atom("None"), P.compare), name(t), this.expr(b.right, ctx));
    }
    const l = this.expr(left, ctx);
    return ifElse(binary(l, "is not", atom("None"), P.compare), l, this.expr(b.right, ctx));
  }

  private prefix(p: ts.PrefixUnaryExpression, ctx: Ctx): Py {
    const K = ts.SyntaxKind;
    switch (p.operator) {
      case K.ExclamationToken:
        return this.condExpr(p, ctx);
      case K.MinusToken:
        return unary("-", this.expr(p.operand, ctx));
      case K.PlusToken:
        return this.isNumberType(this.typeOf(p.operand)) ? this.expr(p.operand, ctx) : call(name("float"), [this.expr(p.operand, ctx)]);
      case K.TildeToken:
        return unary("~", this.expr(p.operand, ctx));
      default:
        return this.unsupported(p, "An increment or decrement inside an expression (write it as its own statement)");
    }
  }

  // ---- integers -------------------------------------------------------------------------------

  /** Every call (and `super(...)`) by its callee's declaration, for parameter value analysis. */
  indexCalls(files: readonly ts.SourceFile[]): void {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        let decl: ts.Declaration | undefined;
        try {
          decl = this.checker.getResolvedSignature(n)?.getDeclaration();
        } catch {
          decl = undefined;
        }
        if (decl && n.arguments) {
          const list = this.callSites.get(decl) ?? [];
          list.push(n.arguments);
          this.callSites.set(decl, list);
        }
      }
      if (ts.isIdentifier(n) && this.isValueReference(n) && !this.isDirectUse(n)) {
        const sym = this.valueSymbol(n);
        const d = sym && this.declOf(sym);
        if (d && (ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d))) this.escaping.add(d);
        else if (d && ts.isVariableDeclaration(d) && d.initializer) {
          const init = this.skipOuter(d.initializer);
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) this.escaping.add(init);
        }
      }
      ts.forEachChild(n, visit);
    };
    files.forEach(visit);
  }

  /** A reference that calls, constructs, extends, declares or reads a member of what it names (does not pass it on). */
  private isDirectUse(id: ts.Identifier): boolean {
    const p = id.parent;
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === id) return true;
    if (ts.isPropertyAccessExpression(p) && p.expression === id) return true;
    if (ts.isExpressionWithTypeArguments(p) || ts.isTypeQueryNode(p) || ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p)) return true;
    if ((ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isVariableDeclaration(p)) && p.name === id) return true;
    return false;
  }

  /** Functions and classes passed around as values: not all of their calls are known. */
  private readonly escaping = new Set<ts.Node>();
  private strictFloat = false;
  private readonly strictMemo = new Map<ts.Node, boolean>();

  /** Certainly an integer in Python, also when a function passed as a value is called with floats? */
  certainlyInt(e: ts.Node): boolean {
    this.strictFloat = true;
    try {
      return !this.maybeFloat(e);
    } finally {
      this.strictFloat = false;
    }
  }

  /** May this number be a float in Python (a division, a float literal, ...)? Integers by default. */
  maybeFloat(e: ts.Node, seen: Set<ts.Node> = new Set()): boolean {
    const memoMap = this.strictFloat ? this.strictMemo : this.floatMemo;
    const memo = memoMap.get(e);
    if (memo !== undefined) return memo;
    if (seen.has(e)) return false;
    seen.add(e);
    const r = this.maybeFloatUncached(e, seen);
    memoMap.set(e, r);
    return r;
  }

  private maybeFloatUncached(e: ts.Node, seen: Set<ts.Node>): boolean {
    const K = ts.SyntaxKind;
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) return this.maybeFloat(e.expression, seen);
    if (ts.isNumericLiteral(e)) return /[.eE]/.test(e.getText()) && !/^0[xX]/.test(e.getText());
    if (ts.isPrefixUnaryExpression(e)) return this.maybeFloat(e.operand, seen);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === K.SlashToken || op === K.SlashEqualsToken) return true;
      if (op === K.AsteriskAsteriskToken) return true;
      if ([K.PlusToken, K.MinusToken, K.AsteriskToken, K.PercentToken, K.QuestionQuestionToken, K.BarBarToken, K.AmpersandAmpersandToken, K.PlusEqualsToken, K.MinusEqualsToken, K.AsteriskEqualsToken, K.EqualsToken].includes(op)) {
        return (op !== K.EqualsToken && this.maybeFloat(e.left, seen)) || this.maybeFloat(e.right, seen);
      }
      return false;
    }
    if (ts.isConditionalExpression(e)) return this.maybeFloat(e.whenTrue, seen) || this.maybeFloat(e.whenFalse, seen);
    if (ts.isCallExpression(e)) {
      const c = e.expression;
      if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Math") {
        const m = c.name.text;
        if (["floor", "ceil", "round", "trunc"].includes(m)) return false;
        if (m === "max" || m === "min" || m === "abs") return e.arguments.some((a) => this.maybeFloat(a, seen));
        return true;
      }
      let decl: ts.Declaration | undefined;
      try {
        decl = this.checker.getResolvedSignature(e)?.getDeclaration();
      } catch {
        decl = undefined;
      }
      if (decl && originOf(decl, this.prog.typingsFile).where === "user" && (decl as { body?: ts.Node }).body) {
        const body = (decl as { body?: ts.Node }).body!;
        if (!ts.isBlock(body)) return this.maybeFloat(body, seen);
        return anyNode(body, (n) => ts.isReturnStatement(n) && !!n.expression && this.maybeFloat(n.expression, seen), (n) => n !== body && FUNCTION_LIKE(n));
      }
      return false;
    }
    if (ts.isIdentifier(e)) {
      const sym = this.valueSymbol(e);
      const d = sym && this.declOf(sym);
      if (!d || originOf(d, this.prog.typingsFile).where !== "user") return false;
      if (ts.isVariableDeclaration(d)) {
        if (d.initializer && this.maybeFloat(d.initializer, seen)) return true;
        return this.assignedFloat(sym!, d, seen);
      }
      if (ts.isParameter(d)) {
        if (d.initializer && this.maybeFloat(d.initializer, seen)) return true;
        const fn = d.parent;
        if (this.strictFloat && (this.escaping.has(fn) || (ts.isConstructorDeclaration(fn) && this.escaping.has(fn.parent)))) return true;
        const index = fn.parameters.indexOf(d);
        for (const args of this.callSitesOf(fn)) {
          const a = args[index];
          if (a && !ts.isSpreadElement(a) && this.maybeFloat(a, seen)) return true;
        }
        return this.assignedFloat(sym!, d, seen);
      }
      return false;
    }
    return false;
  }

  private callSitesOf(fn: ts.SignatureDeclaration): ts.NodeArray<ts.Expression>[] {
    return this.callSites.get(fn) ?? [];
  }

  private assignedFloat(sym: ts.Symbol, d: ts.Node, seen: Set<ts.Node>): boolean {
    let scope: ts.Node | undefined = d;
    while (scope && !FUNCTION_LIKE(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
    if (!scope) return false;
    return anyNode(scope, (n) => {
      if (!isAssignment(n)) return false;
      const l = this.skipOuter(n.left);
      return ts.isIdentifier(l) && this.valueSymbol(l) === sym && (n.operatorToken.kind === ts.SyntaxKind.SlashEqualsToken || this.maybeFloat(n.right, seen));
    });
  }

  /** A context for translating top-level code. */
  topContext(): Ctx {
    return { scope: this.moduleScope, indent: 0, cls: null, self: null, lambda: false, fstring: false, pre: [], update: null, forEach: false };
  }
}
