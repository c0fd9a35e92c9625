import ts = require("typescript");
import { F_RENAMES, originOf } from "../api";
import {
  P,
  asMultiline,
  atom,
  attr,
  binary,
  call,
  dict,
  entry,
  ifElse,
  isIdentifier,
  list,
  logical,
  name,
  pyString,
  render,
  safeName,
  snake,
  star,
  subscript,
  tuple,
  unary,
  type Item,
  type Py,
} from "../py";
import { Ctx, Translator, isSimple, skipOuter, unsupported, warn } from "./context";
import { emit, item, multiline } from "./layout";
import { declOf, fresh, identifier, methodName, propertyNameText } from "./names";
import { maybeFloat } from "./numbers";
import { apiNamespace, isKnownMember, layerBase, namespaceCallee } from "./torchApi";
import {
  hiddenChild,
  isArrayLike,
  isDictType,
  isModuleType,
  isNumberType,
  isStringType,
  isUnknownType,
  parts,
  tensorMemberOfModuleCall,
  typeOf,
} from "./types";

/** Expressions: literals, identifiers, property and element access, operators. */

// ---- expressions ----------------------------------------------------------------------------

export function expr(cx: Translator, e: ts.Expression, ctx: Ctx): Py {
  const K = ts.SyntaxKind;
  if (ctx.iterable && !ts.isCallExpression(e) && !ts.isParenthesizedExpression(e) && !ts.isAsExpression(e) && !ts.isNonNullExpression(e))
    ctx = { ...ctx, iterable: false };
  switch (e.kind) {
    case K.NumericLiteral:
      return number(cx, e as ts.NumericLiteral);
    case K.BigIntLiteral:
      return unsupported(cx, e, "A BigInt literal");
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
      return atom(pyString((e as ts.StringLiteral).text, ctx.fstring ? "'" : '"'));
    case K.TemplateExpression:
      return template(cx, e as ts.TemplateExpression, ctx);
    case K.TrueKeyword:
      return atom("True");
    case K.FalseKeyword:
      return atom("False");
    case K.NullKeyword:
      return atom("None");
    case K.Identifier:
      return identifier(cx, e as ts.Identifier, ctx);
    case K.ThisKeyword:
      if (!ctx.self) return unsupported(cx, e, "'this' outside an instance method or constructor");
      return name(ctx.self);
    case K.ParenthesizedExpression:
    case K.AsExpression:
    case K.SatisfiesExpression:
    case K.NonNullExpression:
    case K.TypeAssertionExpression:
      return expr(cx, (e as ts.ParenthesizedExpression).expression, ctx);
    case K.ArrayLiteralExpression:
      return asMultiline(list(elements(cx, (e as ts.ArrayLiteralExpression).elements, ctx)), multiline(cx, (e as ts.ArrayLiteralExpression).elements));
    case K.ObjectLiteralExpression:
      return objectLiteral(cx, e as ts.ObjectLiteralExpression, ctx);
    case K.PropertyAccessExpression:
      return propertyAccess(cx, e as ts.PropertyAccessExpression, ctx);
    case K.ElementAccessExpression:
      return elementAccess(cx, e as ts.ElementAccessExpression, ctx);
    case K.CallExpression:
      return cx.passes.callExpr(e as ts.CallExpression, ctx);
    case K.NewExpression:
      return cx.passes.newExpr(e as ts.NewExpression, ctx);
    case K.BinaryExpression:
      return binaryExpr(cx, e as ts.BinaryExpression, ctx);
    case K.PrefixUnaryExpression:
      return prefix(cx, e as ts.PrefixUnaryExpression, ctx);
    case K.PostfixUnaryExpression:
      return unsupported(cx, e, "An increment or decrement inside an expression (write it as its own statement)");
    case K.ConditionalExpression: {
      const c = e as ts.ConditionalExpression;
      return ifElse(cx.passes.condExpr(c.condition, ctx), expr(cx, c.whenTrue, ctx), expr(cx, c.whenFalse, ctx));
    }
    case K.ArrowFunction:
    case K.FunctionExpression:
      return cx.passes.functionValue(e as ts.ArrowFunction, ctx);
    case K.TypeOfExpression:
      return unsupported(cx, e, "'typeof' outside a comparison with a type name");
    case K.VoidExpression:
      return atom("None");
    case K.SpreadElement:
      return star(expr(cx, (e as ts.SpreadElement).expression, ctx));
    case K.ClassExpression:
      return unsupported(cx, e, "A class expression (declare the class with a name)");
    case K.OmittedExpression:
      return atom("None");
    default:
      return unsupported(cx, e, `The expression '${e.getText().slice(0, 40)}' (${K[e.kind]})`);
  }
}

export function number(cx: Translator, n: ts.NumericLiteral): Py {
  const src = n.getText();
  if (/^(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?|\.[0-9_]+([eE][+-]?[0-9_]+)?)$/.test(src) && !/^0[0-9]/.test(src)) {
    return atom(src.startsWith(".") ? `0${src}` : src);
  }
  return atom(String(Number(n.text)));
}

export function template(cx: Translator, t: ts.TemplateExpression, ctx: Ctx): Py {
  if (ctx.fstring) return unsupported(cx, t, "A template string inside a template string");
  const esc = (s: string) => pyString(s).slice(1, -1).replace(/\{/g, "{{").replace(/\}/g, "}}");
  let s = `f"${esc(t.head.text)}`;
  let fallback = false;
  const inner: Ctx = { ...ctx, fstring: true };
  const parts: Py[] = [atom(pyString(t.head.text))];
  for (const span of t.templateSpans) {
    const v = expr(cx, span.expression, inner);
    const text = render(v, 0, 0, 0, 10_000);
    if (/["\\\n#{}]/.test(text)) fallback = true; // not allowed inside {…} before Python 3.12, or read as {{ }} escapes
    s += `{${text}}${esc(span.literal.text)}`;
    parts.push(call(name("str"), [expr(cx, span.expression, ctx)]), atom(pyString(span.literal.text)));
  }
  if (!fallback) return atom(`${s}"`);
  const nonEmpty = parts.filter((p) => !(p.k === "atom" && p.s === '""'));
  return nonEmpty.slice(1).reduce((a, b) => binary(a, "+", b, P.sum), nonEmpty[0] ?? atom('""'));
}

export function elements(cx: Translator, els: readonly ts.Expression[], ctx: Ctx): Item[] {
  return els.map((el) => item(cx, el, ts.isSpreadElement(el) ? star(expr(cx, el.expression, ctx)) : expr(cx, el, ctx)));
}

export function argItems(cx: Translator, args: readonly ts.Expression[], ctx: Ctx): Item[] {
  return elements(cx, args, ctx);
}

export function objectLiteral(cx: Translator, o: ts.ObjectLiteralExpression, ctx: Ctx): Py {
  const instance = o.properties.find((p): p is ts.SpreadAssignment => ts.isSpreadAssignment(p) && isClassInstance(cx, typeOf(cx, p.expression)));
  if (instance) return instanceCopy(cx, o, instance, ctx);
  const entries: Item[] = [];
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p)) {
      const key = keyPy(cx, p.name, ctx);
      entries.push(item(cx, p, entry(key, expr(cx, p.initializer, ctx))));
    } else if (ts.isShorthandPropertyAssignment(p)) {
      entries.push(item(cx, p, entry(atom(pyString(p.name.text, ctx.fstring ? "'" : '"')), identifier(cx, p.name, ctx))));
    } else if (ts.isSpreadAssignment(p)) {
      entries.push(item(cx, p, star(expr(cx, p.expression, ctx), "**")));
    } else unsupported(cx, p, "A method, getter or setter in an object literal");
  }
  return asMultiline(dict(entries), multiline(cx, o.properties));
}

/**
 * `{ ...instance }`: JavaScript copies the instance's fields, and so does `copy.copy(instance)` (a
 * Python object's fields are its `__dict__`); its fields are read as attributes, as the instance's
 * are. Other properties beside it would be read as a dict's keys, so they are an error.
 */
function instanceCopy(cx: Translator, o: ts.ObjectLiteralExpression, spread: ts.SpreadAssignment, ctx: Ctx): Py {
  const what = spread.expression.getText().slice(0, 40);
  if (o.properties.length > 1)
    return unsupported(
      cx,
      spread,
      `A spread of the class instance '${what}' beside other properties (copy it alone, '{ ...${what} }', then assign the fields)`,
    );
  cx.usage.copy = true;
  return call(atom("copy.copy"), [expr(cx, spread.expression, ctx)]);
}

/** A value of a class of the model file that is not a module (a configuration object). */
function isClassInstance(cx: Translator, t: ts.Type): boolean {
  const ps = parts(cx, t);
  return ps.length > 0 && ps.every((x) => ((x.getSymbol()?.flags ?? 0) & ts.SymbolFlags.Class) !== 0 && !isModuleType(cx, x));
}

export function keyPy(cx: Translator, n: ts.PropertyName, ctx: Ctx): Py {
  if (ts.isComputedPropertyName(n)) return expr(cx, n.expression, ctx);
  const t = propertyNameText(cx, n);
  return atom(pyString(t ?? n.getText(), ctx.fstring ? "'" : '"'));
}

/** `nn.Sequential({ a: m, b: n })` → `OrderedDict([("a", m), ("b", n)])`. */
export function orderedDict(cx: Translator, o: ts.Expression, ctx: Ctx): Py {
  cx.usage.orderedDict = true;
  if (!ts.isObjectLiteralExpression(o) || o.properties.some((p) => ts.isSpreadAssignment(p))) return call(name("OrderedDict"), [expr(cx, o, ctx)]);
  const pairs: Item[] = [];
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p)) pairs.push(item(cx, p, tuple([keyPy(cx, p.name, ctx), expr(cx, p.initializer, ctx)])));
    else if (ts.isShorthandPropertyAssignment(p)) pairs.push(item(cx, p, tuple([atom(pyString(p.name.text)), identifier(cx, p.name, ctx)])));
    else unsupported(cx, p, "A method in a Sequential's children");
  }
  return call(name("OrderedDict"), [asMultiline(list(pairs), multiline(cx, o.properties))]);
}

// ---- member access --------------------------------------------------------------------------

export function propertyAccess(cx: Translator, pa: ts.PropertyAccessExpression, ctx: Ctx): Py {
  const key = pa.name.text;
  if (pa.expression.kind === ts.SyntaxKind.SuperKeyword) {
    return attr(atom("super()"), methodName(cx, key));
  }
  const recvNode = skipOuter(cx, pa.expression);
  // namespace imports: `resnet.BasicBlock`
  if (ts.isIdentifier(recvNode)) {
    const rs = cx.checker.getSymbolAtLocation(recvNode);
    const target = rs && rs.flags & ts.SymbolFlags.Alias ? cx.checker.getAliasedSymbol(rs) : rs;
    const userModule =
      target?.valueDeclaration && ts.isSourceFile(target.valueDeclaration) && cx.prog.typings.namespaceOf(target.valueDeclaration.fileName) === undefined;
    if (target && target.flags & ts.SymbolFlags.ValueModule && userModule) {
      const exp = cx.checker.getSymbolAtLocation(pa.name);
      const resolved = exp && exp.flags & ts.SymbolFlags.Alias ? cx.checker.getAliasedSymbol(exp) : exp;
      const d = resolved && declOf(cx, resolved);
      const model = d && cx.models.get(d);
      if (model) return call(name(model.builder), []);
      const py = resolved && cx.symbolNames.get(resolved);
      return py ? name(py) : unsupported(cx, pa, `'${pa.getText()}'`);
    }
    if (recvNode.text === "Math") return mathConstant(cx, pa, key);
    if (recvNode.text === "Number" && key === "MAX_SAFE_INTEGER") return atom("9007199254740991");
  }
  const prop = cx.checker.getSymbolAtLocation(pa.name);
  const d = (prop && declOf(cx, prop)) ?? tensorMemberOfModuleCall(cx, pa);
  // `nn.LayerNorm`, `torch.zerosLike`: API members the typings do not declare (yet)
  const ns = d ? undefined : apiNamespace(cx, pa.expression);
  if (ns && isKnownMember(ns, key)) return namespaceCallee(cx, ns, key);
  const recvType = typeOf(cx, pa.expression);
  const recv = expr(cx, pa.expression, ctx);
  if (pa.questionDotToken) {
    if (!isSimple(cx, pa.expression)) return unsupported(cx, pa, "Optional chaining on an expression with calls");
  }
  const optional = (py: Py): Py => (pa.questionDotToken ? ifElse(binary(recv, "is not", atom("None"), P.compare), py, atom("None")) : py);
  if (d) {
    const o = originOf(d, cx.prog.typings);
    if (o.where === "lib") {
      if (key === "length" || (key === "size" && /^(Readonly)?(Set|Map)$/.test(o.owner))) return optional(call(name("len"), [recv]));
      return unsupported(cx, pa, `'.${key}' here`);
    }
    if (o.where === "api") {
      if (key === "length") return optional(call(name("len"), [recv]));
      if (o.owner === "nn") return attr(recv, key);
      if (o.owner === "ops") return attr(recv, key);
      if (o.owner === "torch") return attr(recv, key === "concat" ? "cat" : key);
      if (o.owner === "F") {
        cx.usage.F = true;
        const r = F_RENAMES[key];
        return r ? atom(r) : attr(recv, snake(key));
      }
      return optional(attr(recv, snake(key)));
    }
  }
  if (isModuleType(cx, recvType) || (d && (ts.isPropertyDeclaration(d) || ts.isMethodDeclaration(d) || ts.isParameter(d) || ts.isGetAccessorDeclaration(d)))) {
    const pyKey = d && ts.isMethodDeclaration(d) ? methodName(cx, key) : key;
    if (!(d && ts.isMethodDeclaration(d)) && isModuleType(cx, recvType) && hiddenChild(cx, key, pa))
      return optional(subscript(attr(recv, "_modules"), atom(pyString(key))));
    if (!isIdentifier(pyKey)) return optional(call(name("getattr"), [recv, atom(pyString(pyKey))]));
    return optional(attr(recv, pyKey));
  }
  if (
    d &&
    ts.isClassDeclaration(d.parent) === false &&
    (ts.isPropertySignature(d) || ts.isPropertyAssignment(d) || ts.isShorthandPropertyAssignment(d) || ts.isMethodSignature(d)) &&
    isDictType(cx, recvType)
  ) {
    if (prop && prop.flags & ts.SymbolFlags.Optional) return optional(call(attr(recv, "get"), [atom(pyString(key, ctx.fstring ? "'" : '"'))]));
    return optional(subscript(recv, atom(pyString(key, ctx.fstring ? "'" : '"'))));
  }
  if (isDictType(cx, recvType)) return optional(subscript(recv, atom(pyString(key, ctx.fstring ? "'" : '"'))));
  if (recvType.getConstructSignatures().length || (d && ts.isPropertyDeclaration(d))) return optional(attr(recv, key));
  // an attribute of a built-in module kind the typings do not declare (yet): PyTorch's snake_case name
  if (!d && pa.expression.kind === ts.SyntaxKind.ThisKeyword && ctx.cls && layerBase(cx, ctx.cls.node)) return attr(recv, snake(key));
  if (isUnknownType(cx, recvType) || !d)
    warn(cx, pa, `The type of '${pa.expression.getText().slice(0, 40)}' is unknown: '.${key}' is exported as an attribute access`);
  return optional(attr(recv, isIdentifier(key) ? key : safeName(key)));
}

export function mathConstant(cx: Translator, pa: ts.PropertyAccessExpression, key: string): Py {
  cx.usage.math = true;
  if (key === "PI") return atom("math.pi");
  if (key === "E") return atom("math.e");
  return unsupported(cx, pa, `Math.${key} as a value`);
}

export function elementAccess(cx: Translator, ea: ts.ElementAccessExpression, ctx: Ctx): Py {
  const recvType = typeOf(cx, ea.expression);
  const recv = expr(cx, ea.expression, ctx);
  const arg = skipOuter(cx, ea.argumentExpression);
  if (isModuleType(cx, recvType) && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
    const isDict = !!cx.checker.getPropertyOfType(recvType, "items");
    if (!isDict) return isIdentifier(arg.text) ? attr(recv, arg.text) : call(name("getattr"), [recv, atom(pyString(arg.text))]);
  }
  if (isModuleType(cx, recvType) && isStringType(cx, typeOf(cx, arg)) && !cx.checker.getPropertyOfType(recvType, "items")) {
    return call(name("getattr"), [recv, expr(cx, arg, ctx)]);
  }
  let index = expr(cx, ea.argumentExpression, ctx);
  if (isNumberType(cx, typeOf(cx, arg)) && maybeFloat(cx, arg)) index = call(name("int"), [index]);
  if (isDictType(cx, recvType) && ts.isNumericLiteral(arg)) index = atom(pyString(arg.text));
  return subscript(recv, index);
}

// ---- operators ------------------------------------------------------------------------------

export function binaryExpr(cx: Translator, b: ts.BinaryExpression, ctx: Ctx): Py {
  const K = ts.SyntaxKind;
  const op = b.operatorToken.kind;
  switch (op) {
    case K.AmpersandAmpersandToken:
      return logical(expr(cx, b.left, ctx), "and", expr(cx, b.right, ctx));
    case K.BarBarToken:
      return logical(expr(cx, b.left, ctx), "or", expr(cx, b.right, ctx));
    case K.QuestionQuestionToken:
      return nullish(cx, b, ctx);
    case K.InstanceOfKeyword:
      return call(name("isinstance"), [expr(cx, b.left, ctx), expr(cx, b.right, ctx)]);
    case K.InKeyword:
      return binary(expr(cx, b.left, ctx), "in", expr(cx, b.right, ctx), P.compare);
    case K.EqualsEqualsEqualsToken:
    case K.ExclamationEqualsEqualsToken:
    case K.EqualsEqualsToken:
    case K.ExclamationEqualsToken:
      return equality(cx, b, ctx);
    case K.CommaToken:
      return unsupported(cx, b, "The comma operator");
  }
  if (op >= K.FirstAssignment && op <= K.LastAssignment) return unsupported(cx, b, "An assignment inside an expression (write it as its own statement)");
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
  if (!spec) return unsupported(cx, b, `The operator '${b.operatorToken.getText()}'`);
  let l = expr(cx, b.left, ctx);
  let r = expr(cx, b.right, ctx);
  if (op === K.PlusToken) {
    const ls = isStringType(cx, typeOf(cx, b.left));
    const rs = isStringType(cx, typeOf(cx, b.right));
    if (ls && !rs) r = call(name("str"), [r]);
    if (rs && !ls) l = call(name("str"), [l]);
  }
  return binary(l, spec[0], r, spec[1]);
}

export function equality(cx: Translator, b: ts.BinaryExpression, ctx: Ctx): Py {
  const K = ts.SyntaxKind;
  const neg = b.operatorToken.kind === K.ExclamationEqualsEqualsToken || b.operatorToken.kind === K.ExclamationEqualsToken;
  const isNullish = (e: ts.Expression) => {
    const x = skipOuter(cx, e);
    return x.kind === K.NullKeyword || (ts.isIdentifier(x) && x.text === "undefined") || ts.isVoidExpression(x);
  };
  const isBool = (e: ts.Expression) => {
    const x = skipOuter(cx, e);
    return x.kind === K.TrueKeyword || x.kind === K.FalseKeyword;
  };
  // typeof x === "number"
  const tl = skipOuter(cx, b.left);
  const tr = skipOuter(cx, b.right);
  const typeofSide = ts.isTypeOfExpression(tl) ? { t: tl, s: tr } : ts.isTypeOfExpression(tr) ? { t: tr, s: tl } : undefined;
  if (typeofSide) {
    if (!ts.isStringLiteral(typeofSide.s)) return unsupported(cx, b, "'typeof' compared with something other than a type name");
    const v = expr(cx, typeofSide.t.expression, ctx);
    const checks: Record<string, Py> = {
      number: call(name("isinstance"), [v, atom("(int, float)")]),
      string: call(name("isinstance"), [v, atom("str")]),
      boolean: call(name("isinstance"), [v, atom("bool")]),
      function: call(name("callable"), [v]),
      undefined: binary(v, "is", atom("None"), P.compare),
    };
    const c = checks[typeofSide.s.text];
    if (!c) return unsupported(cx, b, `typeof … === "${typeofSide.s.text}"`);
    return neg ? unary("not", c) : c;
  }
  const l = expr(cx, b.left, ctx);
  const r = expr(cx, b.right, ctx);
  if (isNullish(b.right) || isNullish(b.left) || isBool(b.right) || isBool(b.left)) {
    return binary(isNullish(b.left) || isBool(b.left) ? r : l, neg ? "is not" : "is", isNullish(b.left) || isBool(b.left) ? l : r, P.compare);
  }
  return binary(l, neg ? "!=" : "==", r, P.compare);
}

/** `a ?? b`: `a if a is not None else b`; `arr[i] ?? b` guards the index; `opts.k ?? b` → `opts.get("k", b)`. */
export function nullish(cx: Translator, b: ts.BinaryExpression, ctx: Ctx): Py {
  const left = skipOuter(cx, b.left);
  if (
    ts.isElementAccessExpression(left) &&
    isArrayLike(cx, typeOf(cx, left.expression)) &&
    isSimple(cx, left.expression) &&
    isSimple(cx, left.argumentExpression)
  ) {
    const arrType = typeOf(cx, left.expression);
    const elements = parts(cx, arrType)
      .map((t) => cx.checker.getIndexTypeOfType(t, ts.IndexKind.Number))
      .filter((t): t is ts.Type => !!t);
    const elemNullable = elements.some(
      (t) => parts(cx, t).length !== (t.isUnion() ? t.types.length : 1) || !!(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)),
    );
    const idx = skipOuter(cx, left.argumentExpression);
    const arr = expr(cx, left.expression, ctx);
    const i = expr(cx, idx, ctx);
    const nonNeg = (ts.isNumericLiteral(idx) && Number(idx.text) >= 0) || ts.isIdentifier(idx);
    const inRange =
      ts.isNumericLiteral(idx) && Number(idx.text) === 0
        ? binary(call(name("len"), [arr]), ">", atom("0"), P.compare)
        : nonNeg
          ? binary(i, "<", call(name("len"), [arr]), P.compare)
          : atom(`0 <= ${render(i, 0, 0)} < len(${render(arr, 0, 0)})`, P.compare);
    const value = expr(cx, left, ctx);
    const test = elemNullable ? logical(inRange, "and", binary(value, "is not", atom("None"), P.compare)) : inRange;
    return ifElse(test, value, expr(cx, b.right, ctx));
  }
  if (ts.isPropertyAccessExpression(left) && isDictType(cx, typeOf(cx, left.expression)) && !left.questionDotToken) {
    const prop = cx.checker.getSymbolAtLocation(left.name);
    const d = prop && declOf(cx, prop);
    if (d && (ts.isPropertySignature(d) || ts.isPropertyAssignment(d) || ts.isShorthandPropertyAssignment(d))) {
      const propType = cx.checker.getTypeOfSymbol(prop!);
      const declaredNullable = !!(propType.flags & ts.TypeFlags.Null) || (propType.isUnion() && propType.types.some((x) => x.flags & ts.TypeFlags.Null));
      if (!declaredNullable)
        return call(attr(expr(cx, left.expression, ctx), "get"), [atom(pyString(left.name.text, ctx.fstring ? "'" : '"')), expr(cx, b.right, ctx)]);
    }
  }
  if (!isSimple(cx, left)) {
    if (ctx.lambda) return unsupported(cx, b, "'??' on an expression with calls inside a one-line function");
    const t = fresh(cx, ctx.scope, "_value");
    ctx.pre.push(...emit(cx, ctx, expr(cx, left, ctx), `${t} = `));
    return ifElse(binary(name(t), "is not", atom("None"), P.compare), name(t), expr(cx, b.right, ctx));
  }
  const l = expr(cx, left, ctx);
  return ifElse(binary(l, "is not", atom("None"), P.compare), l, expr(cx, b.right, ctx));
}

export function prefix(cx: Translator, p: ts.PrefixUnaryExpression, ctx: Ctx): Py {
  const K = ts.SyntaxKind;
  switch (p.operator) {
    case K.ExclamationToken:
      return cx.passes.condExpr(p, ctx);
    case K.MinusToken:
      return unary("-", expr(cx, p.operand, ctx));
    case K.PlusToken:
      return isNumberType(cx, typeOf(cx, p.operand)) ? expr(cx, p.operand, ctx) : call(name("float"), [expr(cx, p.operand, ctx)]);
    case K.TildeToken:
      return unary("~", expr(cx, p.operand, ctx));
    default:
      return unsupported(cx, p, "An increment or decrement inside an expression (write it as its own statement)");
  }
}
