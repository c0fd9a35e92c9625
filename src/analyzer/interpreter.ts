import ts = require("typescript");
import { BudgetError, EvalError, PoisonError } from "./errors";
import { closest } from "./suggest";
import { hasModifier } from "./syntax";
import { arrayMember, displayValue, jsGlobals, stringMember, type JsHost } from "./jsBuiltins";
import {
  ArrayValue,
  Builtin,
  BuiltinClass,
  ClassValue,
  Closure,
  Env,
  ModuleValue,
  Namespace,
  ObjectValue,
  Poison,
  SymDim,
  TensorValue,
  typeName,
  type CallSite,
  type Value,
} from "./values";

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

/**
 * An abstract interpreter for the subset of TypeScript that model code uses. It evaluates
 * definitions to values (modules, tensors with shapes, numbers, ...) without executing anything:
 * there is no I/O, no host object, and every loop and call is counted against a budget.
 */

/** What the interpreter needs from the PyTorch-like runtime (modules and tensors). */
export interface TorchRuntime {
  callModule(mod: ModuleValue, args: Value[], site: CallSite | null): Value;
  /** Builtin members of modules (`training`, `addModule`, layer attributes, ...) and tensors. */
  member(obj: ModuleValue | TensorValue, name: string, node: ts.Node): Value | undefined;
  /** Runs the builtin part of `super(...)` for classes rooted in nn.Module / nn.Sequential / ... */
  builtinSuper(instance: ModuleValue, base: BuiltinClass, args: Value[], site: CallSite): void;
  /** Registers `this.name = value` on a module, like PyTorch's `__setattr__`. */
  setField(mod: ModuleValue, name: string, value: Value): void;
  /** Children of containers for `for…of` and indexing. */
  iterate(mod: ModuleValue, node: ts.Node): Value[];
  /** A tensor was bound to a variable or returned: remembered for hovers and inlay hints. */
  noteTensor(kind: "binding" | "return", node: ts.Node, value: Value): void;
}

type Completion = { type: "normal" } | { type: "return"; value: Value } | { type: "break"; label?: string } | { type: "continue"; label?: string };
const NORMAL: Completion = { type: "normal" };

export interface Budget {
  steps: number;
  maxSteps: number;
  depth: number;
  maxDepth: number;
}

export class Interpreter implements JsHost {
  readonly globals: Map<string, Value>;
  torch!: TorchRuntime;

  constructor(readonly budget: Budget) {
    this.globals = jsGlobals(this);
  }

  // ---- JsHost -------------------------------------------------------------------------------

  fail(site: CallSite, message: string): never {
    throw new EvalError(site.node, message, "type-error");
  }

  display(v: Value): string {
    return typeof v === "string" ? v : displayValue(v);
  }

  entries(v: Value): [string, Value][] | undefined {
    if (v instanceof ObjectValue) return [...v.props];
    if (v instanceof ArrayValue) return v.items.map((x, i) => [String(i), x]);
    if (v instanceof ModuleValue && v.container) return [...v.children];
    return undefined;
  }

  /** Stops the current statement quietly when a value's definition already failed. */
  poisoned(v: Value, node: ts.Node): void {
    if (v instanceof Poison) throw new PoisonError(node, "uses an invalid definition", "poisoned");
  }

  truthy(v: Value): boolean {
    if (v instanceof SymDim) return true;
    if (typeof v === "object" && v !== null) return true;
    return Boolean(v);
  }

  private tick(node: ts.Node): void {
    if (++this.budget.steps > this.budget.maxSteps) {
      // In a recursion, blame the call that recurs (it appears twice on the stack), not a loop it happens to run.
      const seen = new Set<ts.Node>();
      const recurring = this.callStack.find((n) => seen.has(n) || !seen.add(n));
      throw new BudgetError(recurring ?? node, `Evaluation budget of ${this.budget.maxSteps.toLocaleString("en-US")} steps exceeded: is there an endless loop or recursion here?`, "budget-exceeded", [], recurring !== undefined);
    }
  }

  // ---- statements ---------------------------------------------------------------------------

  /** Binds function declarations of a block before its statements run (JS hoisting). */
  hoist(statements: readonly ts.Statement[], env: Env): void {
    for (const s of statements) {
      if (ts.isFunctionDeclaration(s) && s.name && s.body) env.declare(s.name.text, new Closure(s, env, undefined, undefined));
    }
  }

  execBlock(statements: readonly ts.Statement[], env: Env): Completion {
    this.hoist(statements, env);
    for (const s of statements) {
      const c = this.exec(s, env);
      if (c.type !== "normal") return c;
    }
    return NORMAL;
  }

  exec(node: ts.Statement, env: Env): Completion {
    this.tick(node);
    switch (node.kind) {
      case SK.VariableStatement:
        this.declareList((node as ts.VariableStatement).declarationList, env);
        return NORMAL;
      case SK.ExpressionStatement:
        this.eval((node as ts.ExpressionStatement).expression, env);
        return NORMAL;
      case SK.Block:
        return this.execBlock((node as ts.Block).statements, new Env(env));
      case SK.IfStatement: {
        const s = node as ts.IfStatement;
        const cond = this.eval(s.expression, env);
        this.poisoned(cond, s.expression);
        if (this.truthy(cond)) return this.exec(s.thenStatement, env);
        return s.elseStatement ? this.exec(s.elseStatement, env) : NORMAL;
      }
      case SK.ReturnStatement: {
        const s = node as ts.ReturnStatement;
        const value = s.expression ? this.eval(s.expression, env) : undefined;
        if (s.expression) this.torch.noteTensor("return", s.expression, value);
        return { type: "return", value };
      }
      case SK.ForStatement:
      case SK.ForOfStatement:
      case SK.ForInStatement:
      case SK.WhileStatement:
      case SK.DoStatement:
        return this.atLoop(node, () => this.execLoop(node, env));
      default:
        return this.execSimple(node, env);
    }
  }

  /** A budget running out inside a loop is reported on the loop (the innermost one), not wherever the count ended. */
  private atLoop(node: ts.Statement, run: () => Completion): Completion {
    try {
      return run();
    } catch (e) {
      // Only the step count is a loop's doing; a call-depth error stays at the recursive call.
      if (e instanceof BudgetError && !e.atLoop && !e.depth) throw new BudgetError(node, e.message, e.code, e.related, true);
      throw e;
    }
  }

  private execLoop(node: ts.Statement, env: Env): Completion {
    switch (node.kind) {
      case SK.ForStatement:
        return this.execFor(node as ts.ForStatement, env);
      case SK.ForOfStatement:
        return this.execForOf(node as ts.ForOfStatement, env);
      case SK.ForInStatement: {
        const s = node as ts.ForInStatement;
        const obj = this.eval(s.expression, env);
        const keys = obj instanceof ObjectValue ? [...obj.props.keys()] : obj instanceof ArrayValue ? obj.items.map((_, i) => String(i)) : [];
        return this.loop(node, keys, s.initializer, s.statement, env);
      }
      case SK.WhileStatement: {
        const s = node as ts.WhileStatement;
        while (this.truthy(this.eval(s.expression, env))) {
          const c = this.exec(s.statement, new Env(env));
          if (c.type === "break") break;
          if (c.type === "return") return c;
        }
        return NORMAL;
      }
      default: {
        const s = node as ts.DoStatement;
        do {
          const c = this.exec(s.statement, new Env(env));
          if (c.type === "break") break;
          if (c.type === "return") return c;
        } while (this.truthy(this.eval(s.expression, env)));
        return NORMAL;
      }
    }
  }

  private execSimple(node: ts.Statement, env: Env): Completion {
    switch (node.kind) {
      case SK.BreakStatement:
        return { type: "break" };
      case SK.ContinueStatement:
        return { type: "continue" };
      case SK.ThrowStatement: {
        const s = node as ts.ThrowStatement;
        const v = this.eval(s.expression, env);
        const msg = v instanceof ObjectValue && typeof v.props.get("message") === "string" ? (v.props.get("message") as string) : this.display(v);
        throw new EvalError(node, msg, "user-throw");
      }
      case SK.SwitchStatement:
        return this.execSwitch(node as ts.SwitchStatement, env);
      case SK.FunctionDeclaration:
        return NORMAL; // hoisted
      case SK.ClassDeclaration: {
        const c = node as ts.ClassDeclaration;
        if (c.name) env.declare(c.name.text, this.defineClass(c, env), false);
        return NORMAL;
      }
      case SK.EmptyStatement:
      case SK.TypeAliasDeclaration:
      case SK.InterfaceDeclaration:
      case SK.ImportDeclaration:
      case SK.ExportDeclaration:
        return NORMAL;
      default:
        throw this.unsupported(node, STATEMENT_NAMES[node.kind] ?? `'${ts.SyntaxKind[node.kind]}' statements are`);
    }
  }

  private unsupported(node: ts.Node, what: string): EvalError {
    return new EvalError(node, `${what} not supported by the CNN Studio analyzer`, "unsupported-syntax");
  }

  private execSwitch(s: ts.SwitchStatement, env: Env): Completion {
    const v = this.eval(s.expression, env);
    const inner = new Env(env);
    let matched = false;
    for (const clause of s.caseBlock.clauses) {
      if (!matched) {
        matched = ts.isDefaultClause(clause) || this.eval(clause.expression, inner) === v;
        if (!matched) continue;
      }
      for (const st of clause.statements) {
        const c = this.exec(st, inner);
        if (c.type === "break") return NORMAL;
        if (c.type !== "normal") return c;
      }
    }
    if (!matched) {
      const def = s.caseBlock.clauses.find(ts.isDefaultClause);
      if (def) for (const st of def.statements) {
        const c = this.exec(st, inner);
        if (c.type === "break") return NORMAL;
        if (c.type !== "normal") return c;
      }
    }
    return NORMAL;
  }

  private execFor(s: ts.ForStatement, env: Env): Completion {
    const loopEnv = new Env(env);
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.declareList(s.initializer, loopEnv);
      else this.eval(s.initializer, loopEnv);
    }
    for (;;) {
      this.tick(s);
      if (s.condition && !this.truthy(this.eval(s.condition, loopEnv))) break;
      // Declarations in the body are scoped to one iteration.
      const iterEnv = new Env(loopEnv);
      const c = this.exec(s.statement, iterEnv);
      if (c.type === "break") break;
      if (c.type === "return") return c;
      if (s.incrementor) this.eval(s.incrementor, loopEnv);
    }
    return NORMAL;
  }

  private execForOf(s: ts.ForOfStatement, env: Env): Completion {
    const it = this.eval(s.expression, env);
    return this.loop(s, this.iterate(it, s.expression), s.initializer, s.statement, env);
  }

  private loop(node: ts.Node, items: readonly Value[], init: ts.ForInitializer, body: ts.Statement, env: Env): Completion {
    for (const item of items) {
      this.tick(node);
      const iterEnv = new Env(env);
      if (ts.isVariableDeclarationList(init)) {
        const decl = init.declarations[0];
        if (!decl) throw this.unsupported(init, "Empty loop declarations are");
        this.bindName(decl.name, item, iterEnv, (init.flags & ts.NodeFlags.Const) === 0);
      } else this.assign(init, item, iterEnv);
      const c = this.exec(body, iterEnv);
      if (c.type === "break") break;
      if (c.type === "return") return c;
    }
    return NORMAL;
  }

  iterate(v: Value, node: ts.Node): Value[] {
    this.poisoned(v, node);
    if (v instanceof ArrayValue) return [...v.items];
    if (typeof v === "string") return [...v];
    if (v instanceof ModuleValue) return this.torch.iterate(v, node);
    throw new EvalError(node, `Cannot iterate over ${this.display(v)} (${typeName(v)})`, "type-error");
  }

  declareList(list: ts.VariableDeclarationList, env: Env): void {
    const mutable = (list.flags & ts.NodeFlags.Const) === 0;
    for (const d of list.declarations) {
      const v = d.initializer ? this.eval(d.initializer, env) : undefined;
      this.bindName(d.name, v, env, mutable);
    }
  }

  /** Binds an identifier or a destructuring pattern. */
  bindName(name: ts.BindingName, value: Value, env: Env, mutable: boolean): void {
    if (ts.isIdentifier(name)) {
      env.declare(name.text, value, mutable);
      this.torch.noteTensor("binding", name, value);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used = new Set<string>();
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          const rest = new ObjectValue();
          if (value instanceof ObjectValue) for (const [k, v] of value.props) if (!used.has(k)) rest.props.set(k, v);
          this.bindName(el.name, rest, env, mutable);
          continue;
        }
        const keyNode = el.propertyName ?? el.name;
        const key = ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) || ts.isNumericLiteral(keyNode) ? keyNode.text : ts.isComputedPropertyName(keyNode) ? String(this.eval(keyNode.expression, env)) : undefined;
        if (key === undefined) throw this.unsupported(el, "This destructuring pattern is");
        used.add(key);
        let v = this.getProperty(value, key, el);
        if (v === undefined && el.initializer) v = this.eval(el.initializer, env);
        this.bindName(el.name, v, env, mutable);
      }
      return;
    }
    this.bindList(name.elements, value instanceof ArrayValue ? value.items : [], env, mutable);
  }

  /** Binds array-pattern elements or parameters to values by position: rest, defaults, holes. */
  private bindList(elements: readonly (ts.ArrayBindingElement | ts.ParameterDeclaration)[], items: readonly Value[], env: Env, mutable: boolean): void {
    elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) {
        this.bindName(el.name, new ArrayValue(items.slice(i)), env, mutable);
        return;
      }
      let v = items[i];
      if (v === undefined && el.initializer) v = this.eval(el.initializer, env);
      this.bindName(el.name, v, env, mutable);
    });
  }

  // ---- expressions --------------------------------------------------------------------------

  eval(node: ts.Expression, env: Env): Value {
    this.tick(node);
    switch (node.kind) {
      case SK.NumericLiteral:
        return Number((node as ts.NumericLiteral).text);
      case SK.StringLiteral:
      case SK.NoSubstitutionTemplateLiteral:
        return (node as ts.StringLiteral).text;
      case SK.TemplateExpression: {
        const t = node as ts.TemplateExpression;
        let s = t.head.text;
        for (const span of t.templateSpans) s += this.display(this.eval(span.expression, env)) + span.literal.text;
        return s;
      }
      case SK.TrueKeyword:
        return true;
      case SK.FalseKeyword:
        return false;
      case SK.NullKeyword:
        return null;
      case SK.Identifier:
        return this.lookup(node as ts.Identifier, env);
      case SK.ThisKeyword: {
        const b = env.lookup("this");
        if (!b) throw new EvalError(node, "'this' is only available inside classes", "type-error");
        return b.value;
      }
      case SK.ParenthesizedExpression:
      case SK.AsExpression:
      case SK.TypeAssertionExpression:
      case SK.NonNullExpression:
      case SK.SatisfiesExpression:
        return this.eval((node as ts.ParenthesizedExpression).expression, env);
      case SK.ArrayLiteralExpression: {
        const items: Value[] = [];
        for (const el of (node as ts.ArrayLiteralExpression).elements) {
          if (ts.isSpreadElement(el)) items.push(...this.iterate(this.eval(el.expression, env), el));
          else if (ts.isOmittedExpression(el)) items.push(undefined);
          else items.push(this.eval(el, env));
        }
        return new ArrayValue(items);
      }
      case SK.ObjectLiteralExpression:
        return this.evalObject(node as ts.ObjectLiteralExpression, env);
      case SK.PropertyAccessExpression: {
        const p = node as ts.PropertyAccessExpression;
        if (p.expression.kind === SK.SuperKeyword) return this.superMember(p, env);
        const obj = this.eval(p.expression, env);
        if (p.questionDotToken && (obj === undefined || obj === null)) return undefined;
        return this.getProperty(obj, p.name.text, p);
      }
      case SK.ElementAccessExpression: {
        const p = node as ts.ElementAccessExpression;
        const obj = this.eval(p.expression, env);
        if (p.questionDotToken && (obj === undefined || obj === null)) return undefined;
        const key = this.eval(p.argumentExpression, env);
        if (typeof key !== "number" && typeof key !== "string") {
          throw new EvalError(p.argumentExpression, `Index must be a number or a string, got ${this.display(key)}`, "type-error");
        }
        return this.getProperty(obj, key, p);
      }
      case SK.CallExpression:
        return this.evalCall(node as ts.CallExpression, env);
      case SK.NewExpression: {
        const n = node as ts.NewExpression;
        const callee = this.eval(n.expression, env);
        const { args, site } = this.evalArgs(n, n.arguments ?? ts.factory.createNodeArray(), env);
        return this.construct(callee, args, site, n.expression);
      }
      case SK.BinaryExpression:
        return this.evalBinary(node as ts.BinaryExpression, env);
      case SK.PrefixUnaryExpression:
        return this.evalPrefix(node as ts.PrefixUnaryExpression, env);
      case SK.PostfixUnaryExpression: {
        const p = node as ts.PostfixUnaryExpression;
        const old = this.eval(p.operand, env);
        if (typeof old !== "number") throw new EvalError(p, `'${ts.tokenToString(p.operator)}' needs a number, got ${this.display(old)}`, "type-error");
        this.assign(p.operand, p.operator === SK.PlusPlusToken ? old + 1 : old - 1, env);
        return old;
      }
      case SK.ConditionalExpression: {
        const c = node as ts.ConditionalExpression;
        const cond = this.eval(c.condition, env);
        if (cond instanceof Poison) return cond;
        return this.truthy(cond) ? this.eval(c.whenTrue, env) : this.eval(c.whenFalse, env);
      }
      case SK.ArrowFunction:
      case SK.FunctionExpression:
        return new Closure(node as ts.ArrowFunction, env, undefined, undefined);
      case SK.ClassExpression:
        return this.defineClass(node as ts.ClassExpression, env);
      case SK.TypeOfExpression: {
        const v = this.eval((node as ts.TypeOfExpression).expression, env);
        if (v === null) return "object";
        if (v instanceof Closure || v instanceof Builtin || v instanceof ClassValue || v instanceof BuiltinClass) return "function";
        return typeof v === "object" ? "object" : typeof v;
      }
      case SK.VoidExpression:
        this.eval((node as ts.VoidExpression).expression, env);
        return undefined;
      default:
        throw this.unsupported(node, `'${ts.SyntaxKind[node.kind]}' expressions are`);
    }
  }

  private lookup(id: ts.Identifier, env: Env): Value {
    const b = env.lookup(id.text);
    if (b) return b.value;
    if (this.globals.has(id.text)) return this.globals.get(id.text);
    const guess = closest(id.text, [...env.names(), ...this.globals.keys()]);
    throw new EvalError(id, `'${id.text}' is not defined${guess ? ` (did you mean '${guess}'?)` : ""}`, "undefined-name");
  }

  private evalObject(node: ts.ObjectLiteralExpression, env: Env): ObjectValue {
    const o = new ObjectValue();
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p)) o.props.set(this.propName(p.name, env), this.eval(p.initializer, env));
      else if (ts.isShorthandPropertyAssignment(p)) o.props.set(p.name.text, this.lookup(p.name, env));
      else if (ts.isSpreadAssignment(p)) {
        const v = this.eval(p.expression, env);
        if (v instanceof ObjectValue) for (const [k, x] of v.props) o.props.set(k, x);
        else if (v !== undefined && v !== null) throw new EvalError(p, `Cannot spread ${this.display(v)} into an object`, "type-error");
      } else if (ts.isMethodDeclaration(p)) o.props.set(this.propName(p.name, env), new Closure(p, env, undefined, undefined));
      else throw this.unsupported(p, "Getters and setters in object literals are");
    }
    return o;
  }

  private propName(name: ts.PropertyName, env: Env): string {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isComputedPropertyName(name)) return this.display(this.eval(name.expression, env));
    throw this.unsupported(name, "This property name is");
  }

  private evalArgs(node: ts.Node, list: ts.NodeArray<ts.Expression>, env: Env): { args: Value[]; site: CallSite } {
    const args: Value[] = [];
    for (const a of list) {
      if (ts.isSpreadElement(a)) args.push(...this.iterate(this.eval(a.expression, env), a));
      else args.push(this.eval(a, env));
    }
    return { args, site: { node, argNodes: list } };
  }

  private evalCall(node: ts.CallExpression, env: Env): Value {
    const callee = node.expression;
    if (callee.kind === SK.SuperKeyword) return this.superCall(node, env);
    let fn: Value;
    let thisValue: Value | undefined;
    if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && callee.expression.kind !== SK.SuperKeyword) {
      // Evaluate the receiver once; methods of classes come bound, methods of object literals get it as `this`.
      const receiver = this.eval(callee.expression, env);
      if (callee.questionDotToken && (receiver === undefined || receiver === null)) return undefined;
      const key = ts.isPropertyAccessExpression(callee) ? callee.name.text : this.eval(callee.argumentExpression, env);
      if (typeof key !== "string" && typeof key !== "number") throw new EvalError(callee, `Index must be a number or a string, got ${this.display(key)}`, "type-error");
      fn = this.getProperty(receiver, key, callee);
      thisValue = fn instanceof Closure ? (fn.thisValue ?? receiver) : undefined;
    } else {
      fn = this.eval(callee, env);
      if (callee.kind === SK.PropertyAccessExpression) thisValue = env.lookup("this")?.value;
    }
    if (node.questionDotToken && (fn === undefined || fn === null)) return undefined;
    if (fn === undefined && ts.isPropertyAccessExpression(callee) && callee.expression.kind === SK.ThisKeyword) {
      const self = env.lookup("this")?.value;
      if (self instanceof ModuleValue || self instanceof ObjectValue) {
        const name = callee.name.text;
        const fields = self instanceof ModuleValue ? [...self.fields.keys()] : [...self.props.keys()];
        const guess = closest(name, fields);
        throw new EvalError(callee, `${typeName(self)} has no field '${name}'${guess ? ` (did you mean '${guess}'?)` : ""}: create it in the constructor before calling it`, "undefined-name");
      }
    }
    const { args, site } = this.evalArgs(node, node.arguments, env);
    return this.call(fn, args, site, thisValue, callee);
  }

  call(fn: Value, args: Value[], site: CallSite, thisValue?: Value, calleeNode?: ts.Node): Value {
    if (fn instanceof Poison) return fn;
    if (fn instanceof Closure) return this.callClosure(fn, args, site, thisValue ?? fn.thisValue);
    if (fn instanceof Builtin) return fn.call(args, site);
    if (fn instanceof ModuleValue) return this.torch.callModule(fn, args, site);
    if (fn instanceof BuiltinClass && fn.factory) return fn.factory.call(args, site);
    if (fn instanceof ClassValue) throw new EvalError(site.node, `Class ${fn.name} must be instantiated with 'new'`, "type-error");
    const what = calleeNode ? `'${calleeNode.getText()}'` : "This value";
    throw new EvalError(calleeNode ?? site.node, `${what} is not callable (it is ${this.display(fn)})`, "not-callable");
  }

  /** Starts a fresh count for the next top-level statement or model. */
  resetBudget(): void {
    this.budget.steps = 0;
    this.budget.depth = 0;
    this.callStack.length = 0;
  }

  /** Call sites of the calls under way, outermost first. */
  private readonly callStack: ts.Node[] = [];

  private enter(node: ts.Node): void {
    this.callStack.push(node);
    if (++this.budget.depth > this.budget.maxDepth) {
      this.leave();
      throw new BudgetError(node, `Call depth exceeded ${this.budget.maxDepth}: is there an endless recursion here?`, "budget-exceeded", [], false, true);
    }
  }

  private leave(): void {
    this.budget.depth--;
    this.callStack.pop();
  }

  callClosure(fn: Closure, args: Value[], site: CallSite, thisValue: Value | undefined): Value {
    this.enter(site.node);
    try {
      const env = new Env(fn.env);
      if (!ts.isArrowFunction(fn.node)) env.declare("this", thisValue, false);
      if (fn.home) env.declare("%home", fn.home, false);
      this.bindParams(fn.node, args, env);
      const body = fn.node.body;
      if (!body) return undefined;
      if (ts.isBlock(body)) {
        const c = this.execBlock(body.statements, env);
        return c.type === "return" ? c.value : undefined;
      }
      return this.eval(body, env);
    } finally {
      this.leave();
    }
  }

  private bindParams(fn: ts.SignatureDeclaration, args: Value[], env: Env): void {
    // A TypeScript `this` parameter is a type annotation, not a parameter.
    const params = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"));
    this.bindList(params, args, env, true);
  }

  // ---- classes ------------------------------------------------------------------------------

  defineClass(node: ts.ClassLikeDeclaration, env: Env): ClassValue {
    let base: ClassValue | BuiltinClass | null = null;
    const ext = node.heritageClauses?.find((h) => h.token === SK.ExtendsKeyword)?.types[0];
    if (ext) {
      const b = this.eval(ext.expression, env);
      if (b instanceof ClassValue || b instanceof BuiltinClass) base = b;
      else throw new EvalError(ext, `A class can only extend a class (nn.Module, nn.Sequential, ... or your own), not ${this.display(b)}`, "type-error");
    }
    const cls = new ClassValue(node.name?.text ?? "anonymous", node, env, base);
    const staticEnv = new Env(env);
    staticEnv.declare("this", cls, false);
    for (const m of node.members) {
      if (ts.isPropertyDeclaration(m) && this.isStatic(m)) {
        cls.statics.set(this.propName(m.name, env), m.initializer ? this.eval(m.initializer, staticEnv) : undefined);
      } else if (ts.isMethodDeclaration(m) && this.isStatic(m)) {
        cls.statics.set(this.propName(m.name, env), new Closure(m, env, cls, cls));
      } else if (ts.isClassStaticBlockDeclaration(m)) throw this.unsupported(m, "Static blocks are");
      else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) throw this.unsupported(m, "Getters and setters in classes are");
    }
    return cls;
  }

  private isStatic(m: ts.ClassElement): boolean {
    return hasModifier(m, SK.StaticKeyword);
  }

  /** Finds a method along the class chain; returns it bound to `self`. */
  findMethod(cls: ClassValue, name: string, self: Value): Closure | undefined {
    for (let c: ClassValue | BuiltinClass | null = cls; c instanceof ClassValue; c = c.base) {
      for (const m of c.node.members) {
        if (ts.isMethodDeclaration(m) && !this.isStatic(m) && m.body && m.name.getText() === name) return new Closure(m, c.env, self, c);
      }
    }
    return undefined;
  }

  construct(callee: Value, args: Value[], site: CallSite, calleeNode: ts.Node): Value {
    if (callee instanceof Poison) return callee;
    if (callee instanceof Builtin && callee.constructible) return callee.call(args, site);
    if (callee instanceof BuiltinClass) {
      if (callee.factory) return callee.factory.call(args, site);
      const m = new ModuleValue("Module", site.node, undefined, undefined, undefined);
      return m;
    }
    if (callee instanceof ClassValue) {
      const root = callee.root;
      const instance: ModuleValue | ObjectValue = root
        ? new ModuleValue(callee.name, site.node, undefined, root.name === "Module" ? undefined : root.name, callee)
        : new ObjectValue(new Map(), callee);
      this.runConstructor(callee, instance, args, site);
      return instance;
    }
    throw new EvalError(calleeNode, `'${calleeNode.getText()}' cannot be instantiated with 'new' (it is ${this.display(callee)})`, "not-callable");
  }

  private runConstructor(cls: ClassValue, instance: ModuleValue | ObjectValue, args: Value[], site: CallSite): void {
    const ctor = cls.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    this.enter(site.node);
    try {
      if (!ctor) {
        // Implicit constructor: passes its arguments to the base class.
        this.runSuper(cls, instance, args, site);
        this.initFields(cls, instance, undefined);
        return;
      }
      const env = new Env(cls.env);
      env.declare("this", instance, false);
      env.declare("%home", cls, false);
      this.bindParams(ctor, args, env);
      if (!cls.base) this.initFields(cls, instance, env);
      this.execBlock(ctor.body!.statements, env);
    } finally {
      this.leave();
    }
  }

  private runSuper(cls: ClassValue, instance: ModuleValue | ObjectValue, args: Value[], site: CallSite): void {
    const base = cls.base;
    if (base instanceof ClassValue) this.runConstructor(base, instance, args, site);
    else if (base instanceof BuiltinClass && instance instanceof ModuleValue) this.torch.builtinSuper(instance, base, args, site);
  }

  /** Parameter properties, then field initialisers, as TypeScript emits them after `super()`. */
  private initFields(cls: ClassValue, instance: ModuleValue | ObjectValue, ctorEnv: Env | undefined): void {
    const ctor = cls.node.members.find(ts.isConstructorDeclaration);
    if (ctor && ctorEnv) {
      for (const p of ctor.parameters) {
        if (ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name)) {
          this.setProperty(instance, p.name.text, ctorEnv.lookup(p.name.text)?.value, p);
        }
      }
    }
    const env = new Env(cls.env);
    env.declare("this", instance, false);
    for (const m of cls.node.members) {
      if (!ts.isPropertyDeclaration(m) || this.isStatic(m)) continue;
      if (hasModifier(m, SK.DeclareKeyword)) continue;
      const name = this.propName(m.name, env);
      const v = m.initializer ? this.eval(m.initializer, env) : undefined;
      if (m.initializer || !(instance instanceof ModuleValue ? instance.fields.has(name) : instance.props.has(name))) this.setProperty(instance, name, v, m);
    }
  }

  private homeOf(node: ts.Node, env: Env): ClassValue {
    const home = env.lookup("%home")?.value;
    if (!(home instanceof ClassValue)) throw new EvalError(node, "'super' is only available in a class that extends another", "type-error");
    return home;
  }

  private superCall(node: ts.CallExpression, env: Env): Value {
    const home = this.homeOf(node, env);
    const self = env.lookup("this")?.value;
    if (!(self instanceof ModuleValue || self instanceof ObjectValue)) throw new EvalError(node, "'super()' outside a constructor", "type-error");
    const { args, site } = this.evalArgs(node, node.arguments, env);
    this.runSuper(home, self, args, site);
    this.initFields(home, self, env);
    return undefined;
  }

  private superMember(p: ts.PropertyAccessExpression, env: Env): Value {
    const home = this.homeOf(p, env);
    const self = env.lookup("this")?.value;
    const name = p.name.text;
    if (home.base instanceof ClassValue) {
      const m = this.findMethod(home.base, name, self);
      if (m) return m;
    }
    if (self instanceof ModuleValue && name === "forward" && self.container === "Sequential") {
      return new Builtin("Sequential.forward", (args, site) => this.torch.callModule(asSequentialView(self), args, site));
    }
    throw new EvalError(p, `The base class of ${home.name} has no method '${name}'`, "undefined-name");
  }

  // ---- properties ---------------------------------------------------------------------------

  getProperty(obj: Value, key: string | number, node: ts.Node): Value {
    if (obj instanceof Poison) return obj;
    if (obj instanceof ArrayValue) {
      if (typeof key === "number") return obj.items[key < 0 ? NaN : key];
      const m = arrayMember(this, obj, key);
      if (m !== undefined) return m;
      if (/^\d+$/.test(key)) return obj.items[Number(key)];
    } else if (obj instanceof ObjectValue) {
      const k = String(key);
      if (obj.props.has(k)) return obj.props.get(k);
      if (obj.cls) {
        const m = this.findMethod(obj.cls, k, obj);
        if (m) return m;
      }
      return undefined;
    } else if (typeof obj === "string") {
      if (typeof key === "number") return obj[key];
      const m = stringMember(this, obj, key);
      if (m !== undefined) return m;
    } else if (obj instanceof ModuleValue) {
      const k = String(key);
      if (obj.fields.has(k)) return obj.fields.get(k);
      if (obj.cls) {
        const m = this.findMethod(obj.cls, k, obj);
        if (m) return m;
      }
      const b = this.torch.member(obj, k, node);
      if (b !== undefined) return b;
      if (obj.cls && !obj.layer) return undefined; // an unset field of a user module reads as undefined, as in JS
      throw new EvalError(node, `${obj.typeName} has no attribute '${k}'`, "undefined-name");
    } else if (obj instanceof TensorValue) {
      const b = this.torch.member(obj, String(key), node);
      if (b !== undefined) return b;
      throw new EvalError(node, `Tensor has no attribute '${key}' in the model language`, "undefined-name");
    } else if (obj instanceof Namespace) {
      const k = String(key);
      if (obj.members.has(k)) return obj.members.get(k);
      const guess = closest(k, [...obj.members.keys()]);
      throw new EvalError(node, `${obj.name}.${k} is not part of the model language${guess ? ` (did you mean ${obj.name}.${guess}?)` : ""}`, "unknown-layer");
    } else if (obj instanceof ClassValue) {
      for (let c: ClassValue | BuiltinClass | null = obj; c instanceof ClassValue; c = c.base) {
        if (c.statics.has(String(key))) return c.statics.get(String(key));
      }
      if (key === "name") return obj.name;
      return undefined;
    } else if (obj === undefined || obj === null) {
      throw new EvalError(node, `Cannot read '${key}' of ${obj}`, "type-error");
    }
    if (typeof obj === "number" || typeof obj === "boolean") return undefined;
    throw new EvalError(node, `${this.display(obj)} has no property '${key}'`, "undefined-name");
  }

  setProperty(obj: Value, key: string, value: Value, node: ts.Node): void {
    if (obj instanceof ModuleValue) this.torch.setField(obj, key, value);
    else if (obj instanceof ObjectValue) obj.props.set(key, value);
    else if (obj instanceof ArrayValue) {
      const i = Number(key);
      if (key === "length" && typeof value === "number") obj.items.length = value;
      else if (Number.isInteger(i) && i >= 0 && i < 1e6) obj.items[i] = value;
      else throw new EvalError(node, `Cannot set '${key}' on an array`, "type-error");
    } else if (obj instanceof ClassValue) obj.statics.set(key, value);
    else throw new EvalError(node, `Cannot set '${key}' on ${this.display(obj)}`, "type-error");
  }

  assign(target: ts.Expression, value: Value, env: Env): void {
    if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target) || ts.isAsExpression(target)) {
      this.assign(target.expression, value, env);
    } else if (ts.isIdentifier(target)) {
      for (let e: Env | undefined = env; e; e = e.parent) {
        if (e.has(target.text)) {
          const b = e.lookup(target.text)!;
          if (!b.mutable) throw new EvalError(target, `Cannot assign to '${target.text}' because it is a constant`, "type-error");
          e.declare(target.text, value, true);
          this.torch.noteTensor("binding", target, value);
          return;
        }
      }
      throw new EvalError(target, `'${target.text}' is not defined`, "undefined-name");
    } else if (ts.isPropertyAccessExpression(target)) {
      this.setProperty(this.eval(target.expression, env), target.name.text, value, target);
    } else if (ts.isElementAccessExpression(target)) {
      const obj = this.eval(target.expression, env);
      this.setProperty(obj, this.display(this.eval(target.argumentExpression, env)), value, target);
    } else if (ts.isArrayLiteralExpression(target)) {
      const items = value instanceof ArrayValue ? [...value.items] : [];
      target.elements.forEach((el, i) => {
        if (!ts.isOmittedExpression(el)) this.assign(el, items[i], env);
      });
    } else throw this.unsupported(target, "This assignment target is");
  }

  // ---- operators ----------------------------------------------------------------------------

  private evalBinary(node: ts.BinaryExpression, env: Env): Value {
    const op = node.operatorToken.kind;
    const K = SK;
    switch (op) {
      case K.EqualsToken: {
        const v = this.eval(node.right, env);
        this.assign(node.left, v, env);
        return v;
      }
      case K.AmpersandAmpersandToken: {
        const l = this.eval(node.left, env);
        return this.truthy(l) ? this.eval(node.right, env) : l;
      }
      case K.BarBarToken: {
        const l = this.eval(node.left, env);
        return this.truthy(l) ? l : this.eval(node.right, env);
      }
      case K.QuestionQuestionToken: {
        const l = this.eval(node.left, env);
        return l === undefined || l === null ? this.eval(node.right, env) : l;
      }
      case K.QuestionQuestionEqualsToken:
      case K.BarBarEqualsToken:
      case K.AmpersandAmpersandEqualsToken: {
        const l = this.eval(node.left, env);
        const keep = op === K.QuestionQuestionEqualsToken ? l !== undefined && l !== null : op === K.BarBarEqualsToken ? this.truthy(l) : !this.truthy(l);
        if (keep) return l;
        const v = this.eval(node.right, env);
        this.assign(node.left, v, env);
        return v;
      }
      case K.CommaToken:
        this.eval(node.left, env);
        return this.eval(node.right, env);
      case K.InstanceOfKeyword: {
        const l = this.eval(node.left, env);
        const r = this.eval(node.right, env);
        const cls = l instanceof ModuleValue ? l.cls : l instanceof ObjectValue ? l.cls : undefined;
        if (r instanceof BuiltinClass) return l instanceof ModuleValue && (r.name === "Module" || l.container === r.name);
        for (let c: ClassValue | BuiltinClass | null | undefined = cls; c instanceof ClassValue; c = c.base) if (c === r) return true;
        return false;
      }
    }
    const compound: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
      [K.PlusEqualsToken]: K.PlusToken,
      [K.MinusEqualsToken]: K.MinusToken,
      [K.AsteriskEqualsToken]: K.AsteriskToken,
      [K.SlashEqualsToken]: K.SlashToken,
      [K.PercentEqualsToken]: K.PercentToken,
      [K.AsteriskAsteriskEqualsToken]: K.AsteriskAsteriskToken,
    };
    const base = compound[op];
    const l = this.eval(node.left, env);
    const r = this.eval(node.right, env);
    const v = this.arith(base ?? op, l, r, node);
    if (base !== undefined) this.assign(node.left, v, env);
    return v;
  }

  private arith(op: ts.SyntaxKind, l: Value, r: Value, node: ts.BinaryExpression): Value {
    const K = SK;
    switch (op) {
      case K.EqualsEqualsEqualsToken:
        return this.strictEquals(l, r);
      case K.ExclamationEqualsEqualsToken:
        return !this.strictEquals(l, r);
      case K.EqualsEqualsToken:
        return (l ?? null) === (r ?? null) || this.strictEquals(l, r);
      case K.ExclamationEqualsToken:
        return !((l ?? null) === (r ?? null) || this.strictEquals(l, r));
    }
    if (l instanceof Poison || r instanceof Poison) return Poison.value;
    if (op === K.PlusToken && (typeof l === "string" || typeof r === "string")) return this.display(l) + this.display(r);
    if (typeof l !== "number" || typeof r !== "number") {
      if (l instanceof TensorValue || r instanceof TensorValue) {
        throw new EvalError(node, `Operator '${node.operatorToken.getText()}' on tensors: use x.add(y), x.mul(y), torch.add or torch.mul`, "unsupported-syntax");
      }
      throw new EvalError(node, `Operator '${node.operatorToken.getText()}' needs numbers, got ${this.display(l)} and ${this.display(r)}`, "type-error");
    }
    switch (op) {
      case K.PlusToken: return l + r;
      case K.MinusToken: return l - r;
      case K.AsteriskToken: return l * r;
      case K.SlashToken: return l / r;
      case K.PercentToken: return l % r;
      case K.AsteriskAsteriskToken: return l ** r;
      case K.LessThanToken: return l < r;
      case K.GreaterThanToken: return l > r;
      case K.LessThanEqualsToken: return l <= r;
      case K.GreaterThanEqualsToken: return l >= r;
      case K.AmpersandToken: return l & r;
      case K.BarToken: return l | r;
      case K.CaretToken: return l ^ r;
      case K.LessThanLessThanToken: return l << r;
      case K.GreaterThanGreaterThanToken: return l >> r;
      default:
        throw this.unsupported(node, `Operator '${node.operatorToken.getText()}' is`);
    }
  }

  private strictEquals(l: Value, r: Value): boolean {
    if (l instanceof SymDim && r instanceof SymDim) return l.dim === r.dim;
    return l === r;
  }

  private evalPrefix(node: ts.PrefixUnaryExpression, env: Env): Value {
    const K = SK;
    const v = this.eval(node.operand, env);
    if (v instanceof Poison) return v;
    if (node.operator === K.ExclamationToken) return !this.truthy(v);
    if (typeof v !== "number") throw new EvalError(node, `'${ts.tokenToString(node.operator)}' needs a number, got ${this.display(v)}`, "type-error");
    switch (node.operator) {
      case K.MinusToken: return -v;
      case K.PlusToken: return v;
      case K.TildeToken: return ~v;
      case K.PlusPlusToken:
      case K.MinusMinusToken: {
        const n = node.operator === K.PlusPlusToken ? v + 1 : v - 1;
        this.assign(node.operand, n, env);
        return n;
      }
    }
    throw this.unsupported(node, "This operator is");
  }
}

const STATEMENT_NAMES: Partial<Record<ts.SyntaxKind, string>> = {
  [SK.TryStatement]: "try/catch is",
  [SK.LabeledStatement]: "Labeled statements are",
  [SK.WithStatement]: "'with' is",
  [SK.EnumDeclaration]: "Enums are",
  [SK.ModuleDeclaration]: "Namespaces are",
  [SK.DebuggerStatement]: "'debugger' is",
};

/** A Sequential subclass instance seen as a plain Sequential (for `super.forward`). */
function asSequentialView(m: ModuleValue): ModuleValue {
  const view = new ModuleValue(m.typeName, m.definedAt, undefined, "Sequential", undefined);
  for (const [k, c] of m.children) view.children.set(k, c);
  return view;
}
