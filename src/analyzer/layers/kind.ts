import type { ReceptiveField, Shape, WindowField } from "../../shared/analysis";
import { formatShape } from "../shape";

/**
 * The contract every layer kind fulfils: its arguments (PyTorch's order and defaults), and in one
 * place its shape rule, parameter count, MACs and receptive-field rule — like tfjs-layers'
 * `computeOutputShape` per layer.
 */

export type Pair = [number, number];
/** A list of integers other than a pair (`[768]`, a 4-tuple of paddings). */
export type IntList = readonly number[];
/** A resolved argument: what a model file may pass to a factory. */
export type ArgValue = number | boolean | string | Pair | IntList | null | undefined;

export type ArgType =
  | "posInt" // integer ≥ 1
  | "nonNegInt" // integer ≥ 0
  | "posPair" // integer ≥ 1, or a pair of them
  | "nonNegPair"
  | "padding" // non-negative integer, pair, "same" or "valid"
  | "number"
  | "numberPair" // positive number, or a pair of them (scale factors)
  | "probability" // number in [0, 1]
  | "bool"
  | "int" // any integer (dims)
  | "sizeOrNull" // posInt or pair or null (adaptive pools)
  | "string"
  | "posIntList" // integer ≥ 1, or a non-empty list of them (LayerNorm's normalizedShape)
  | "intQuad" // integer, or a list of four (ZeroPad2d's left, right, top, bottom)
  | "sizeList" // non-empty list of integers ≥ 1 or -1 (Unflatten's sizes)
  // ---- attention: ----
  | "posIntOrNull" // posInt or null (MultiheadAttention's kdim, vdim)
  | "intList"; // a list of integers (Permute's dims)

export interface ParamSpec {
  name: string;
  type: ArgType;
  /** Omitted: the argument is required. A function computes the default from earlier arguments. */
  default?: ArgValue | ((args: Args) => ArgValue);
  /** Allowed strings for `string` parameters. */
  choices?: readonly string[];
  /** Only in the options object (PyTorch keyword-only). */
  keywordOnly?: boolean;
}

export type Args = Record<string, ArgValue>;

export interface LayerError {
  message: string;
  code: string;
  /** The argument whose value certainly fixes the error, and that value. */
  fix?: { param: string; value: number };
}

/** Exact counts (bigint: `Linear(2 ** 30, 2 ** 30)` has more than 2^53 MACs). */
export interface Counts {
  params: bigint;
  buffers: bigint;
}

/** A kind without parameters or buffers. */
export const NO_COUNTS: Counts = { params: 0n, buffers: 0n };

export interface LayerKind<C extends Args = Args> {
  readonly type: string;
  /** Parameters in PyTorch's positional order; any non-required one may also go in the options object. */
  readonly params: readonly ParamSpec[];
  /** Options accepted and ignored (e.g. `inplace`). */
  readonly ignoredOptions?: readonly string[];
  /** Accepts and ignores any arguments (nn.Identity). */
  readonly acceptsAnyArgs?: boolean;
  /** Checks relations between arguments and derives the configuration. */
  build?(args: Args): C | LayerError;
  /** PyTorch-like `repr`. */
  describe(c: C): string;
  counts(c: C): Counts;
  /**
   * Output shape for the input shapes, or why there is none. `origins` describe the inputs for
   * messages (e.g. "from [N, 16, 4, 4] flattened"); see `describeInput`.
   */
  forward(c: C, inputs: readonly Shape[], origins: readonly (string | undefined)[]): Shape | LayerError;
  /** Multiply–accumulates for one call (Conv2d, ConvTranspose2d, Conv1d and Linear only). */
  macs?(c: C, inputs: readonly Shape[], output: Shape): bigint;
  /**
   * Receptive field of the output. Omitted: the field passes through unchanged (element-wise layers).
   * Only called when the input carries a field and the output is spatial (4-D).
   */
  field?(c: C, input: WindowField, inputShape: Shape, output: Shape): ReceptiveField | null;
  // ---- attention: ----
  /** A module call with several tensors and call options that returns an array (nn.MultiheadAttention); omitted: one tensor in, one out. */
  readonly multiCall?: MultiCall<C>;
  /**
   * Submodules PyTorch's `named_modules()` lists inside this leaf (MultiheadAttention's `out_proj`),
   * with their parameters (included in `counts`): listed in `modules` after the leaf.
   */
  parts?(c: C): readonly { name: string; type: string; params: bigint }[];
}

/**
 * A call `m(t1, t2, ..., opts?)` returning several outputs (PyTorch's tuple), e.g. attention's
 * `[output, weights]`. `forward` gives the first output's shape; these give them all.
 */
export interface MultiCall<C extends Args = Args> {
  /** The tensor arguments, by name in order (`query`, `key`, `value`). */
  readonly tensors: readonly string[];
  /** The call options that are plain values (`needWeights`), with their defaults. */
  readonly options: readonly ParamSpec[];
  /** The call options that are tensors or null (`attnMask`), default null. */
  readonly tensorOptions: readonly string[];
  /** Every output's shape (null: the output is `null`), given the resolved options and the shapes of the tensor options given. */
  outputs(c: C, inputs: readonly Shape[], opts: Args, tensorOpts: ReadonlyMap<string, Shape>): (Shape | null)[] | LayerError;
  /** Multiply–accumulates of one call (batch 1 convention). */
  macs(c: C, inputs: readonly Shape[], opts: Args): bigint;
}

export function isLayerError(x: unknown): x is LayerError {
  return typeof x === "object" && x !== null && "message" in x && "code" in x;
}

export function err(code: string, message: string, fix?: LayerError["fix"]): LayerError {
  return fix ? { code, message, fix } : { code, message };
}

export function pair(v: ArgValue): Pair {
  if (Array.isArray(v)) return [v[0] ?? 0, v[1] ?? 0];
  const n = typeof v === "number" ? v : 0;
  return [n, n];
}

/** `(3, 3)` like PyTorch's repr of a pair. */
export function fmtPair(p: Pair): string {
  return `(${p[0]}, ${p[1]})`;
}

/** Describes a 4-D-input requirement failure. */
export function expectRank(type: string, shape: Shape, ranks: readonly number[], layout: string): LayerError | undefined {
  if (ranks.includes(shape.length)) return undefined;
  return err("rank-mismatch", `${type} expects a ${ranks.join("-D or ")}-D input ${layout} but receives ${formatShape(shape)}`);
}

export { windowOutput } from "./window";

/** "input [N, 256]", or how the input was made when known ("from [N, 16, 4, 4] flattened"). */
export function describeInput(shape: Shape, origin: string | undefined): string {
  return origin ?? `input ${formatShape(shape)}`;
}
