/**
 * Small runtime validators for every process boundary of CNN Studio: the messages between the
 * extension host and the webview panels (src/shared/webview), the trainer protocol
 * (src/shared/training.ts), the training configuration (src/shared/trainConfig.ts) and the
 * PyTorch engine's JSON lines (src/shared/torchLines.ts). Each message union is described once
 * with these combinators; the description is type-checked against the union's TypeScript types,
 * and both sides run it on every message. A failure names the message type, the field and the
 * value.
 *
 * Browser- and Node-safe: no imports, no DOM, no Node APIs.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** A validator: returns the checked (and normalised) value or throws `Invalid`. */
export type V<T> = (v: unknown, at: string) => T;

export class Invalid extends Error {}

export function show(v: unknown): string {
  if (v instanceof Float32Array) return `Float32Array(${v.length})`;
  if (v instanceof Float64Array) return `Float64Array(${v.length})`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (v === undefined || typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

function fail(at: string, what: string, v: unknown): never {
  throw new Invalid(`${at} must be ${what}, got ${show(v)}`);
}

export const str: V<string> = (v, at) => (typeof v === "string" ? v : fail(at, "a string", v));

export const bool: V<boolean> = (v, at) => (typeof v === "boolean" ? v : fail(at, "true or false", v));

export interface NumOptions {
  int?: boolean;
  min?: number;
  /** An exclusive lower bound: the value must be above it. */
  above?: number;
  max?: number;
  /** An exclusive upper bound: the value must be below it. */
  below?: number;
  /** Allow NaN and ±Infinity (metrics of a diverging run). Default false. */
  nonFinite?: boolean;
}

/**
 * What a number breaks of `opts` ("an integer", "at least 1", "above 0", "at most 10", "below 1"), or
 * undefined; every number check (messages, the CLI, the Train view's form) words its limits so.
 */
export function numberProblem(v: number, opts: NumOptions, integer = "an integer"): string | undefined {
  if (!opts.nonFinite && !Number.isFinite(v)) return "a finite number";
  if (opts.int && !Number.isInteger(v)) return integer;
  if (opts.min !== undefined && v < opts.min) return `at least ${opts.min}`;
  if (opts.above !== undefined && v <= opts.above) return `above ${opts.above}`;
  if (opts.max !== undefined && v > opts.max) return `at most ${opts.max}`;
  if (opts.below !== undefined && v >= opts.below) return `below ${opts.below}`;
  return undefined;
}

export function num(opts: NumOptions = {}): V<number> {
  return (v, at) => {
    if (typeof v !== "number") fail(at, "a number", v);
    const problem = numberProblem(v, opts);
    return problem === undefined ? v : fail(at, problem, v);
  };
}

export const int: V<number> = num({ int: true });
export const nat: V<number> = num({ int: true, min: 0 });
/** A non-negative count: an integer up to 2^53, or the decimal digits of a larger one (see shared/count.ts). */
export const count: V<number | string> = (v, at) => (typeof v === "string" && /^[1-9]\d{15,}$/.test(v) ? v : nat(v, at));

export function literal<T extends string | number | boolean>(value: T): V<T> {
  return (v, at) => (v === value ? value : fail(at, JSON.stringify(value), v));
}

export function oneOf<T extends string>(values: readonly T[]): V<T> {
  return (v, at) =>
    typeof v === "string" && (values as readonly string[]).includes(v) ? (v as T) : fail(at, `one of ${values.map((x) => `"${x}"`).join(", ")}`, v);
}

export function nullable<T>(inner: V<T>): V<T | null> {
  return (v, at) => (v === null ? null : inner(v, at));
}

/** An optional field: absent (or undefined) gives undefined. */
export function optional<T>(inner: V<T>): V<T | undefined> {
  return (v, at) => (v === undefined ? undefined : inner(v, at));
}

export function arr<T>(inner: V<T>, opts: { min?: number; max?: number } = {}): V<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) fail(at, "an array", v);
    if (opts.min !== undefined && v.length < opts.min) fail(at, `an array of at least ${opts.min}`, v);
    if (opts.max !== undefined && v.length > opts.max) fail(at, `an array of at most ${opts.max}`, v);
    return v.map((x, i) => inner(x, `${at}[${i}]`));
  };
}

export function tuple2<T>(inner: V<T>): V<[T, T]> {
  return (v, at) => {
    if (!Array.isArray(v) || v.length !== 2) fail(at, "a pair", v);
    return [inner(v[0], `${at}[0]`), inner(v[1], `${at}[1]`)];
  };
}

export function record(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) fail(at, "an object", v);
  return v as Record<string, unknown>;
}

type Shape<S> = { [K in keyof S]: S[K] extends V<infer T> ? T : never };

/** An object with exactly these fields checked (others are dropped); undefined results are omitted. */
export function obj<S extends Record<string, V<unknown>>>(shape: S): V<Shape<S>> {
  return (v, at) => {
    const o = record(v, at);
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape)) {
      const x = check(o[k], `${at}.${k}`);
      if (x !== undefined) out[k] = x;
    }
    return out as Shape<S>;
  };
}

/** A record with string keys and values of one kind. */
export function dict<T>(inner: V<T>): V<Record<string, T>> {
  return (v, at) => {
    const o = record(v, at);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(o)) out[k] = inner(x, `${at}.${k}`);
    return out;
  };
}

/** Anything JSON-like (no functions); used only for opaque attribute values. */
export function anyOf<T>(...options: V<T>[]): V<T> {
  return (v, at) => {
    const errors: string[] = [];
    for (const o of options) {
      try {
        return o(v, at);
      } catch (e) {
        if (!(e instanceof Invalid)) throw e;
        errors.push(e.message);
      }
    }
    throw new Invalid(errors.join("; or "));
  };
}

/** A Float32Array (a plain array of numbers is accepted and converted, for hosts that JSON-encode). */
export const f32: V<Float32Array> = (v, at) => {
  if (v instanceof Float32Array) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return Float32Array.from(v as number[]);
  return fail(at, "a Float32Array", v);
};

/** A Float64Array (or a plain array of numbers, converted; null entries become NaN). */
export const f64: V<Float64Array> = (v, at) => {
  if (v instanceof Float64Array) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "number" || x === null)) return Float64Array.from(v as (number | null)[], (x) => (x === null ? NaN : x));
  return fail(at, "a Float64Array", v);
};

export const u8: V<Uint8Array> = (v, at) => {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return fail(at, "a Uint8Array", v);
};

/** How a discriminated union's messages are named in errors. */
export interface TaggedNames {
  /** The whole message, before its type is known: `a curves message`. */
  message: string;
  /** What an unknown type is: `curves message` (→ `unknown curves message type "x"`). */
  unknown: string;
  /** A message of this type, the prefix of its fields: `curves message "snapshot"`. */
  at: (type: string) => string;
}

/**
 * A discriminated union on `type`: one validator per case. The mapping is checked against the
 * union type `T`, so a missing or mistyped case is a compile error.
 */
export function tagged<T extends { type: string }>(
  what: string,
  cases: { [K in T["type"]]: V<Extract<T, { type: K }>> },
  names: TaggedNames = { message: `a ${what} message`, unknown: `${what} message`, at: (type) => `${what} message "${type}"` },
): (v: unknown) => Checked<T> {
  const types = Object.keys(cases);
  return (v) =>
    checked(() => {
      const o = record(v, names.message);
      const type = o["type"];
      if (typeof type !== "string") throw new Invalid(`${names.message} needs a string "type", got ${show(type)}`);
      if (!Object.prototype.hasOwnProperty.call(cases, type))
        throw new Invalid(`unknown ${names.unknown} type ${show(type)} (expected one of ${types.join(", ")})`);
      const check = (cases as Record<string, V<T>>)[type]!;
      return check(v, names.at(type));
    });
}

export function checked<T>(f: () => T): Checked<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    return { ok: false, error: `invalid message: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Runs `check` on an outgoing message and throws with the validator's message when it fails (a bug of the sender). */
export function assertValid<T>(check: (v: unknown) => Checked<T>, msg: T): T {
  const r = check(msg);
  if (!r.ok) throw new Error(`refusing to send an invalid message: ${r.error}`);
  return r.value;
}
