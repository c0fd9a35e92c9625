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

/** A fix of several edits (issue 19.9: a mismatch's producing layer and the norms sized by it). */
export interface EditFix {
  title: string;
  edits: { location: Location; newText: string }[];
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** A short stable identifier, e.g. `channel-mismatch`, `unsupported-syntax`. */
  code: string;
  location: Location;
  related: { message: string; location: Location }[];
  fix?: TextFix;
  /**
   * The other side of a channel mismatch: the layer that produced the count changed to what the
   * layer reporting it expects. A candidate: the language server offers it only where the edited
   * file analyses without a new error.
   */
  producerFix?: EditFix;
  /**
   * The model whose construction (its exported statement) or forward pass reported it; absent for
   * what concerns the whole file (syntax, imports, other top-level code). Another model's errors
   * never keep a model from training (issue 19.7).
   */
  model?: string;
}

/** The errors that keep `model` from training: its own and the file's, never another model's. */
export function modelErrors(diagnostics: readonly Diagnostic[], model: string): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error" && (d.model === undefined || d.model === model));
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
  /** The output's shape; for a custom module whose forward returns several tensors, the first one's. */
  output: Shape;
  /** All of a custom module's outputs when its forward returns an array or an object of tensors. */
  outputs?: OutputShape;
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
  kind: "input" | "module" | "op" | "output" | "param";
  /**
   * Module path for module calls, the operation (`add`, `cat`, `flatten`, ...) for ops, the
   * state_dict name (`encoder.posEmbedding`) for a parameter or buffer read in `forward` ("param":
   * `attrs` are `module` (its owner's path), `name`, `role` ("parameter", "buffer" or "constant"),
   * and the owner's `declaredTensors` entry has its shape and initialisation).
   */
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
  /** The output shape; several for a forward that returns an array, named ones for an object; null when analysis stopped at an error. */
  output: OutputShape | null;
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

/** What `forward` returns: a tensor's shape, an array's (`Shape[]`), or an object's by name (`{ out, aux }`). */
export type OutputShape = Shape | Shape[] | { [name: string]: Shape };

export interface ModuleInfo {
  path: string;
  type: string;
  params: Count;
  trainableParams: Count;
  buffers: Count;
  definedAt: Location | null;
  /** Parameters and buffers the module itself declares (`nn.Parameter`, `registerBuffer`), in registration order; absent when none. */
  declaredTensors?: DeclaredTensor[];
  /**
   * A built-in layer's tensors (`weight`, `bias`) whose initialisation the model sets
   * (`nn.init.kaimingNormal_(conv.weight, ...)`), by name; absent when all keep PyTorch's default.
   */
  initialisers?: Record<string, TensorInit>;
}

/** A parameter or buffer declared by a custom module (`this.classToken = nn.Parameter(torch.zeros(1, 1, 768))`). */
export interface DeclaredTensor {
  /** The attribute name, the last part of its state_dict name. */
  name: string;
  role: "parameter" | "buffer";
  shape: number[];
  /** Parameters: `requiresGrad` (false: not trainable). Buffers: false. */
  requiresGrad: boolean;
  /** Buffers: in the state_dict (`registerBuffer(name, t, false)` makes it non-persistent). Parameters: true. */
  persistent: boolean;
  init: TensorInit;
}

/**
 * How a tensor's initial values are made, as the model declares them: by its creation function
 * (`torch.zeros`, `torch.randn`, ...) and then the in-place initialisers applied to it
 * (`normal_`, `nn.init.truncNormal_`, ...). Kaiming and Xavier initialisers are resolved to the
 * normal or uniform distribution they draw from (their fans are known from the shape).
 */
export type TensorInit =
  | { kind: "const"; value: number }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; low: number; high: number }
  | { kind: "truncNormal"; mean: number; std: number; a: number; b: number }
  /** `torch.empty`: uninitialised memory in PyTorch (the trainer uses zeros). */
  | { kind: "empty" }
  /**
   * Values computed by an expression (`torch.arange`, `torch.eye`, `meshgrid`, ...), named by the
   * operation that made them; `graph` is that expression where the constructor computed it from
   * creation functions (Swin's relative position index), for the trainer to evaluate once.
   */
  | { kind: "computed"; op: string; graph?: ConstantGraph };

/**
 * The operations a constructor computed a tensor with, in evaluation order: each node's operation
 * (a graph node's label: `arange`, `meshgrid`, `sub`, `selectScatter`, ...), its inputs (indices of
 * earlier nodes), output shape and arguments; the tensor is the last node's output.
 */
export interface ConstantGraph {
  nodes: { op: string; inputs: number[]; output: Shape; attrs: Record<string, AttrValue> }[];
}

export interface FileAnalysis {
  file: string;
  models: ModelAnalysis[];
  diagnostics: Diagnostic[];
  /** Every file that was read to analyse this one (the file itself and its relative imports). */
  dependencies: string[];
}
