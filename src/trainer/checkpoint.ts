import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_ANY, CHECKPOINT_FORMAT, CHECKPOINT_OPTIMIZER, checkpointBaseOf, checkpointFiles } from "../shared/runLayout";
import { MAX_INDEX_BYTES, readLegacyCheckpoint, type CheckpointIndex } from "./checkpointLegacy";
import type { Checked, LoadedCheckpoint } from "./checkpointMeta";
import { readCheckpointMeta, readSafetensorsCheckpoint } from "./checkpointSafetensors";
import { removeStaleTemps } from "./runFiles";

/**
 * A run's checkpoints: `checkpoints/e0003-s000125.safetensors` + `.optimizer.safetensors`
 * (checkpointSafetensors.ts, written by both engines), and those of runs from before issue 15,
 * `e0003-s000125.json` + `.bin` (checkpointLegacy.ts), which resume, the panels and pruning still
 * read. This module lists, reads, prunes and picks the latest of either.
 */

export { CHECKPOINT_FORMAT };
export { checkpointBase, type CheckpointMeta, type CheckpointTensor, type LoadedCheckpoint, type TrainingPosition } from "./checkpointMeta";
export {
  crc32,
  crc32Update,
  readLegacyCheckpoint,
  writeLegacyCheckpoint,
  writeTensorData,
  WRITE_CHUNK_BYTES,
  type CheckpointIndex,
  type TensorEntry,
} from "./checkpointLegacy";
export { writeCheckpoint } from "./checkpointSafetensors";

/**
 * A checkpoint of either format by its model file or index, checked whole: never throws; a damaged
 * one is an error naming the file and why. `weightsOnly` (the panels) skips the optimiser state, so
 * a model file without its sibling reads too.
 */
export function readCheckpoint(file: string, options: { weightsOnly?: boolean } = {}): Checked<LoadedCheckpoint> {
  return file.endsWith(".safetensors") ? readSafetensorsCheckpoint(file, options.weightsOnly === true) : readLegacyCheckpoint(file);
}

/** The validation accuracy a checkpoint records (its metadata or index only), or null. */
function validationAccuracy(file: string): number | null {
  if (file.endsWith(".safetensors")) {
    const meta = readCheckpointMeta(file);
    return meta.ok ? (meta.value.validation?.accuracy ?? null) : null;
  }
  try {
    if (fs.statSync(file).size > MAX_INDEX_BYTES) return null;
    const acc = (JSON.parse(fs.readFileSync(file, "utf8")) as Partial<CheckpointIndex>).validation?.accuracy;
    return typeof acc === "number" ? acc : null;
  } catch {
    return null; // unreadable: not the best
  }
}

/** The files of a checkpoint (by its model file or index): the data and sibling first, the listed file last. */
function filesOf(file: string): string[] {
  const f = checkpointFiles(checkpointBaseOf(path.basename(file)));
  const dir = path.dirname(file);
  return (file.endsWith(".safetensors") ? [f.optimizer, f.model] : [f.bin, f.index]).map((n) => path.join(dir, n));
}

/**
 * Optimiser files without their model file (a crash between the two writes), older than the newest
 * checkpoint: never to be completed. Returns the removed files.
 */
function removeOrphanOptimizerFiles(runDir: string, newest: string | undefined): string[] {
  const dir = path.join(runDir, "checkpoints");
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const newestBase = newest === undefined ? "" : checkpointBaseOf(path.basename(newest));
  for (const n of names) {
    if (!CHECKPOINT_OPTIMIZER.test(n)) continue;
    const base = checkpointBaseOf(n);
    if (base >= newestBase || names.includes(checkpointFiles(base).model)) continue;
    try {
      fs.rmSync(path.join(dir, n), { force: true });
      removed.push(path.join(dir, n));
    } catch {
      // kept, then
    }
  }
  return removed;
}

/**
 * Deletes old checkpoints, keeping the newest `keep` and the epoch checkpoint with the best
 * validation accuracy (earliest on ties), and the temporary files of interrupted writes
 * (removeStaleTemps) and optimiser files whose model file was never written. Returns the removed
 * files (a checkpoint by its model file or index); never throws.
 */
export function pruneCheckpoints(runDir: string, keep: number): string[] {
  const stale = removeStaleTemps(path.join(runDir, "checkpoints"));
  const all = listCheckpoints(runDir);
  const orphans = removeOrphanOptimizerFiles(runDir, all.at(-1));
  if (all.length <= keep) return [...stale, ...orphans];
  let best: { file: string; accuracy: number } | null = null;
  for (const f of all) {
    const acc = validationAccuracy(f);
    if (acc !== null && (best === null || acc > best.accuracy)) best = { file: f, accuracy: acc };
  }
  const removed: string[] = [...stale, ...orphans];
  for (const f of all.slice(0, all.length - keep)) {
    if (f === best?.file) continue;
    try {
      for (const g of filesOf(f)) fs.rmSync(g, { force: true });
      removed.push(f);
    } catch {
      // kept, then
    }
  }
  return removed;
}

/** Checkpoints of a run (model files, and indexes of the old format), oldest first (by position). */
export function listCheckpoints(runDir: string): string[] {
  const dir = path.join(runDir, "checkpoints");
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => CHECKPOINT_ANY.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** The newest complete checkpoint of a run; damaged ones (a crash mid-write) are skipped, with the reasons. */
export function latestCheckpoint(runDir: string): { checkpoint: LoadedCheckpoint | null; skipped: string[] } {
  const skipped: string[] = [];
  for (const file of listCheckpoints(runDir).reverse()) {
    const r = readCheckpoint(file);
    if (r.ok) return { checkpoint: r.value, skipped };
    skipped.push(r.error);
  }
  return { checkpoint: null, skipped };
}
