import { closest } from "../suggest";
import type { ArgValue, Args, LayerKind, ParamSpec } from "./kind";

/**
 * Resolves a factory call's arguments against a layer kind's parameters: positional in PyTorch's
 * order, then a trailing options object; checks types; fills defaults.
 */

export interface ArgProblem {
  message: string;
  /** Index of the positional argument at fault, or the option's name. */
  at: number | string | null;
}

export type ResolvedArgs = { ok: true; args: Args } | { ok: false; problem: ArgProblem };

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  return String(v);
}

/** What the value should be when it does not fit the parameter's type (e.g. "a positive integer"), else undefined. */
export function checkArgType(spec: ParamSpec, v: ArgValue): string | undefined {
  return checkType(spec, v);
}

function checkType(spec: ParamSpec, v: ArgValue): string | undefined {
  const isPair = (pred: (n: unknown) => boolean): boolean => pred(v) || (Array.isArray(v) && v.length === 2 && v.every(pred));
  const pos = (n: unknown): boolean => isInt(n) && n >= 1;
  const nonNeg = (n: unknown): boolean => isInt(n) && n >= 0;
  const list: readonly unknown[] | undefined = Array.isArray(v) ? (v as readonly unknown[]) : undefined;
  switch (spec.type) {
    case "posInt":
      return pos(v) ? undefined : "a positive integer";
    case "nonNegInt":
      return nonNeg(v) ? undefined : "a non-negative integer";
    case "int":
      return isInt(v) ? undefined : "an integer";
    case "posPair":
      return isPair(pos) ? undefined : "a positive integer or a pair of them";
    case "nonNegPair":
      return isPair(nonNeg) ? undefined : "a non-negative integer or a pair of them";
    case "padding":
      return isPair(nonNeg) || v === "same" || v === "valid" ? undefined : 'a non-negative integer, a pair of them, "same" or "valid"';
    case "sizeOrNull":
      return v === null || isPair(pos) ? undefined : "a positive integer or a pair of them";
    case "number":
      return typeof v === "number" && Number.isFinite(v) ? undefined : "a number";
    case "numberPair":
      return isPair((n) => typeof n === "number" && n > 0 && Number.isFinite(n)) ? undefined : "a positive number or a pair of them";
    case "probability":
      return typeof v === "number" && v >= 0 && v <= 1 ? undefined : "a probability between 0 and 1";
    case "bool":
      return typeof v === "boolean" ? undefined : "true or false";
    case "posIntOrNull":
      return v === null || pos(v) ? undefined : "a positive integer or null";
    case "intList":
      return Array.isArray(v) && v.every(isInt) ? undefined : "a list of integers";
    case "string":
      if (typeof v !== "string") return "a string";
      return !spec.choices || spec.choices.includes(v) ? undefined : `one of ${spec.choices.map((c) => JSON.stringify(c)).join(", ")}`;
    case "posIntList":
      return pos(v) || (list !== undefined && list.length >= 1 && list.every(pos)) ? undefined : "a positive integer or a non-empty list of them";
    case "intQuad":
      return isInt(v) || (list !== undefined && list.length === 4 && list.every(isInt)) ? undefined : "an integer or a list of four";
    case "sizeList":
      return list !== undefined && list.length >= 1 && list.every((n) => pos(n) || n === -1)
        ? undefined
        : "a non-empty list of positive integers (one may be -1)";
  }
}

/**
 * @param positional the positional argument values (already converted), the options object excluded
 * @param options the options object's entries, or undefined
 */
export function resolveArgs(kind: LayerKind, positional: readonly ArgValue[], options: ReadonlyMap<string, ArgValue> | undefined): ResolvedArgs {
  const specs = kind.params;
  const positionalSpecs = specs.filter((s) => !s.keywordOnly);
  const fail = (message: string, at: number | string | null): ResolvedArgs => ({ ok: false, problem: { message, at } });
  if (positional.length > positionalSpecs.length) {
    return fail(
      `${kind.type} takes at most ${positionalSpecs.length} positional argument${positionalSpecs.length === 1 ? "" : "s"} but receives ${positional.length}`,
      positionalSpecs.length,
    );
  }
  const given = new Map<string, { v: ArgValue; at: number | string }>();
  positional.forEach((v, i) => given.set(positionalSpecs[i]!.name, { v, at: i }));
  for (const [name, v] of options ?? []) {
    if (kind.ignoredOptions?.includes(name)) continue;
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const names = [...specs.map((s) => s.name), ...(kind.ignoredOptions ?? [])];
      const guess = closest(name, names);
      const optional = [...specs.filter((s) => "default" in s).map((s) => s.name), ...(kind.ignoredOptions ?? [])];
      const known = optional.length ? `; its options are ${optional.map((n) => `'${n}'`).join(", ")}` : " and takes no options";
      return fail(`${kind.type} has no option '${name}'${guess ? ` (did you mean '${guess}'?)` : known}`, name);
    }
    if (given.has(name)) return fail(`${kind.type} receives '${name}' twice (positionally and as an option)`, name);
    given.set(name, { v, at: name });
  }
  const args: Args = {};
  for (const spec of specs) {
    const g = given.get(spec.name);
    if (g === undefined || g.v === undefined) {
      if (!("default" in spec)) {
        // Passed but undefined (a missing field, say) is a wrong value where it was written, not a missing argument.
        if (g) return fail(`${kind.type} argument '${spec.name}' must be ${checkType(spec, undefined) ?? "given"}, got undefined`, g.at);
        return fail(`${kind.type} is missing its required argument '${spec.name}'`, null);
      }
      const d = spec.default;
      args[spec.name] = typeof d === "function" ? d(args) : d;
      continue;
    }
    const expected = checkType(spec, g.v);
    if (expected) return fail(`${kind.type} argument '${spec.name}' must be ${expected}, got ${show(g.v)}`, g.at);
    args[spec.name] = g.v;
  }
  return { ok: true, args };
}
