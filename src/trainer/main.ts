import { selectBackend } from "./model/backend";
import { compileModel } from "./model/compile";
import { runTrainerProcess } from "./process";

/**
 * The trainer process (bundled to dist/trainer.js), started by src/trainer/trainerClient.ts with
 * `child_process.fork`: speaks the protocol of src/shared/training.ts over IPC, trains one run
 * with the engine its start request names (src/trainer/engines).
 */

declare const __VERSION__: string | undefined;

runTrainerProcess({
  compile: compileModel,
  selectBackend: (choice) => selectBackend(choice),
  version: typeof __VERSION__ === "string" ? __VERSION__ : "dev",
});
