import ts = require("typescript");
import { EvalError } from "./errors";
import type { JsHost } from "./jsBuiltins";
import type { BuiltinClass, ClassValue, Closure, Env, ModuleValue, ObjectValue, TensorValue, CallSite, Value } from "./values";

/**
 * The shared interpreter object, as the parts of the abstract interpreter see it. Each concern
 * (statements, bindings, expressions, operators, calls, classes, properties) is a file of functions
 * over an `Evaluator`; they reach one another only through it, so the files recurse into each
 * other at run time without importing each other. `Interpreter` (interpreter.ts) implements it.
 */
export interface Evaluator extends JsHost {
  readonly globals: Map<string, Value>;
  readonly budget: Budget;
  readonly torch: TorchRuntime;

  /** Counts one step against the budget. */
  tick(node: ts.Node): void;
  /** Enters a call (counted against the call depth) at `node`; `leave` ends it. */
  enter(node: ts.Node): void;
  leave(): void;
  /** Stops the current statement quietly when a value's definition already failed. */
  poisoned(v: Value, node: ts.Node): void;

  // statements.ts
  exec(node: ts.Statement, env: Env): Completion;
  execBlock(statements: readonly ts.Statement[], env: Env): Completion;
  iterate(v: Value, node: ts.Node): Value[];

  // bindings.ts
  declareList(list: ts.VariableDeclarationList, env: Env): void;
  bindName(name: ts.BindingName, value: Value, env: Env, mutable: boolean): void;
  bindParams(fn: ts.SignatureDeclaration, args: Value[], env: Env): void;
  assign(target: ts.Expression, value: Value, env: Env): void;

  // expressions.ts
  eval(node: ts.Expression, env: Env): Value;
  propName(name: ts.PropertyName, env: Env): string;

  // calls.ts
  evalArgs(node: ts.Node, list: ts.NodeArray<ts.Expression>, env: Env): { args: Value[]; site: CallSite };
  call(fn: Value, args: Value[], site: CallSite, thisValue?: Value, calleeNode?: ts.Node): Value;
  callClosure(fn: Closure, args: Value[], site: CallSite, thisValue: Value | undefined): Value;

  // classes.ts
  defineClass(node: ts.ClassLikeDeclaration, env: Env): ClassValue;
  findMethod(cls: ClassValue, name: string, self: Value): Closure | undefined;
  construct(callee: Value, args: Value[], site: CallSite, calleeNode: ts.Node): Value;
  superCall(node: ts.CallExpression, env: Env): Value;
  superMember(p: ts.PropertyAccessExpression, env: Env): Value;

  // properties.ts
  getProperty(obj: Value, key: string | number, node: ts.Node): Value;
  setProperty(obj: Value, key: string, value: Value, node: ts.Node): void;
}

/** What the interpreter needs from the PyTorch-like runtime (modules and tensors). */
export interface TorchRuntime {
  callModule(mod: ModuleValue, args: Value[], site: CallSite | null): Value;
  /** Builtin members of modules (`training`, `addModule`, layer attributes, ...) and tensors. */
  member(obj: ModuleValue | TensorValue, name: string, node: ts.Node): Value | undefined;
  /** Runs the builtin part of `super(...)` for classes rooted in nn.Module / nn.Sequential / ... */
  builtinSuper(instance: ModuleValue, base: BuiltinClass, args: Value[], site: CallSite): void;
  /** Registers `this.name = value` on a module, like PyTorch's `__setattr__`. */
  setField(mod: ModuleValue, name: string, value: Value): void;
  /** A module's field as code reads it: a tensor field read in a traced forward gets its "param" graph node. */
  readField(mod: ModuleValue, name: string, value: Value, node: ts.Node): Value;
  /** `delete this.name`: removes a field, child, parameter or buffer, like PyTorch's `__delattr__`. */
  deleteField(mod: ModuleValue, name: string): void;
  /** A built-in layer's own computation on a module of its kind (`super.forward(x)` in a class extending it). */
  layerForward(mod: ModuleValue, args: Value[], site: CallSite): Value;
  /** Children of containers for `for…of` and indexing. */
  iterate(mod: ModuleValue, node: ts.Node): Value[];
  /** A tensor was bound to a variable or returned: remembered for hovers and inlay hints. */
  noteTensor(kind: "binding" | "return", node: ts.Node, value: Value): void;
}

export interface Budget {
  steps: number;
  maxSteps: number;
  depth: number;
  maxDepth: number;
}

/** How a statement ended. */
export type Completion = { type: "normal" } | { type: "return"; value: Value } | { type: "break"; label?: string } | { type: "continue"; label?: string };
export const NORMAL: Completion = { type: "normal" };

/** A class instance: a user module (rooted in nn.Module) or a plain object. */
export type Instance = ModuleValue | ObjectValue;

export function unsupported(node: ts.Node, what: string): EvalError {
  return new EvalError(node, `${what} not supported by the CNN Studio analyzer`, "unsupported-syntax");
}
