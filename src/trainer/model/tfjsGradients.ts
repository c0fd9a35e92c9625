/**
 * tfjs-core's CommonJS build (what `require("@tensorflow/tfjs-core")` loads in Node) registers no
 * gradient functions: they live only in its ES-module files. This module imports them for their
 * side effect: every gradient of tfjs registered in tfjs's global registry. Those files use
 * extensionless ES-module imports that Node cannot load, so the build bundles this module (into
 * the trainer bundle, and on its own into out/, see scripts/build.mjs). The bundled ES-module
 * helpers are a second copy of some of tfjs-core's code; they find the CommonJS copy's engine
 * through tfjs's global namespace, so the CommonJS copy must be loaded first (the import below):
 * then there is one engine, one kernel registry, one gradient registry, one Tensor class in use.
 * It also registers the one gradient the compiled models need that tfjs lacks (FusedConv2D).
 */
import {
  engine,
  registerGradient,
  sum,
  version_core,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedConv2DAttrs,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";

/**
 * FusedConv2D (a convolution with its bias added by the backend, linear activation, no dilation):
 * tfjs's fused op computes its gradients in a custom gradient, the input's always, even for a
 * model's first layer; this registered gradient computes each one only when it is needed.
 */
registerGradient({
  kernelName: "FusedConv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const g = dy as Tensor4D;
    const { strides, pad, dataFormat, dimRoundingMode, activation, dilations } = attrs as unknown as FusedConv2DAttrs;
    const ones = (d: number | [number, number]) => (Array.isArray(d) ? d.every((v) => v === 1) : d === 1);
    if (activation !== "linear" || dataFormat !== "NHWC" || !ones(dilations))
      throw new Error(
        `FusedConv2D gradient: only linear NHWC convolutions without dilation (got ${activation}, ${dataFormat}, dilations ${String(dilations)})`,
      );
    const inputAttrs: Conv2DBackpropInputAttrs = { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape };
    const filterAttrs: Conv2DBackpropFilterAttrs = { strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape };
    return {
      x: () => engine().runKernel("Conv2DBackpropInput", { dy: g, filter }, inputAttrs as unknown as NamedAttrMap) as Tensor,
      filter: () => engine().runKernel("Conv2DBackpropFilter", { x, dy: g }, filterAttrs as unknown as NamedAttrMap) as Tensor,
      bias: () => sum(g, [0, 1, 2]),
    };
  },
});

/** A named import that is used: bundlers keep the CommonJS tfjs-core before the gradients. */
export const TFJS_GRADIENTS = `tfjs-core ${version_core} gradients`;
