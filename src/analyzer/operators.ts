import ts = require("typescript");
import { EvalError } from "./errors";
import { unsupported, type Evaluator } from "./evaluator";
import { symbolicArith, type SymOp } from "./symbolicDims";
import { ArrayValue, BuiltinClass, ClassValue, ModuleValue, ObjectValue, Poison, SymDim, TensorValue, type Env, type Value } from "./values";

/** Operators of the abstract interpreter: binary, compound-assignment, prefix and postfix. */

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

export function evalBinary(ip: Evaluator, node: ts.BinaryExpression, env: Env): Value {
  const op = node.operatorToken.kind;
  const K = SK;
  switch (op) {
    case K.EqualsToken: {
      const v = ip.eval(node.right, env);
      ip.assign(node.left, v, env);
      return v;
    }
    case K.AmpersandAmpersandToken: {
      const l = ip.eval(node.left, env);
      return ip.truthy(l) ? ip.eval(node.right, env) : l;
    }
    case K.BarBarToken: {
      const l = ip.eval(node.left, env);
      return ip.truthy(l) ? l : ip.eval(node.right, env);
    }
    case K.QuestionQuestionToken: {
      const l = ip.eval(node.left, env);
      return l === undefined || l === null ? ip.eval(node.right, env) : l;
    }
    case K.QuestionQuestionEqualsToken:
    case K.BarBarEqualsToken:
    case K.AmpersandAmpersandEqualsToken:
      return logicalAssign(ip, node, env);
    case K.CommaToken:
      ip.eval(node.left, env);
      return ip.eval(node.right, env);
    case K.InstanceOfKeyword:
      return instanceOf(ip.eval(node.left, env), ip.eval(node.right, env));
    case K.InKeyword:
      return hasKey(ip, ip.eval(node.left, env), ip.eval(node.right, env), node);
  }
  const base = COMPOUND[op];
  const l = ip.eval(node.left, env);
  const r = ip.eval(node.right, env);
  const v = arith(ip, base ?? op, l, r, node);
  if (base !== undefined) ip.assign(node.left, v, env);
  return v;
}

/** `x op= y` is `x = x op y`. */
const COMPOUND: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
  [SK.PlusEqualsToken]: SK.PlusToken,
  [SK.MinusEqualsToken]: SK.MinusToken,
  [SK.AsteriskEqualsToken]: SK.AsteriskToken,
  [SK.SlashEqualsToken]: SK.SlashToken,
  [SK.PercentEqualsToken]: SK.PercentToken,
  [SK.AsteriskAsteriskEqualsToken]: SK.AsteriskAsteriskToken,
};

/** `??=`, `||=` and `&&=`: assign only when the left side asks for it. */
function logicalAssign(ip: Evaluator, node: ts.BinaryExpression, env: Env): Value {
  const op = node.operatorToken.kind;
  const l = ip.eval(node.left, env);
  const keep = op === SK.QuestionQuestionEqualsToken ? l !== undefined && l !== null : op === SK.BarBarEqualsToken ? ip.truthy(l) : !ip.truthy(l);
  if (keep) return l;
  const v = ip.eval(node.right, env);
  ip.assign(node.left, v, env);
  return v;
}

function instanceOf(l: Value, r: Value): boolean {
  const cls = l instanceof ModuleValue ? l.cls : l instanceof ObjectValue ? l.cls : undefined;
  if (r instanceof BuiltinClass)
    return l instanceof ModuleValue && (r.name === "Module" || (r.kind !== undefined ? l.layer?.kind === r.kind : l.container === r.name));
  for (let c: ClassValue | BuiltinClass | null | undefined = cls; c instanceof ClassValue; c = c.base) if (c === r) return true;
  return false;
}

/** `key in obj`: own properties and fields, array indices, class statics, module children and methods. */
function hasKey(ip: Evaluator, key: Value, obj: Value, node: ts.BinaryExpression): Value {
  if (key instanceof Poison || obj instanceof Poison) return Poison.value;
  if (typeof key !== "string" && typeof key !== "number")
    throw new EvalError(node.left, `The 'in' operator needs a string or number key, got ${ip.display(key)}`, "type-error");
  const k = String(key);
  if (obj instanceof ObjectValue) return obj.props.has(k) || (obj.cls !== undefined && ip.findMethod(obj.cls, k, obj) !== undefined);
  if (obj instanceof ArrayValue) return /^\d+$/.test(k) ? Number(k) < obj.items.length : k === "length";
  if (obj instanceof ModuleValue) return obj.fields.has(k) || (obj.cls !== undefined && ip.findMethod(obj.cls, k, obj) !== undefined);
  if (obj instanceof ClassValue) {
    for (let c: ClassValue | BuiltinClass | null = obj; c instanceof ClassValue; c = c.base) if (c.statics.has(k)) return true;
    return false;
  }
  throw new EvalError(node.right, `The 'in' operator needs an object on its right, got ${ip.display(obj)}`, "type-error");
}

/** `delete obj.key` / `delete obj[key]`: removes a property, a module's field or child (like Python's `del`). */
export function evalDelete(ip: Evaluator, node: ts.DeleteExpression, env: Env): Value {
  const target = node.expression;
  if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target))
    throw unsupported(node, "'delete' of anything but a property (delete obj.key, delete obj[key]) is");
  const obj = ip.eval(target.expression, env);
  if (obj instanceof Poison) return true;
  const key = ts.isPropertyAccessExpression(target) ? target.name.text : ip.eval(target.argumentExpression, env);
  if (typeof key !== "string" && typeof key !== "number")
    throw new EvalError(target, `Index must be a number or a string, got ${ip.display(key)}`, "type-error");
  const k = String(key);
  if (obj instanceof ObjectValue) return obj.props.delete(k) || true;
  if (obj instanceof ModuleValue) {
    ip.torch.deleteField(obj, k);
    return true;
  }
  if (obj instanceof ArrayValue && /^\d+$/.test(k)) {
    if (Number(k) < obj.items.length) obj.items[Number(k)] = undefined;
    return true;
  }
  throw new EvalError(node, `Cannot delete '${k}' of ${ip.display(obj)}`, "type-error");
}

function arith(ip: Evaluator, op: ts.SyntaxKind, l: Value, r: Value, node: ts.BinaryExpression): Value {
  const K = SK;
  switch (op) {
    case K.EqualsEqualsEqualsToken:
      return strictEquals(l, r);
    case K.ExclamationEqualsEqualsToken:
      return !strictEquals(l, r);
    case K.EqualsEqualsToken:
      return (l ?? null) === (r ?? null) || strictEquals(l, r);
    case K.ExclamationEqualsToken:
      return !((l ?? null) === (r ?? null) || strictEquals(l, r));
  }
  if (l instanceof Poison || r instanceof Poison) return Poison.value;
  if (op === K.PlusToken && (typeof l === "string" || typeof r === "string")) return ip.display(l) + ip.display(r);
  if ((l instanceof SymDim || r instanceof SymDim) && (l instanceof SymDim || typeof l === "number") && (r instanceof SymDim || typeof r === "number")) {
    return symbolic(op, l, r, node);
  }
  if (typeof l !== "number" || typeof r !== "number") {
    if (l instanceof TensorValue || r instanceof TensorValue) {
      throw new EvalError(node, `Operator '${node.operatorToken.getText()}' on tensors: use x.add(y), x.mul(y), torch.add or torch.mul`, "unsupported-syntax");
    }
    throw new EvalError(node, `Operator '${node.operatorToken.getText()}' needs numbers, got ${ip.display(l)} and ${ip.display(r)}`, "type-error");
  }
  const f = NUMERIC[op];
  if (!f) throw unsupported(node, `Operator '${node.operatorToken.getText()}' is`);
  return f(l, r);
}

const SYM_OPS: Partial<Record<ts.SyntaxKind, SymOp>> = {
  [SK.AsteriskToken]: "*",
  [SK.SlashToken]: "/",
  [SK.PlusToken]: "+",
  [SK.MinusToken]: "-",
  [SK.PercentToken]: "%",
};

/** Arithmetic with a symbolic batch dimension (`B * numWindows`), or a diagnostic naming what it cannot be. */
function symbolic(op: ts.SyntaxKind, l: SymDim | number, r: SymDim | number, node: ts.BinaryExpression): Value {
  const sop = SYM_OPS[op];
  if (!sop) {
    throw new EvalError(
      node,
      `Operator '${node.operatorToken.getText()}' on the symbolic dimension ${l instanceof SymDim ? l.dim : (r as SymDim).dim}: its value depends on the batch size (give the input a fixed batch to compute it)`,
      "symbolic-dimension",
    );
  }
  const res = symbolicArith(sop, l, r);
  if ("problem" in res) throw new EvalError(node, res.problem, "symbolic-dimension");
  return res.value;
}

/** Operators on two numbers. */
const NUMERIC: Partial<Record<ts.SyntaxKind, (l: number, r: number) => Value>> = {
  [SK.PlusToken]: (l, r) => l + r,
  [SK.MinusToken]: (l, r) => l - r,
  [SK.AsteriskToken]: (l, r) => l * r,
  [SK.SlashToken]: (l, r) => l / r,
  [SK.PercentToken]: (l, r) => l % r,
  [SK.AsteriskAsteriskToken]: (l, r) => l ** r,
  [SK.LessThanToken]: (l, r) => l < r,
  [SK.GreaterThanToken]: (l, r) => l > r,
  [SK.LessThanEqualsToken]: (l, r) => l <= r,
  [SK.GreaterThanEqualsToken]: (l, r) => l >= r,
  [SK.AmpersandToken]: (l, r) => l & r,
  [SK.BarToken]: (l, r) => l | r,
  [SK.CaretToken]: (l, r) => l ^ r,
  [SK.LessThanLessThanToken]: (l, r) => l << r,
  [SK.GreaterThanGreaterThanToken]: (l, r) => l >> r,
};

function strictEquals(l: Value, r: Value): boolean {
  if (l instanceof SymDim && r instanceof SymDim) return l.dim === r.dim;
  return l === r;
}

export function evalPrefix(ip: Evaluator, node: ts.PrefixUnaryExpression, env: Env): Value {
  const K = SK;
  const v = ip.eval(node.operand, env);
  if (v instanceof Poison) return v;
  if (node.operator === K.ExclamationToken) return !ip.truthy(v);
  if (typeof v !== "number") throw new EvalError(node, `'${ts.tokenToString(node.operator)}' needs a number, got ${ip.display(v)}`, "type-error");
  switch (node.operator) {
    case K.MinusToken:
      return -v;
    case K.PlusToken:
      return v;
    case K.TildeToken:
      return ~v;
    case K.PlusPlusToken:
    case K.MinusMinusToken: {
      const n = node.operator === K.PlusPlusToken ? v + 1 : v - 1;
      ip.assign(node.operand, n, env);
      return n;
    }
  }
  throw unsupported(node, "This operator is");
}

export function evalPostfix(ip: Evaluator, p: ts.PostfixUnaryExpression, env: Env): Value {
  const old = ip.eval(p.operand, env);
  if (typeof old !== "number") throw new EvalError(p, `'${ts.tokenToString(p.operator)}' needs a number, got ${ip.display(old)}`, "type-error");
  ip.assign(p.operand, p.operator === SK.PlusPlusToken ? old + 1 : old - 1, env);
  return old;
}
