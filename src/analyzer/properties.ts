import ts = require("typescript");
import { EvalError } from "./errors";
import type { Evaluator } from "./evaluator";
import { mapMember, setMember } from "./collections";
import { arrayMember, stringMember } from "./jsBuiltins";
import { childNameProblem } from "./moduleNames";
import { closest } from "./suggest";
import {
  ArrayValue,
  Builtin,
  BuiltinClass,
  ClassValue,
  MapValue,
  ModuleValue,
  Namespace,
  ObjectValue,
  Poison,
  SetValue,
  TensorValue,
  typeName,
  type Value,
} from "./values";

/** Properties of the abstract interpreter: reading and writing members of every kind of value. */

export function getProperty(ip: Evaluator, obj: Value, key: string | number, node: ts.Node): Value {
  if (obj instanceof Poison) return obj;
  if (obj instanceof ArrayValue) {
    if (typeof key === "number") return obj.items[key < 0 ? NaN : key];
    const m = arrayMember(ip, obj, key);
    if (m !== undefined) return m;
    if (/^\d+$/.test(key)) return obj.items[Number(key)];
  } else if (obj instanceof ObjectValue) {
    const k = String(key);
    if (obj.props.has(k)) return obj.props.get(k);
    return obj.cls ? ip.findMethod(obj.cls, k, obj) : undefined;
  } else if (typeof obj === "string") {
    if (typeof key === "number") return obj[key];
    const m = stringMember(ip, obj, key);
    if (m !== undefined) return m;
  } else if (obj instanceof ModuleValue) {
    return moduleMember(ip, obj, String(key), node);
  } else if (obj instanceof TensorValue) {
    const b = ip.torch.member(obj, String(key), node);
    if (b !== undefined) return b;
    throw new EvalError(node, `Tensor has no attribute '${key}' in the model language`, "undefined-name");
  } else if (obj instanceof Namespace) {
    const k = String(key);
    if (obj.members.has(k)) return obj.members.get(k);
    const guess = closest(k, [...obj.members.keys()]);
    throw new EvalError(node, `${obj.name}.${k} is not part of the model language${guess ? ` (did you mean ${obj.name}.${guess}?)` : ""}`, "unknown-layer");
  } else if (obj instanceof ClassValue) {
    return staticMember(obj, String(key));
  } else if (obj instanceof SetValue || obj instanceof MapValue) {
    const m = obj instanceof SetValue ? setMember(ip, obj, String(key)) : mapMember(ip, obj, String(key));
    if (m !== undefined) return m;
    throw new EvalError(node, `${typeName(obj)} has no member '${key}' in the model language`, "undefined-name");
  } else if (obj instanceof Builtin) {
    if (obj.statics?.has(String(key))) return obj.statics.get(String(key));
    if (key === "name") return obj.name;
    throw new EvalError(node, `${obj.name}.${key} is not part of the model language`, "undefined-name");
  } else if (obj === undefined || obj === null) {
    throw new EvalError(node, `Cannot read '${key}' of ${obj}`, "type-error");
  }
  if (typeof obj === "number" || typeof obj === "boolean") return undefined;
  throw new EvalError(node, `${ip.display(obj)} has no property '${key}'`, "undefined-name");
}

/** A module's field, method, or builtin member (`training`, layer attributes, ...). */
function moduleMember(ip: Evaluator, obj: ModuleValue, k: string, node: ts.Node): Value {
  if (obj.fields.has(k)) return ip.torch.readField(obj, k, obj.fields.get(k), node);
  if (obj.cls) {
    const m = ip.findMethod(obj.cls, k, obj);
    if (m) return m;
  }
  const b = ip.torch.member(obj, k, node);
  if (b !== undefined) return b;
  if (obj.cls && !obj.layer) return undefined; // an unset field of a user module reads as undefined, as in JS
  throw new EvalError(node, `${obj.typeName} has no attribute '${k}'`, "undefined-name");
}

/** A static member along the class chain, or the class's `name`. */
function staticMember(cls: ClassValue, key: string): Value {
  for (let c: ClassValue | BuiltinClass | null = cls; c instanceof ClassValue; c = c.base) {
    if (c.statics.has(key)) return c.statics.get(key);
  }
  if (key === "name") return cls.name;
  return undefined;
}

export function setProperty(ip: Evaluator, obj: Value, key: string, value: Value, node: ts.Node): void {
  if (obj instanceof ModuleValue) {
    // `dict[key] = module` is ModuleDict's __setitem__, that is add_module: the same names are refused
    const problem = obj.container === "ModuleDict" && value instanceof ModuleValue ? childNameProblem(obj, key) : null;
    if (problem !== null) throw new EvalError(node, problem, "invalid-module-name");
    ip.torch.setField(obj, key, value);
  } else if (obj instanceof ObjectValue) obj.props.set(key, value);
  else if (obj instanceof ArrayValue) {
    const i = Number(key);
    if (key === "length" && typeof value === "number") obj.items.length = value;
    else if (Number.isInteger(i) && i >= 0 && i < 1e6) obj.items[i] = value;
    else throw new EvalError(node, `Cannot set '${key}' on an array`, "type-error");
  } else if (obj instanceof ClassValue) obj.statics.set(key, value);
  else throw new EvalError(node, `Cannot set '${key}' on ${ip.display(obj)}`, "type-error");
}
