import { Conv2d, ConvTranspose2d } from "./conv";
import { Dropout, Dropout2d, ELU, GELU, Hardsigmoid, Hardswish, Identity, LeakyReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Tanh } from "./elementwise";
import { Flatten } from "./flatten";
import type { LayerKind } from "./kind";
import { Linear } from "./linear";
import { BatchNorm1d, BatchNorm2d, LocalResponseNorm } from "./norm";
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d } from "./pool";
import { Upsample } from "./upsample";

/** Every `nn.*` layer factory of the model language, by name. */
export const LAYER_KINDS: ReadonlyMap<string, LayerKind> = new Map(
  (
    [
      Conv2d, ConvTranspose2d, Linear,
      MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d,
      BatchNorm2d, BatchNorm1d, LocalResponseNorm,
      Dropout, Dropout2d, Flatten,
      ReLU, ReLU6, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Hardswish, Hardsigmoid, Softmax,
      Upsample, Identity,
    ] as LayerKind[]
  ).map((k) => [k.type, k]),
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
    ] as const
  ).map(([f, type]) => [f, LAYER_KINDS.get(type)!]),
);

export type { LayerKind } from "./kind";
