import ts = require("typescript");
import { assign, bindName, bindParams, declareList } from "./bindings";
import { call, callClosure, evalArgs } from "./calls";
import { construct, defineClass, findMethod, superCall, superMember } from "./classes";
import { BudgetError, EvalError, PoisonError } from "./errors";
import type { Budget, Completion, Evaluator, TorchRuntime } from "./evaluator";
import { evaluate, propName } from "./expressions";
import { displayValue, jsGlobals } from "./jsBuiltins";
import { getProperty, setProperty } from "./properties";
import { exec, execBlock, hoist, iterate } from "./statements";
import { ArrayValue, ModuleValue, ObjectValue, Poison, SymDim, type CallSite, type ClassValue, type Closure, type Env, type Value } from "./values";

/**
 * An abstract interpreter for the subset of TypeScript that model code uses. It evaluates
 * definitions to values (modules, tensors with shapes, numbers, ...) without executing anything:
 * there is no I/O, no host object, and every loop and call is counted against a budget.
 *
 * This class holds the interpreter's state (globals, the runtime, the budget, the call stack) and
 * dispatches to one file per concern: statements.ts, bindings.ts, expressions.ts (with
 * operators.ts), calls.ts, classes.ts and properties.ts. Those files see it as an `Evaluator`
 * (evaluator.ts) and call each other through it.
 */
export class Interpreter implements Evaluator {
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

  // ---- budget -------------------------------------------------------------------------------

  tick(node: ts.Node): void {
    if (++this.budget.steps > this.budget.maxSteps) {
      // In a recursion, blame the call that recurs (it appears twice on the stack), not a loop it happens to run.
      const seen = new Set<ts.Node>();
      const recurring = this.callStack.find((n) => seen.has(n) || !seen.add(n));
      throw new BudgetError(
        recurring ?? node,
        `Evaluation budget of ${this.budget.maxSteps.toLocaleString("en-US")} steps exceeded: is there an endless loop or recursion here?`,
        "budget-exceeded",
        [],
        recurring !== undefined,
      );
    }
  }

  /** Starts a fresh count for the next top-level statement or model. */
  resetBudget(): void {
    this.budget.steps = 0;
    this.budget.depth = 0;
    this.callStack.length = 0;
  }

  /** Call sites of the calls under way, outermost first. */
  private readonly callStack: ts.Node[] = [];

  enter(node: ts.Node): void {
    this.callStack.push(node);
    if (++this.budget.depth > this.budget.maxDepth) {
      this.leave();
      throw new BudgetError(node, `Call depth exceeded ${this.budget.maxDepth}: is there an endless recursion here?`, "budget-exceeded", [], false, true);
    }
  }

  leave(): void {
    this.budget.depth--;
    this.callStack.pop();
  }

  // ---- statements.ts ------------------------------------------------------------------------

  /** Binds function declarations of a block before its statements run (JS hoisting). */
  hoist(statements: readonly ts.Statement[], env: Env): void {
    hoist(statements, env);
  }

  execBlock(statements: readonly ts.Statement[], env: Env): Completion {
    return execBlock(this, statements, env);
  }

  exec(node: ts.Statement, env: Env): Completion {
    return exec(this, node, env);
  }

  iterate(v: Value, node: ts.Node): Value[] {
    return iterate(this, v, node);
  }

  // ---- bindings.ts --------------------------------------------------------------------------

  declareList(list: ts.VariableDeclarationList, env: Env): void {
    declareList(this, list, env);
  }

  /** Binds an identifier or a destructuring pattern. */
  bindName(name: ts.BindingName, value: Value, env: Env, mutable: boolean): void {
    bindName(this, name, value, env, mutable);
  }

  bindParams(fn: ts.SignatureDeclaration, args: Value[], env: Env): void {
    bindParams(this, fn, args, env);
  }

  assign(target: ts.Expression, value: Value, env: Env): void {
    assign(this, target, value, env);
  }

  // ---- expressions.ts -----------------------------------------------------------------------

  eval(node: ts.Expression, env: Env): Value {
    return evaluate(this, node, env);
  }

  propName(name: ts.PropertyName, env: Env): string {
    return propName(this, name, env);
  }

  // ---- calls.ts -----------------------------------------------------------------------------

  evalArgs(node: ts.Node, list: ts.NodeArray<ts.Expression>, env: Env): { args: Value[]; site: CallSite } {
    return evalArgs(this, node, list, env);
  }

  call(fn: Value, args: Value[], site: CallSite, thisValue?: Value, calleeNode?: ts.Node): Value {
    return call(this, fn, args, site, thisValue, calleeNode);
  }

  callClosure(fn: Closure, args: Value[], site: CallSite, thisValue: Value | undefined): Value {
    return callClosure(this, fn, args, site, thisValue);
  }

  // ---- classes.ts ---------------------------------------------------------------------------

  defineClass(node: ts.ClassLikeDeclaration, env: Env): ClassValue {
    return defineClass(this, node, env);
  }

  /** Finds a method along the class chain; returns it bound to `self`. */
  findMethod(cls: ClassValue, name: string, self: Value): Closure | undefined {
    return findMethod(cls, name, self);
  }

  construct(callee: Value, args: Value[], site: CallSite, calleeNode: ts.Node): Value {
    return construct(this, callee, args, site, calleeNode);
  }

  superCall(node: ts.CallExpression, env: Env): Value {
    return superCall(this, node, env);
  }

  superMember(p: ts.PropertyAccessExpression, env: Env): Value {
    return superMember(this, p, env);
  }

  // ---- properties.ts ------------------------------------------------------------------------

  getProperty(obj: Value, key: string | number, node: ts.Node): Value {
    return getProperty(this, obj, key, node);
  }

  setProperty(obj: Value, key: string, value: Value, node: ts.Node): void {
    setProperty(this, obj, key, value, node);
  }
}
