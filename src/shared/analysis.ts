/**
 * The analysis of a model file, as the analyzer produces it and as every consumer (CLI, language
 * server, sidebar, panels, trainer) reads it. Plain JSON-serialisable data only.
 */

import type { Count } from "./count";

export type { Count } from "./count";

/** One dimension of a shape: a number, or a symbolic batch such as `"N"` (or `"4*N"`). */
export type Dim = number | string;
export type Shape = Dim[];

/** A 0-based position, like LSP's. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A source location: an absolute file path and a range in it. */
export interface Location {
  file: string;
  range: Range;
}

export type Severity = "error" | "warning" | "info";

/** A replacement that certainly fixes a diagnostic (the value the input has). */
export interface TextFix {
  title: string;
  location: Location;
  newText: string;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** A short stable identifier, e.g. `channel-mismatch`, `unsupported-syntax`. */
  code: string;
  location: Location;
  related: { message: string; location: Location }[];
  fix?: TextFix;
}

/** Receptive field of a spatial output in input pixels, per axis [height, width] (Araujo et al., 2019). */
export interface WindowField {
  size: [number, number];
  jump: [number, number];
  start: [number, number];
}

/**
 * Every output unit sees the whole input: after an operation that mixes all positions (attention
 * over spatial tokens, a matmul over the token axis). `jump` and `start` are omitted.
 */
export interface WholeInputField {
  wholeInput: true;
}

export type ReceptiveField = WindowField | WholeInputField;

export function isWholeInput(rf: ReceptiveField): rf is WholeInputField {
  return "wholeInput" in rf;
}

/** One call of a leaf module (what a PyTorch forward hook on every leaf module would see). */
export interface LayerCall {
  /** Dotted path as in PyTorch's `named_modules()`, e.g. `layer1.0.conv1`. */
  path: string;
  type: string;
  /** Human-readable construction, e.g. `Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)`. */
  description: string;
  inputs: Shape[];
  output: Shape;
  params: Count;
  trainableParams: Count;
  buffers: Count;
  macs: Count;
  /** Bytes of the output at float32 (a symbolic batch counts as 1). */
  activationBytes: Count;
  receptiveField: ReceptiveField | null;
  /** Where the module was constructed. */
  definedAt: Location | null;
  /** Where it was called (a `forward` call expression), or null when a container called it. */
  calledAt: Location | null;
}

/** A configuration value of a layer or an operation (JSON). */
export type AttrValue = string | number | boolean | null | (string | number)[];

/** A node of the data-flow graph: a module call, a tensor operation, an input or the output. */
export interface GraphNode {
  id: number;
  kind: "input" | "module" | "op" | "output";
  /** Module path for module calls, the operation (`add`, `cat`, `flatten`, ...) for ops. */
  label: string;
  type: string;
  inputs: number[];
  output: Shape;
  /** Index into `layers` for module calls. */
  layer?: number;
  /**
   * What is needed to compute the node: a layer kind's resolved arguments (camelCase, defaults
   * filled; for modules and functional forms like `F.maxPool2d`), or an operation's arguments
   * (`cat`: dim; `flatten`: startDim, endDim; `view`/`reshape`: shape; `mean`: dims, keepdim;
   * `add`/`mul`/`sub`/`div` with a number: scalar).
   */
  attrs: Record<string, AttrValue>;
  receptiveField: ReceptiveField | null;
  location: Location | null;
  /** Multiply–accumulates of an operation that multiplies tensors (matmul, bmm, F.linear, ...), batch 1. */
  macs?: Count;
}

/** The shape of a tensor bound to a variable, or returned, in user code (for hovers and inlay hints). */
export interface TensorNote {
  kind: "binding" | "return";
  /** The variable name, or the return expression. */
  location: Location;
  shape: Shape;
  receptiveField: ReceptiveField | null;
}

export interface ModelAnalysis {
  name: string;
  /** Where the exported model is declared. */
  location: Location;
  inputs: Shape[];
  /** The output shape; several for a forward that returns an array; null when analysis stopped at an error. */
  output: Shape | Shape[] | null;
  params: Count;
  trainableParams: Count;
  buffers: Count;
  macs: Count;
  paramBytes: Count;
  bufferBytes: Count;
  activationBytes: Count;
  layers: LayerCall[];
  /**
   * False when the forward pass stopped at an error (e.g. the evaluation budget): `layers`, `macs`,
   * `activationBytes` and the graph then cover only the part analysed, and every display of them
   * says "incomplete".
   */
  complete: boolean;
  graph: GraphNode[];
  /** Every module of the tree (named_modules order), with its subtree totals; "" is the root. */
  modules: ModuleInfo[];
  /** Tensors bound to variables or returned in `forward` code, in evaluation order. */
  tensors: TensorNote[];
}

export interface ModuleInfo {
  path: string;
  type: string;
  params: Count;
  trainableParams: Count;
  buffers: Count;
  definedAt: Location | null;
}

export interface FileAnalysis {
  file: string;
  models: ModelAnalysis[];
  diagnostics: Diagnostic[];
  /** Every file that was read to analyse this one (the file itself and its relative imports). */
  dependencies: string[];
}
