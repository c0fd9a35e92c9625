/**
 * The protocol between CNN Studio's language server (`dist/server.js`) and its clients (the
 * extension, the sidebar, the panels): custom requests and notifications, code-lens command
 * arguments, and the server's settings. Typed once here and used by both sides.
 *
 * Deliberately free of library imports: the server and the extension's language client bundle
 * different copies of `vscode-jsonrpc`, whose `RequestType` classes are not interchangeable, so
 * requests are described by their method name plus phantom parameter/result types.
 */
import type { Count, Diagnostic, Location, ModelAnalysis, OutputShape, Shape } from "./analysis";

/** A request: its method name and, as phantom types, its parameters and result. */
export interface TypedRequest<P, R> {
  readonly method: string;
  /** Never set; carries the parameter type. */
  readonly params?: P;
  /** Never set; carries the result type. */
  readonly result?: R;
}

/** A notification: its method name and, as a phantom type, its parameters. */
export interface TypedNotification<P> {
  readonly method: string;
  /** Never set; carries the parameter type. */
  readonly params?: P;
}

// ---- cnnStudio/analysis ----------------------------------------------------------------------

export interface AnalysisParams {
  textDocument: { uri: string };
}

/** A data-flow edge of a model's graph: `from`'s output feeds `to`; `shape` is what flows. */
export interface GraphEdge {
  from: number;
  to: number;
  shape: Shape;
}

/** A model's analysis with the edges of its graph spelled out (the nodes' `inputs`, inverted). */
export interface ModelGraph extends ModelAnalysis {
  edges: GraphEdge[];
}

/**
 * The whole analysis of one document, as the analyzer computed it for the document's latest text
 * (open buffers of imported files included). Locations are absolute file paths with 0-based
 * LSP ranges; `uri` is the document's URI as the client named it.
 */
export interface AnalysisResult {
  uri: string;
  /** The analysed file's absolute path. */
  file: string;
  /** The document version that was analysed; null when the file was read from disk. */
  version: number | null;
  /** False when the document does not import "cnn-studio": then models and diagnostics are empty. */
  isModelFile: boolean;
  models: ModelGraph[];
  diagnostics: Diagnostic[];
  /** Every file read to analyse this one (the file and its relative imports), absolute paths. */
  dependencies: string[];
}

/**
 * Answered within about a second like every request: when the server is still busy analysing, the
 * answer is the error ServerCancelled (-32802); ask again when `cnnStudio/didAnalyze` arrives.
 */
export const AnalysisRequest: TypedRequest<AnalysisParams, AnalysisResult> = { method: "cnnStudio/analysis" };

// ---- cnnStudio/didAnalyze --------------------------------------------------------------------

/** The headline figures of one model, for lists and status displays without the whole analysis. */
export interface ModelSummary {
  name: string;
  location: Location;
  inputs: Shape[];
  /** null when analysis stopped at an error. */
  output: OutputShape | null;
  params: Count;
  trainableParams: Count;
  macs: Count;
  layers: number;
  /** False when analysis stopped at an error: macs and layers count only the part analysed. */
  complete: boolean;
}

/**
 * Sent after every analysis of an open model file (also when only a file it imports changed), so
 * that views showing it know to refresh (and can ask `cnnStudio/analysis` for the details).
 */
export interface DidAnalyzeParams {
  uri: string;
  version: number | null;
  models: ModelSummary[];
  errors: number;
  warnings: number;
  /** Time the analyzer took, in milliseconds. */
  analysisMs: number;
}

export const DidAnalyzeNotification: TypedNotification<DidAnalyzeParams> = { method: "cnnStudio/didAnalyze" };

// ---- code-lens commands ----------------------------------------------------------------------

/** Command ids the server puts in code lenses; the extension registers them. */
export const ModelCommands = {
  showSummary: "cnnStudio.showSummary",
  train: "cnnStudio.train",
  openGraph: "cnnStudio.openGraph",
  openReceptiveField: "cnnStudio.openReceptiveField",
} as const;

export type ModelCommandId = (typeof ModelCommands)[keyof typeof ModelCommands];

/** The single argument of every model command: which model of which document. */
export interface ModelCommandArgs {
  uri: string;
  model: string;
}

// ---- settings --------------------------------------------------------------------------------

/** The configuration section the client sends in `workspace/didChangeConfiguration`. */
export const SETTINGS_SECTION = "cnnStudio";

export interface ServerSettings {
  inlayHints: {
    /** Master switch for shape inlay hints. */
    enabled: boolean;
    /** The output shape after each entry of `nn.Sequential(...)`. */
    sequentialEntries: boolean;
    /** The shape after each statement (in `forward`) that produces a tensor. */
    forwardStatements: boolean;
  };
  /** Quiet time after an edit before re-analysis (ms); requests never wait for it. */
  debounceMs: number;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  inlayHints: { enabled: true, sequentialEntries: true, forwardStatements: true },
  debounceMs: 75,
};

/** Any subset of the settings (each level optional). */
export interface PartialServerSettings {
  inlayHints?: Partial<ServerSettings["inlayHints"]>;
  debounceMs?: number;
}

/**
 * `initializationOptions` of the `initialize` request. `settings` may also arrive later as
 * `{ settings: { cnnStudio: PartialServerSettings } }` in `workspace/didChangeConfiguration`.
 */
export interface InitializationOptions {
  settings?: PartialServerSettings;
}
