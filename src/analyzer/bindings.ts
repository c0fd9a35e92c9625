import ts = require("typescript");
import { EvalError } from "./errors";
import { unsupported, type Evaluator } from "./evaluator";
import { ArrayValue, ObjectValue, type Env, type Value } from "./values";

/** Bindings of the abstract interpreter: declarations, destructuring, parameters and assignment. */

export function declareList(ip: Evaluator, list: ts.VariableDeclarationList, env: Env): void {
  const mutable = (list.flags & ts.NodeFlags.Const) === 0;
  for (const d of list.declarations) {
    const v = d.initializer ? ip.eval(d.initializer, env) : undefined;
    ip.bindName(d.name, v, env, mutable);
  }
}

/** Binds an identifier or a destructuring pattern. */
export function bindName(ip: Evaluator, name: ts.BindingName, value: Value, env: Env, mutable: boolean): void {
  if (ts.isIdentifier(name)) {
    env.declare(name.text, value, mutable);
    ip.torch.noteTensor("binding", name, value);
    return;
  }
  if (ts.isObjectBindingPattern(name)) {
    bindObject(ip, name, value, env, mutable);
    return;
  }
  bindList(ip, name.elements, value instanceof ArrayValue ? value.items : [], env, mutable);
}

function bindObject(ip: Evaluator, name: ts.ObjectBindingPattern, value: Value, env: Env, mutable: boolean): void {
  const used = new Set<string>();
  for (const el of name.elements) {
    if (el.dotDotDotToken) {
      const rest = new ObjectValue();
      if (value instanceof ObjectValue) for (const [k, v] of value.props) if (!used.has(k)) rest.props.set(k, v);
      ip.bindName(el.name, rest, env, mutable);
      continue;
    }
    const keyNode = el.propertyName ?? el.name;
    const key =
      ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) || ts.isNumericLiteral(keyNode)
        ? keyNode.text
        : ts.isComputedPropertyName(keyNode)
          ? String(ip.eval(keyNode.expression, env))
          : undefined;
    if (key === undefined) throw unsupported(el, "This destructuring pattern is");
    used.add(key);
    let v = ip.getProperty(value, key, el);
    if (v === undefined && el.initializer) v = ip.eval(el.initializer, env);
    ip.bindName(el.name, v, env, mutable);
  }
}

/** Binds array-pattern elements or parameters to values by position: rest, defaults, holes. */
function bindList(
  ip: Evaluator,
  elements: readonly (ts.ArrayBindingElement | ts.ParameterDeclaration)[],
  items: readonly Value[],
  env: Env,
  mutable: boolean,
): void {
  elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el)) return;
    if (el.dotDotDotToken) {
      ip.bindName(el.name, new ArrayValue(items.slice(i)), env, mutable);
      return;
    }
    let v = items[i];
    if (v === undefined && el.initializer) v = ip.eval(el.initializer, env);
    ip.bindName(el.name, v, env, mutable);
  });
}

export function bindParams(ip: Evaluator, fn: ts.SignatureDeclaration, args: Value[], env: Env): void {
  // A TypeScript `this` parameter is a type annotation, not a parameter.
  const params = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"));
  bindList(ip, params, args, env, true);
}

export function assign(ip: Evaluator, target: ts.Expression, value: Value, env: Env): void {
  if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target) || ts.isAsExpression(target)) {
    ip.assign(target.expression, value, env);
  } else if (ts.isIdentifier(target)) {
    assignName(ip, target, value, env);
  } else if (ts.isPropertyAccessExpression(target)) {
    ip.setProperty(ip.eval(target.expression, env), target.name.text, value, target);
  } else if (ts.isElementAccessExpression(target)) {
    const obj = ip.eval(target.expression, env);
    ip.setProperty(obj, ip.display(ip.eval(target.argumentExpression, env)), value, target);
  } else if (ts.isArrayLiteralExpression(target)) {
    const items = value instanceof ArrayValue ? [...value.items] : [];
    target.elements.forEach((el, i) => {
      if (!ts.isOmittedExpression(el)) ip.assign(el, items[i], env);
    });
  } else throw unsupported(target, "This assignment target is");
}

function assignName(ip: Evaluator, target: ts.Identifier, value: Value, env: Env): void {
  for (let e: Env | undefined = env; e; e = e.parent) {
    if (e.has(target.text)) {
      const b = e.lookup(target.text)!;
      if (!b.mutable) throw new EvalError(target, `Cannot assign to '${target.text}' because it is a constant`, "type-error");
      e.declare(target.text, value, true);
      ip.torch.noteTensor("binding", target, value);
      return;
    }
  }
  throw new EvalError(target, `'${target.text}' is not defined`, "undefined-name");
}
