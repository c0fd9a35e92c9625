import { selectBackend } from "./model/backend";
import { compileModel } from "./model/compile";
import { runTrainerProcess } from "./process";

/**
 * The trainer process (bundled to dist/trainer.js), started by src/trainer/client.ts with
 * `child_process.fork`: speaks the protocol of src/shared/training.ts over IPC, trains one run
 * (with the PyTorch engine when `$CNN_STUDIO_ENGINE` is `torch`).
 */

declare const __VERSION__: string | undefined;

runTrainerProcess({
  compile: compileModel,
  selectBackend: (choice) => selectBackend(choice),
  version: typeof __VERSION__ === "string" ? __VERSION__ : "dev",
  engine: process.env["CNN_STUDIO_ENGINE"] === "torch" ? "torch" : "tfjs",
});
