import ts = require("typescript");
import { originOf, TORCH_MODULE_ATTRIBUTES } from "../api";
import { Translator, skipOuter } from "./context";
import { declOf } from "./names";

/** Type questions about the TypeScript (module? array? dict?) and Python type hints. */

// ---- types ----------------------------------------------------------------------------------

export function typeOf(cx: Translator, e: ts.Node): ts.Type {
  return cx.checker.getNonNullableType(cx.checker.getTypeAtLocation(e));
}

/** Constituents of a union (null and undefined removed). */
export function parts(cx: Translator, t: ts.Type): ts.Type[] {
  return t.isUnion() ? t.types.filter((x) => !(x.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void))) : [t];
}

export function isModuleType(cx: Translator, t: ts.Type): boolean {
  return parts(cx, t).some((x) => {
    const p = cx.checker.getPropertyOfType(x, "addModule");
    const d = p && declOf(cx, p);
    return !!d && originOf(d, cx.prog.typings).where === "api";
  });
}

export function isArrayLike(cx: Translator, t: ts.Type): boolean {
  const ps = parts(cx, t);
  return ps.length > 0 && ps.every((x) => cx.checker.isArrayType(x) || cx.checker.isTupleType(x));
}

export function isStringType(cx: Translator, t: ts.Type): boolean {
  const ps = parts(cx, t);
  return ps.length > 0 && ps.every((x) => !!(x.flags & ts.TypeFlags.StringLike));
}

export function isNumberType(cx: Translator, t: ts.Type): boolean {
  const ps = parts(cx, t);
  return ps.length > 0 && ps.every((x) => !!(x.flags & ts.TypeFlags.NumberLike));
}

export function isUnknownType(cx: Translator, t: ts.Type): boolean {
  return !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
}

/** An object type that the exporter writes as a dict (object literals, interfaces, type literals). */
export function isDictType(cx: Translator, t: ts.Type): boolean {
  const ps = parts(cx, t);
  if (ps.length === 0) return false;
  return ps.every((x) => {
    if (!(x.flags & ts.TypeFlags.Object)) return false;
    if (cx.checker.isArrayType(x) || cx.checker.isTupleType(x)) return false;
    if (x.getCallSignatures().length || x.getConstructSignatures().length) return false;
    if (isModuleType(cx, x)) return false;
    const s = x.getSymbol();
    if (s && s.flags & ts.SymbolFlags.Class) return false;
    const d = s && declOf(cx, s);
    if (d && originOf(d, cx.prog.typings).where !== "user" && !ts.isTypeLiteralNode(d) && !isStringRecord(cx, x, d)) return false;
    return true;
  });
}

/** `Record<string, V>` (the library's mapped type with a string index): an object of named values. */
function isStringRecord(cx: Translator, t: ts.Type, d: ts.Declaration): boolean {
  return ts.isMappedTypeNode(d) && originOf(d, cx.prog.typings).where === "lib" && !!cx.checker.getIndexInfoOfType(t, ts.IndexKind.String);
}

/**
 * The Tensor member read on the result of a module call typed `any` (a module typed as a plain
 * `nn.Module`, such as an `nn.Module | null` field): a module call of the model language gives a
 * tensor. Undefined when the receiver is something else or the Tensor has no such member.
 */
export function tensorMemberOfModuleCall(cx: Translator, pa: ts.PropertyAccessExpression): ts.Declaration | undefined {
  const recv = skipOuter(cx, pa.expression);
  if (!ts.isCallExpression(recv) || !isUnknownType(cx, typeOf(cx, recv)) || !isModuleType(cx, typeOf(cx, recv.expression))) return undefined;
  const typings = cx.prog.program.getSourceFile(cx.prog.typingsFile);
  const api = typings && cx.checker.getSymbolAtLocation(typings);
  let tensor = api && cx.checker.getExportsOfModule(api).find((s) => s.name === "Tensor");
  if (tensor && tensor.flags & ts.SymbolFlags.Alias) tensor = cx.checker.getAliasedSymbol(tensor);
  const member = tensor && cx.checker.getPropertyOfType(cx.checker.getDeclaredTypeOfSymbol(tensor), pa.name.text);
  return member && declOf(cx, member);
}

// ---- type hints -----------------------------------------------------------------------------

/** A Python type hint for a parameter or return type, or undefined where none is certain. */
export function typeHint(cx: Translator, t: ts.TypeNode | undefined, init?: ts.Expression, isReturn = false): string | undefined {
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
      const v = init && skipOuter(cx, init);
      if (v && ts.isNumericLiteral(v)) return /[.eE]/.test(v.getText()) && !/^0[xXoObB]/.test(v.getText()) ? "float" : "int";
      return undefined;
    }
    case K.LiteralType:
      return ts.isStringLiteral((t as ts.LiteralTypeNode).literal) ? "str" : undefined;
    case K.ParenthesizedType:
      return typeHint(cx, (t as ts.ParenthesizedTypeNode).type, init, isReturn);
    case K.TypeOperator: {
      const o = t as ts.TypeOperatorNode;
      return o.operator === K.ReadonlyKeyword ? typeHint(cx, o.type, init, isReturn) : undefined;
    }
    case K.ArrayType: {
      const el = typeHint(cx, (t as ts.ArrayTypeNode).elementType);
      if (!el) return undefined;
      cx.usage.typing.add("List");
      return `List[${el}]`;
    }
    case K.UnionType: {
      const u = t as ts.UnionTypeNode;
      const nullable = u.types.some(
        (x) => x.kind === K.NullKeyword || x.kind === K.UndefinedKeyword || (ts.isLiteralTypeNode(x) && x.literal.kind === K.NullKeyword),
      );
      const rest = u.types.filter(
        (x) => !(x.kind === K.NullKeyword || x.kind === K.UndefinedKeyword || (ts.isLiteralTypeNode(x) && x.literal.kind === K.NullKeyword)),
      );
      if (rest.every((x) => ts.isLiteralTypeNode(x) && ts.isStringLiteral(x.literal))) return nullable ? optional(cx, "str") : "str";
      const hints = rest.map((x) => typeHint(cx, x, undefined, isReturn));
      if (hints.some((h) => h === undefined)) return undefined;
      const uniq = [...new Set(hints as string[])];
      let h = uniq[0]!;
      if (uniq.length > 1) {
        if (uniq.every((x) => x.startsWith("Type["))) h = `Type[Union[${uniq.map((x) => x.slice(5, -1)).join(", ")}]]`;
        else h = `Union[${uniq.join(", ")}]`;
        cx.usage.typing.add("Union");
      }
      return nullable ? optional(cx, h) : h;
    }
    case K.TypeQuery: {
      const q = t as ts.TypeQueryNode;
      const h = classHint(cx, q.exprName);
      if (!h) return undefined;
      cx.usage.typing.add("Type");
      return `Type[${h}]`;
    }
    case K.FunctionType: {
      const r = typeHint(cx, (t as ts.FunctionTypeNode).type, undefined, true);
      cx.usage.typing.add("Callable");
      return `Callable[..., ${r && r !== "None" ? r : "object"}]`;
    }
    case K.TypeReference: {
      const r = t as ts.TypeReferenceNode;
      const sym = cx.checker.getSymbolAtLocation(r.typeName);
      const target = sym && sym.flags & ts.SymbolFlags.Alias ? cx.checker.getAliasedSymbol(sym) : sym;
      const typeDecl = target?.declarations?.find((x) => ts.isInterfaceDeclaration(x) || ts.isTypeAliasDeclaration(x) || ts.isClassDeclaration(x));
      const d = typeDecl ?? (target && declOf(cx, target));
      if (!d) return undefined;
      const o = originOf(d, cx.prog.typings);
      if (o.where === "api") {
        if (o.name === "Tensor") return "Tensor";
        if (o.owner === "nn" && (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d))) return `nn.${o.name}`;
        if (o.owner === "ops" && (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)))
          return o.name === "MLP" ? "nn.Sequential" : `torchvision.ops.${o.name}`;
        return undefined;
      }
      if (o.where === "lib") {
        if (o.name === "Array" || o.name === "ReadonlyArray") {
          const arg = r.typeArguments?.[0];
          const el = arg && typeHint(cx, arg);
          if (!el) return undefined;
          cx.usage.typing.add("List");
          return `List[${el}]`;
        }
        return undefined;
      }
      if (ts.isClassDeclaration(d)) return classHint(cx, r.typeName);
      if (ts.isTypeAliasDeclaration(d) && !d.typeParameters) return typeHint(cx, d.type, init, isReturn);
      return undefined;
    }
    default:
      return undefined;
  }
}

export function optional(cx: Translator, h: string): string {
  cx.usage.typing.add("Optional");
  return `Optional[${h}]`;
}

export function classHint(cx: Translator, n: ts.EntityName): string | undefined {
  const sym = cx.checker.getSymbolAtLocation(n);
  const target = sym && sym.flags & ts.SymbolFlags.Alias ? cx.checker.getAliasedSymbol(sym) : sym;
  const d = target && declOf(cx, target);
  if (!d || !ts.isClassDeclaration(d)) return undefined;
  if (originOf(d, cx.prog.typings).where !== "user" || !cx.included.has(d)) return undefined;
  return target && cx.symbolNames.get(target);
}

export function isOptionsType(cx: Translator, t: ts.Type): boolean {
  const nn = cx.checker.getNonNullableType(t);
  return isDictType(cx, nn) && !isArrayLike(cx, nn);
}

/**
 * A child module stored in a field whose name is an nn.Module attribute (`double`, `parameters`,
 * ...) is registered and read through _modules: `self.double` would be the method, and
 * add_module refuses the name.
 */
export function hiddenChild(cx: Translator, name: string, valueNode: ts.Node): boolean {
  return TORCH_MODULE_ATTRIBUTES.has(name) && isModuleType(cx, typeOf(cx, valueNode));
}
