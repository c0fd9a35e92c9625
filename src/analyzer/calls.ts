import ts = require("typescript");
import { EvalError } from "./errors";
import type { Evaluator } from "./evaluator";
import { closest } from "./suggest";
import { Builtin, BuiltinClass, ClassValue, Closure, Env, ModuleValue, ObjectValue, Poison, typeName, type CallSite, type Value } from "./values";

/** Calls of the abstract interpreter: arguments, receivers, closures, builtins and modules. */

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

export function evalArgs(ip: Evaluator, node: ts.Node, list: ts.NodeArray<ts.Expression>, env: Env): { args: Value[]; site: CallSite } {
  const args: Value[] = [];
  for (const a of list) {
    if (ts.isSpreadElement(a)) args.push(...ip.iterate(ip.eval(a.expression, env), a));
    else args.push(ip.eval(a, env));
  }
  return { args, site: { node, argNodes: list } };
}

export function evalCall(ip: Evaluator, node: ts.CallExpression, env: Env): Value {
  const callee = node.expression;
  if (callee.kind === SK.SuperKeyword) return ip.superCall(node, env);
  let fn: Value;
  let thisValue: Value | undefined;
  if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && callee.expression.kind !== SK.SuperKeyword) {
    // Evaluate the receiver once; methods of classes come bound, methods of object literals get it as `this`.
    const receiver = ip.eval(callee.expression, env);
    if (callee.questionDotToken && (receiver === undefined || receiver === null)) return undefined;
    const key = ts.isPropertyAccessExpression(callee) ? callee.name.text : ip.eval(callee.argumentExpression, env);
    if (typeof key !== "string" && typeof key !== "number")
      throw new EvalError(callee, `Index must be a number or a string, got ${ip.display(key)}`, "type-error");
    fn = ip.getProperty(receiver, key, callee);
    thisValue = fn instanceof Closure ? (fn.thisValue ?? receiver) : undefined;
  } else {
    fn = ip.eval(callee, env);
    if (callee.kind === SK.PropertyAccessExpression) thisValue = env.lookup("this")?.value;
  }
  if (node.questionDotToken && (fn === undefined || fn === null)) return undefined;
  if (fn === undefined && ts.isPropertyAccessExpression(callee) && callee.expression.kind === SK.ThisKeyword) missingField(callee, env);
  const { args, site } = ip.evalArgs(node, node.arguments, env);
  return ip.call(fn, args, site, thisValue, callee);
}

/** `this.name(...)` where the instance has no field `name`: says so, with the closest field. */
function missingField(callee: ts.PropertyAccessExpression, env: Env): void {
  const self = env.lookup("this")?.value;
  if (self instanceof ModuleValue || self instanceof ObjectValue) {
    const name = callee.name.text;
    if (self instanceof ModuleValue && MODULE_METHODS.has(name))
      throw new EvalError(callee, `nn.Module's method '${name}' is not supported by the CNN Studio analyzer`, "unsupported-syntax");
    const fields = self instanceof ModuleValue ? [...self.fields.keys()] : [...self.props.keys()];
    const guess = closest(name, fields);
    throw new EvalError(
      callee,
      `${typeName(self)} has no field '${name}'${guess ? ` (did you mean '${guess}'?)` : ""}: create it in the constructor before calling it`,
      "undefined-name",
    );
  }
}

/** PyTorch nn.Module methods (camelCase) that the language does not have: named, not "create it in the constructor". */
const MODULE_METHODS = new Set([
  "apply",
  "parameters",
  "namedParameters",
  "buffers",
  "namedBuffers",
  "stateDict",
  "loadStateDict",
  "registerForwardHook",
  "registerForwardPreHook",
  "registerBackwardHook",
  "registerFullBackwardHook",
  "registerModule",
  "getSubmodule",
  "getParameter",
  "getBuffer",
  "cuda",
  "cpu",
  "to",
  "half",
  "float",
  "double",
  "type",
  "zeroGrad",
  "share_memory",
  "extraRepr",
]);

export function call(ip: Evaluator, fn: Value, args: Value[], site: CallSite, thisValue?: Value, calleeNode?: ts.Node): Value {
  if (fn instanceof Poison) return fn;
  if (fn instanceof Closure) return ip.callClosure(fn, args, site, thisValue ?? fn.thisValue);
  if (fn instanceof Builtin) return fn.call(args, site);
  if (fn instanceof ModuleValue) return ip.torch.callModule(fn, args, site);
  if (fn instanceof BuiltinClass && fn.factory) return fn.factory.call(args, site);
  if (fn instanceof ClassValue) throw new EvalError(site.node, `Class ${fn.name} must be instantiated with 'new'`, "type-error");
  const what = calleeNode ? `'${calleeNode.getText()}'` : "This value";
  throw new EvalError(calleeNode ?? site.node, `${what} is not callable (it is ${ip.display(fn)})`, "not-callable");
}

export function callClosure(ip: Evaluator, fn: Closure, args: Value[], site: CallSite, thisValue: Value | undefined): Value {
  ip.enter(site.node);
  try {
    const env = new Env(fn.env);
    if (!ts.isArrowFunction(fn.node)) env.declare("this", thisValue, false);
    if (fn.home) env.declare("%home", fn.home, false);
    ip.bindParams(fn.node, args, env);
    const body = fn.node.body;
    if (!body) return undefined;
    if (ts.isBlock(body)) {
      const c = ip.execBlock(body.statements, env);
      return c.type === "return" ? c.value : undefined;
    }
    return ip.eval(body, env);
  } finally {
    ip.leave();
  }
}
