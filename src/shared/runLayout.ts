/**
 * The layout of a run folder, as the trainer writes it (src/trainer/runFiles.ts, checkpoint.ts) and the
 * extension reads it (src/extension/runs/runFolder.ts): `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/`
 * with these files, and `checkpoints/<index>.json` + `.bin`.
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

/** A checkpoint index's file name: `e0003-s000125.json` (its data: the same name with `.bin`). */
export const CHECKPOINT_INDEX = /^e\d{4,}-s\d{6,}\.json$/;

export const CHECKPOINT_FORMAT = "cnn-studio-checkpoint";

/** The model name a run folder's name ends with (`2026-01-02-030405-lenet5` → `lenet5`). */
export const modelOfRunName = (name: string): string => name.replace(/^\d{4}-\d\d-\d\d-\d{6}-/, "");
