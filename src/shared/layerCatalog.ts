/**
 * Every layer kind of the model language, with what every side needs to know about it before
 * anything else: its category and the parameter that fixes the input's channels or features (as
 * Netron's metadata). `LayerType` comes from here, so a new kind starts here; every registry
 * (`LAYERS` in src/analyzer/layers, the trainer's builders and initialisers, the export's table) is a record
 * over `LayerType` and fails to compile until it has the new kind.
 *
 * A leaf module (no imports) in shared/, so that webviews and the extension read categories without
 * the analyzer; src/analyzer/layers re-exports it.
 */

export type LayerCategory =
  | "conv"
  | "linear"
  | "norm"
  | "pooling"
  | "activation"
  | "dropout"
  | "reshape"
  | "resampling"
  | "identity"
  // ---- modules ----
  | "embedding"
  | "padding"
  // ---- attention: ----
  | "attention";

/** The parameter that must equal the input's channels (`[N, C, H, W]`, `[N, C, L]`) or features (`[N, F]`). */
export interface InputParam {
  readonly param: string;
  readonly layout: "NCHW" | "NF" | "NCL";
}

export interface LayerMeta {
  readonly category: LayerCategory;
  readonly input: InputParam | null;
  /** The namespace of the factory: `ops` for torchvision's building blocks (`ops.StochasticDepth`); omitted: `nn`. */
  readonly namespace?: "ops";
}

const CHANNELS = (param: string): InputParam => ({ param, layout: "NCHW" });
const FEATURES = (param: string): InputParam => ({ param, layout: "NF" });
const act: LayerMeta = { category: "activation", input: null };
const pool: LayerMeta = { category: "pooling", input: null };

export const LAYER_CATALOG = {
  Conv2d: { category: "conv", input: CHANNELS("inChannels") },
  ConvTranspose2d: { category: "conv", input: CHANNELS("inChannels") },
  Linear: { category: "linear", input: FEATURES("inFeatures") },
  MaxPool2d: pool,
  AvgPool2d: pool,
  AdaptiveAvgPool2d: pool,
  AdaptiveMaxPool2d: pool,
  BatchNorm2d: { category: "norm", input: CHANNELS("numFeatures") },
  BatchNorm1d: { category: "norm", input: FEATURES("numFeatures") },
  LocalResponseNorm: { category: "norm", input: null },
  Dropout: { category: "dropout", input: null },
  Dropout2d: { category: "dropout", input: null },
  Flatten: { category: "reshape", input: null },
  ReLU: act,
  ReLU6: act,
  LeakyReLU: act,
  ELU: act,
  GELU: act,
  SiLU: act,
  Sigmoid: act,
  Tanh: act,
  Hardswish: act,
  Hardsigmoid: act,
  Softmax: act,
  Upsample: { category: "resampling", input: null },
  Identity: { category: "identity", input: null },
  // ---- modules: issue 14 ----
  // LayerNorm fixes the input's last dims, not a layout; PReLU's parameters are per channel only when more than one.
  LayerNorm: { category: "norm", input: null },
  GroupNorm: { category: "norm", input: CHANNELS("numChannels") },
  Conv1d: { category: "conv", input: { param: "inChannels", layout: "NCL" } },
  MaxPool1d: pool,
  AvgPool1d: pool,
  AdaptiveAvgPool1d: pool,
  Embedding: { category: "embedding", input: null },
  Unflatten: { category: "reshape", input: null },
  PixelShuffle: { category: "resampling", input: null },
  ZeroPad2d: { category: "padding", input: null },
  Mish: act,
  PReLU: act,
  // ---- attention: nn.MultiheadAttention and torchvision.ops' leaf modules ----
  MultiheadAttention: { category: "attention", input: null },
  StochasticDepth: { category: "dropout", input: null, namespace: "ops" },
  Permute: { category: "reshape", input: null, namespace: "ops" },
} as const satisfies Record<string, LayerMeta>;

/** The type name of a layer kind (`nn.Conv2d` → `"Conv2d"`). */
export type LayerType = keyof typeof LAYER_CATALOG;

/** Every layer type, in the catalog's order. */
export const LAYER_TYPES = Object.keys(LAYER_CATALOG) as LayerType[];

export function isLayerType(type: string): type is LayerType {
  return Object.prototype.hasOwnProperty.call(LAYER_CATALOG, type);
}

/** The namespace that holds a layer type's factory (`ops` for torchvision's blocks, else `nn`). */
export function layerNamespace(type: LayerType): "nn" | "ops" {
  const meta: LayerMeta = LAYER_CATALOG[type];
  return meta.namespace ?? "nn";
}

/** The category of a built-in layer type; undefined for anything else (a custom module's class name). */
export function layerCategory(type: string): LayerCategory | undefined {
  return isLayerType(type) ? LAYER_CATALOG[type].category : undefined;
}
