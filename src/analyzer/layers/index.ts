import { LAYER_TYPES, layerNamespace, type LayerType } from "../../shared/layerCatalog";
import { MultiheadAttention, Permute, StochasticDepth } from "./attention";
import { Conv2d, ConvTranspose2d } from "./conv";
import { Dropout, Dropout2d, ELU, GELU, Hardsigmoid, Hardswish, Identity, LeakyReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh } from "./elementwise";
import { Flatten } from "./flatten";
import type { LayerKind } from "./kind";
import { Linear } from "./linear";
import { BatchNorm1d, BatchNorm2d, LocalResponseNorm } from "./norm";
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d } from "./pool";
import { Upsample } from "./upsample";
import { AdaptiveAvgPool1d, AvgPool1d, Conv1d, MaxPool1d } from "./layers1d";
import { LayerNorm, GroupNorm } from "./norm";
import { Embedding, PixelShuffle, Unflatten, ZeroPad2d } from "./reshape";
import { Mish, PReLU } from "./elementwise";

/** Every `nn.*` layer kind of the model language, by type: shape, parameters, MACs, receptive field. */
export const LAYERS = {
  Conv2d,
  ConvTranspose2d,
  Linear,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  BatchNorm2d,
  BatchNorm1d,
  LocalResponseNorm,
  Dropout,
  Dropout2d,
  Flatten,
  ReLU,
  ReLU6,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Hardswish,
  Hardsigmoid,
  Softmax,
  Upsample,
  Identity,
  // ---- modules: issue 14 ----
  LayerNorm,
  GroupNorm,
  Conv1d,
  MaxPool1d,
  AvgPool1d,
  AdaptiveAvgPool1d,
  Embedding,
  Unflatten,
  PixelShuffle,
  ZeroPad2d,
  Mish,
  PReLU,
  // ---- attention: ----
  MultiheadAttention,
  StochasticDepth,
  Permute,
} satisfies Record<LayerType, LayerKind>;

/** The resolved configuration of a kind (its arguments, defaults filled, as `build` derives them): what its graph node's `attrs` hold. */
export type LayerConfig<T extends LayerType> = (typeof LAYERS)[T] extends LayerKind<infer C> ? C : never;

/** Every `nn.*` layer factory of the model language, by name. */
export const LAYER_KINDS: ReadonlyMap<string, LayerKind> = new Map(
  LAYER_TYPES.filter((t) => layerNamespace(t) === "nn").map((t) => [t, LAYERS[t] as LayerKind]),
);

/** The `ops.*` layer factories (torchvision.ops' leaf modules), by name. */
export const OPS_KINDS: ReadonlyMap<string, LayerKind> = new Map(
  LAYER_TYPES.filter((t) => layerNamespace(t) === "ops").map((t) => [t, LAYERS[t] as LayerKind]),
);

/** The `F.*` functions that take a layer kind's arguments after the tensor (`F.maxPool2d(x, 3, { stride: 2 })`). */
export const FUNCTIONAL_KINDS: ReadonlyMap<string, LayerKind> = new Map(
  (
    [
      ["softmax", "Softmax"],
      ["maxPool2d", "MaxPool2d"],
      ["avgPool2d", "AvgPool2d"],
      ["adaptiveAvgPool2d", "AdaptiveAvgPool2d"],
      ["adaptiveMaxPool2d", "AdaptiveMaxPool2d"],
      ["interpolate", "Upsample"],
    ] as const satisfies readonly (readonly [string, LayerType])[]
  ).map(([f, type]) => [f, LAYERS[type] as LayerKind]),
);

export type { LayerKind } from "./kind";
export {
  LAYER_CATALOG,
  LAYER_TYPES,
  isLayerType,
  layerCategory,
  layerNamespace,
  type InputParam,
  type LayerCategory,
  type LayerMeta,
  type LayerType,
} from "../../shared/layerCatalog";
export type { MultiheadAttentionConfig, PermuteConfig, StochasticDepthConfig } from "./attention";
export type { ConvConfig } from "./conv";
export type { DropoutConfig, ELUConfig, GELUConfig, LeakyReLUConfig, NoConfig, SoftmaxConfig } from "./elementwise";
export type { FlattenConfig } from "./flatten";
export type { LinearConfig } from "./linear";
export type { BatchNormConfig, LocalResponseNormConfig } from "./norm";
export type { AdaptivePoolConfig, AvgPoolConfig, MaxPoolConfig } from "./pool";
export type { UpsampleConfig } from "./upsample";
export type { AdaptivePool1dConfig, AvgPool1dConfig, Conv1dConfig, MaxPool1dConfig } from "./layers1d";
export type { GroupNormConfig, LayerNormConfig } from "./norm";
export type { EmbeddingConfig, PixelShuffleConfig, UnflattenConfig, ZeroPad2dConfig } from "./reshape";
export type { PReLUConfig } from "./elementwise";
