import ts = require("typescript");
import type { ArgType } from "../../analyzer/layers/kind";
import type { Reporter } from "../../analyzer/location";
import type { ExportProgram } from "../program";
import { atom, type Item, type Py } from "../py";

/**
 * The translator's shared context: the state every pass reads and writes (the TypeScript checker,
 * the names given to symbols, the module scope, model constants, what the generated file imports,
 * what was emitted), the types the passes share (scopes, Ctx, Lines), diagnostics, and small
 * helpers. The translation itself is split by concern over the files of this folder, each a set
 * of functions taking this context as `cx`: names.ts (scopes and naming), types.ts, layout.ts
 * (comments, docstrings, lines), statements.ts, classes.ts (functions and classes), expressions.ts,
 * apiCalls.ts (calls and the API mapping) and numbers.ts (integer/float inference). The lower
 * files (context, names, types, layout, numbers) are imported directly; the four that recurse into
 * one another (expressions, apiCalls, statements, classes) reach each other only through the
 * table `cx.passes` (Passes below, filled in by passes.ts), so that no file imports in a cycle.
 */

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

export interface ClassInfo {
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

export const INT_TYPES = new Set<ArgType>(["posInt", "nonNegInt", "posPair", "nonNegPair", "padding", "int", "sizeOrNull", "posIntOrNull", "intList"]);

export const FUNCTION_LIKE = (n: ts.Node): n is ts.SignatureDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n);

export const MUTATING_METHODS = new Set(["push", "pop", "splice", "reverse", "fill", "shift", "unshift", "append", "extend", "addModule", "sort"]);

/** Does `test` hold for `root` or a node below it? The subtrees of nodes that `skip` names are not searched. */
export function anyNode(root: ts.Node, test: (n: ts.Node) => boolean, skip?: (n: ts.Node) => boolean): boolean {
  const visit = (n: ts.Node): boolean => !skip?.(n) && (test(n) || !!ts.forEachChild(n, visit));
  return visit(root);
}

/** `x = …`, `x += …` and the other assignment operators. */
export function isAssignment(n: ts.Node): n is ts.BinaryExpression {
  return ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** What functionDef() is told besides the function: the receiver, decorators, a return hint, ... */
export interface FunctionDefOptions {
  self?: string;
  decorators?: string[];
  returnHint?: string;
  bodyPrefix?: Lines;
  extraFree?: ts.Node[];
}

/**
 * The translation's mutually recursive entry points, bound to one export's context. Expressions
 * contain calls and function values, calls contain expressions, statements contain classes, ...:
 * the files of this folder call the entry points of the others through this table (`cx.passes.expr(e,
 * ctx)`), so that each file imports only the lower ones (context, names, types, layout, numbers)
 * and none imports another in a cycle. passes.ts fills it in.
 */
export interface Passes {
  // expressions.ts
  expr(e: ts.Expression, ctx: Ctx): Py;
  argItems(args: readonly ts.Expression[], ctx: Ctx): Item[];
  orderedDict(o: ts.Expression, ctx: Ctx): Py;
  // apiCalls.ts
  callExpr(e: ts.CallExpression, ctx: Ctx): Py;
  newExpr(e: ts.NewExpression, ctx: Ctx): Py;
  /** An options object as keyword arguments (camelCase → snake_case, `inplace` left out). */
  kwargs(arg: ts.Expression, ctx: Ctx): Item[];
  /** An argument; with `isInt`, `int(...)` around a value that may be a float in Python (array literals → tuples). */
  intArg(arg: ts.Expression, isInt: boolean, ctx: Ctx): Item;
  // statements.ts
  block(stmts: readonly ts.Statement[], ctx: Ctx): Lines;
  condExpr(node: ts.Expression, ctx: Ctx): Py;
  objectPattern(p: ts.ObjectBindingPattern, source: Py, type: ts.Type, ctx: Ctx): Lines;
  // classes.ts
  functionDef(
    fn: ts.SignatureDeclaration & { body?: ts.ConciseBody | undefined },
    pyName: string,
    ctx: Ctx,
    docNode?: ts.Node,
    opts?: FunctionDefOptions,
  ): Lines;
  functionValue(fn: ts.ArrowFunction | ts.FunctionExpression, ctx: Ctx): Py;
  classDef(c: ts.ClassLikeDeclaration, ctx: Ctx): Lines;
  fieldAssignment(ctx: Ctx, recv: Py, key: string, value: Py, valueNode: ts.Node): Lines;
  superCall(e: ts.CallExpression, ctx: Ctx): Lines;
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
  /** `torchvision.ops` is used (`import torchvision`). */
  torchvision?: boolean;
  /** `copy.copy` copies a class instance (`{ ...instance }`). */
  copy: boolean;
  /** `F.scaledDotProductAttention`: the export defines `scaled_dot_product_attention` (PyTorch 1.13 lacks F's). */
  sdpa?: boolean;
  /** A `forward` returns an object (a dict in Python). */
  dictOutput?: boolean;
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

/** The shared state of one export. */
export class Translator {
  readonly checker: ts.TypeChecker;
  readonly symbolNames: SymbolNames;
  readonly moduleScope = new Scope(null, null);
  /** Declarations (variable declarations, export assignments) of model constants. */
  readonly models = new Map<ts.Node, ModelConst>();
  readonly usage: TranslatorUsage = {
    math: false,
    functools: false,
    orderedDict: false,
    kwargsHelper: false,
    F: false,
    inplace: false,
    typing: new Set(),
    copy: false,
  };
  /** Top-level declarations already emitted (module-level code may only use those). */
  readonly emitted = new Set<ts.Node>();
  /** Top-level declarations that will be emitted (for type hints naming user classes). */
  readonly included = new Set<ts.Node>();
  /** The argument lists each user function is called with (numbers.ts). */
  readonly callSites = new Map<ts.Node, ts.NodeArray<ts.Expression>[]>();
  readonly floatMemo = new Map<ts.Node, boolean>();
  /** Functions and classes passed around as values: not all of their calls are known. */
  readonly escaping = new Set<ts.Node>();
  /** certainlyInt() is asking: a function passed as a value may be called with floats. */
  strictFloat = false;
  readonly strictMemo = new Map<ts.Node, boolean>();
  /** Callbacks inlined into the function that calls them (`forEach` bodies). */
  readonly inlined = new Set<ts.Node>();

  /** The recursive entry points of the translation (see Passes). */
  readonly passes: Passes;

  constructor(
    readonly prog: ExportProgram,
    readonly reporter: Reporter,
    passes: (cx: Translator) => Passes,
  ) {
    this.checker = prog.checker;
    this.symbolNames = new SymbolNames(prog.checker);
    this.passes = passes(this);
  }
}

// ---- diagnostics ----------------------------------------------------------------------------

export function unsupported(cx: Translator, node: ts.Node, what: string): Py {
  cx.reporter.report("error", node, `${what} cannot be exported to PyTorch`, "export-unsupported");
  return atom("...");
}

export function warn(cx: Translator, node: ts.Node, message: string): void {
  cx.reporter.report("warning", node, message, "export-warning");
}

export function skipOuter(cx: Translator, e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e))
    e = e.expression;
  return e;
}

/** A context for translating top-level code. */
export function topContext(cx: Translator): Ctx {
  return { scope: cx.moduleScope, indent: 0, cls: null, self: null, lambda: false, fstring: false, pre: [], update: null, forEach: false };
}

// ---- syntax questions ---------------------------------------------------------------------

/** Does a function use `this` (its own, not that of nested functions and classes)? */
export function usesThis(cx: Translator, fn: ts.Node): boolean {
  return anyNode(
    fn,
    (n) => n.kind === ts.SyntaxKind.ThisKeyword,
    (n) => n !== fn && (ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isClassLike(n)),
  );
}

/** Does an identifier with this text appear in `n`? */
export function mentions(cx: Translator, n: ts.Node, ident: string): boolean {
  return anyNode(n, (x) => ts.isIdentifier(x) && x.text === ident);
}

/** A name, `this`, a literal, or member/element access on those: cheap and safe to evaluate twice. */
export function isSimple(cx: Translator, e: ts.Expression): boolean {
  const x = skipOuter(cx, e);
  if (ts.isIdentifier(x) || x.kind === ts.SyntaxKind.ThisKeyword || ts.isLiteralExpression(x)) return true;
  if (ts.isPropertyAccessExpression(x)) return isSimple(cx, x.expression);
  if (ts.isElementAccessExpression(x)) return isSimple(cx, x.expression) && isSimple(cx, x.argumentExpression);
  return false;
}
