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

export type { LayerKind } from "./kind";
