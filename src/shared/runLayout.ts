/**
 * The layout of a run folder, as the trainer writes it (src/trainer/runFiles.ts, checkpoint.ts) and the
 * extension reads it (src/extension/runs/runFolder.ts): `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/`
 * with these files, and checkpoints (`checkpoints/<base>.safetensors` + `<base>.optimizer.safetensors`;
 * before issue 15, `<base>.json` + `<base>.bin`, still read).
 */

export const RUN_FILES = {
  config: "config.json",
  status: "status.json",
  metrics: "metrics.jsonl",
  log: "log.txt",
  checkpoints: "checkpoints",
} as const;

/** A folder is a run folder when it has one of these (the trainer writes config.json first). */
export const RUN_MARKERS: readonly string[] = [RUN_FILES.config, RUN_FILES.status, RUN_FILES.metrics];

/** A checkpoint index's file name: `e0003-s000125.json` (its data: the same name with `.bin`); the format before issue 15. */
export const CHECKPOINT_INDEX = /^e\d{4,}-s\d{6,}\.json$/;

export const CHECKPOINT_FORMAT = "cnn-studio-checkpoint";

/** The model name a run folder's name ends with (`2026-01-02-030405-lenet5` → `lenet5`). */
export const modelOfRunName = (name: string): string => name.replace(/^\d{4}-\d\d-\d\d-\d{6}-/, "");

/**
 * A checkpoint's model file: `e0003-s000125.safetensors`, exactly the model's PyTorch `state_dict`
 * (the training position in its `__metadata__`); the optimiser state lies beside it in
 * `e0003-s000125.optimizer.safetensors` (checkpointFiles).
 */
export const CHECKPOINT_MODEL = /^e\d{4,}-s\d{6,}\.safetensors$/;

/** A checkpoint's optimiser file (`e0003-s000125.optimizer.safetensors`), written before its model file. */
export const CHECKPOINT_OPTIMIZER = /^e\d{4,}-s\d{6,}\.optimizer\.safetensors$/;

/** A checkpoint of either format: its model file or (the old format) its index. */
export const CHECKPOINT_ANY = /^e\d{4,}-s\d{6,}\.(safetensors|json)$/;

/** The files of the checkpoint named `base` (`e0003-s000125`). */
export function checkpointFiles(base: string): { model: string; optimizer: string; index: string; bin: string } {
  return { model: `${base}.safetensors`, optimizer: `${base}.optimizer.safetensors`, index: `${base}.json`, bin: `${base}.bin` };
}

/** The base name of a checkpoint file of either format (`e0003-s000125.safetensors` → `e0003-s000125`). */
export const checkpointBaseOf = (file: string): string => file.replace(/(\.optimizer)?\.(safetensors|json|bin)$/, "");
