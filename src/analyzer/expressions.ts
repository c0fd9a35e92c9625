import ts = require("typescript");
import { evalCall } from "./calls";
import { EvalError } from "./errors";
import { unsupported, type Evaluator } from "./evaluator";
import { evalBinary, evalDelete, evalPostfix, evalPrefix } from "./operators";
import { closest } from "./suggest";
import { ArrayValue, Builtin, BuiltinClass, ClassValue, Closure, ObjectValue, Poison, type Env, type Value } from "./values";

/** Expressions of the abstract interpreter: literals, names, member access, `new`, functions. */

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

export function evaluate(ip: Evaluator, node: ts.Expression, env: Env): Value {
  ip.tick(node);
  switch (node.kind) {
    case SK.NumericLiteral:
      return Number((node as ts.NumericLiteral).text);
    case SK.StringLiteral:
    case SK.NoSubstitutionTemplateLiteral:
      return (node as ts.StringLiteral).text;
    case SK.TemplateExpression:
      return evalTemplate(ip, node as ts.TemplateExpression, env);
    case SK.TrueKeyword:
      return true;
    case SK.FalseKeyword:
      return false;
    case SK.NullKeyword:
      return null;
    case SK.Identifier:
      return lookup(ip, node as ts.Identifier, env);
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
      return ip.eval((node as ts.ParenthesizedExpression).expression, env);
    case SK.ArrayLiteralExpression:
      return evalArray(ip, node as ts.ArrayLiteralExpression, env);
    case SK.ObjectLiteralExpression:
      return evalObject(ip, node as ts.ObjectLiteralExpression, env);
    default:
      return evalComposite(ip, node, env);
  }
}

/** Expressions made of other expressions: member access, calls, operators, functions, classes. */
function evalComposite(ip: Evaluator, node: ts.Expression, env: Env): Value {
  switch (node.kind) {
    case SK.PropertyAccessExpression:
      return evalPropertyAccess(ip, node as ts.PropertyAccessExpression, env);
    case SK.ElementAccessExpression:
      return evalElementAccess(ip, node as ts.ElementAccessExpression, env);
    case SK.CallExpression:
      return evalCall(ip, node as ts.CallExpression, env);
    case SK.NewExpression: {
      const n = node as ts.NewExpression;
      const callee = ip.eval(n.expression, env);
      const { args, site } = ip.evalArgs(n, n.arguments ?? ts.factory.createNodeArray(), env);
      return ip.construct(callee, args, site, n.expression);
    }
    case SK.BinaryExpression:
      return evalBinary(ip, node as ts.BinaryExpression, env);
    case SK.PrefixUnaryExpression:
      return evalPrefix(ip, node as ts.PrefixUnaryExpression, env);
    case SK.PostfixUnaryExpression:
      return evalPostfix(ip, node as ts.PostfixUnaryExpression, env);
    case SK.ConditionalExpression: {
      const c = node as ts.ConditionalExpression;
      const cond = ip.eval(c.condition, env);
      if (cond instanceof Poison) return cond;
      return ip.truthy(cond) ? ip.eval(c.whenTrue, env) : ip.eval(c.whenFalse, env);
    }
    case SK.ArrowFunction:
    case SK.FunctionExpression:
      return new Closure(node as ts.ArrowFunction, env, undefined, undefined);
    case SK.ClassExpression:
      return ip.defineClass(node as ts.ClassExpression, env);
    case SK.TypeOfExpression:
      return typeOf(ip.eval((node as ts.TypeOfExpression).expression, env));
    case SK.VoidExpression:
      ip.eval((node as ts.VoidExpression).expression, env);
      return undefined;
    case SK.DeleteExpression:
      return evalDelete(ip, node as ts.DeleteExpression, env);
    default:
      throw unsupported(node, EXPRESSION_NAMES[node.kind] ?? `'${ts.SyntaxKind[node.kind]}' expressions are`);
  }
}

/** What the user wrote, for constructs outside the language. */
const EXPRESSION_NAMES: Partial<Record<ts.SyntaxKind, string>> = {
  [SK.RegularExpressionLiteral]: "Regular expressions are",
  [SK.BigIntLiteral]: "BigInt literals are",
  [SK.TaggedTemplateExpression]: "Tagged templates are",
  [SK.AwaitExpression]: "'await' is",
  [SK.YieldExpression]: "Generators ('yield') are",
  [SK.MetaProperty]: "'new.target' and 'import.meta' are",
  [SK.JsxElement]: "JSX is",
  [SK.JsxSelfClosingElement]: "JSX is",
};

function evalTemplate(ip: Evaluator, t: ts.TemplateExpression, env: Env): string {
  let s = t.head.text;
  for (const span of t.templateSpans) s += ip.display(ip.eval(span.expression, env)) + span.literal.text;
  return s;
}

function evalArray(ip: Evaluator, node: ts.ArrayLiteralExpression, env: Env): ArrayValue {
  const items: Value[] = [];
  for (const el of node.elements) {
    if (ts.isSpreadElement(el)) items.push(...ip.iterate(ip.eval(el.expression, env), el));
    else if (ts.isOmittedExpression(el)) items.push(undefined);
    else items.push(ip.eval(el, env));
  }
  return new ArrayValue(items);
}

function evalPropertyAccess(ip: Evaluator, p: ts.PropertyAccessExpression, env: Env): Value {
  if (p.expression.kind === SK.SuperKeyword) return ip.superMember(p, env);
  const obj = ip.eval(p.expression, env);
  if (p.questionDotToken && (obj === undefined || obj === null)) return undefined;
  return ip.getProperty(obj, p.name.text, p);
}

function evalElementAccess(ip: Evaluator, p: ts.ElementAccessExpression, env: Env): Value {
  const obj = ip.eval(p.expression, env);
  if (p.questionDotToken && (obj === undefined || obj === null)) return undefined;
  const key = ip.eval(p.argumentExpression, env);
  if (typeof key !== "number" && typeof key !== "string") {
    throw new EvalError(p.argumentExpression, `Index must be a number or a string, got ${ip.display(key)}`, "type-error");
  }
  return ip.getProperty(obj, key, p);
}

function typeOf(v: Value): string {
  if (v === null) return "object";
  if (v instanceof Closure || v instanceof Builtin || v instanceof ClassValue || v instanceof BuiltinClass) return "function";
  return typeof v === "object" ? "object" : typeof v;
}

function lookup(ip: Evaluator, id: ts.Identifier, env: Env): Value {
  const b = env.lookup(id.text);
  if (b) return b.value;
  if (ip.globals.has(id.text)) return ip.globals.get(id.text);
  const guess = closest(id.text, [...env.names(), ...ip.globals.keys()]);
  throw new EvalError(id, `'${id.text}' is not defined${guess ? ` (did you mean '${guess}'?)` : ""}`, "undefined-name");
}

function evalObject(ip: Evaluator, node: ts.ObjectLiteralExpression, env: Env): ObjectValue {
  const o = new ObjectValue();
  for (const p of node.properties) {
    if (ts.isPropertyAssignment(p)) o.props.set(ip.propName(p.name, env), ip.eval(p.initializer, env));
    else if (ts.isShorthandPropertyAssignment(p)) o.props.set(p.name.text, lookup(ip, p.name, env));
    else if (ts.isSpreadAssignment(p)) {
      const v = ip.eval(p.expression, env);
      if (v instanceof ObjectValue) for (const [k, x] of v.props) o.props.set(k, x);
      else if (v !== undefined && v !== null) throw new EvalError(p, `Cannot spread ${ip.display(v)} into an object`, "type-error");
    } else if (ts.isMethodDeclaration(p)) o.props.set(ip.propName(p.name, env), new Closure(p, env, undefined, undefined));
    else throw unsupported(p, "Getters and setters in object literals are");
  }
  return o;
}

/** The name of a property or member: written out, or computed. */
export function propName(ip: Evaluator, name: ts.PropertyName, env: Env): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return ip.display(ip.eval(name.expression, env));
  throw unsupported(name, "This property name is");
}
