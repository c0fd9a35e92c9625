/**
 * tfjs-core's CommonJS build (what `require("@tensorflow/tfjs-core")` loads in Node) registers no
 * gradient functions: they live only in its ES-module files. This module imports them for their
 * side effect: every gradient of tfjs registered in tfjs's global registry. Those files use
 * extensionless ES-module imports that Node cannot load, so the build bundles this module (into
 * the trainer bundle, and on its own into out/, see scripts/build.mjs). The bundled ES-module
 * helpers are a second copy of some of tfjs-core's code; they find the CommonJS copy's engine
 * through tfjs's global namespace, so the CommonJS copy must be loaded first (the import below):
 * then there is one engine, one kernel registry, one gradient registry, one Tensor class in use.
 */
import { version_core } from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";

/** A named import that is used: bundlers keep the CommonJS tfjs-core before the gradients. */
export const TFJS_GRADIENTS = `tfjs-core ${version_core} gradients`;
