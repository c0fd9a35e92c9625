import * as path from "node:path";
import { runWithCodeCache } from "../runtime/v8CodeCache";

/**
 * `dist/trainer.js`, the program every trainer and inspector process runs: starts the trainer
 * proper (`dist/trainer.bundle.js`, built from main.ts; TypeScript's compiler and TensorFlow.js
 * most of it) with a V8 code cache (src/runtime/v8CodeCache.ts), as the CLI's launcher does. The
 * cache is written when the process exits normally (a finished run, the inspector's idle stop).
 */
runWithCodeCache("trainer", path.join(__dirname, "trainer.bundle.js"), module, require);
