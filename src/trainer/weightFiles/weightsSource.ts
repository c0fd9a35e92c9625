import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_MODEL, RUN_FILES, RUN_MARKERS } from "../../shared/runLayout";
import { listCheckpoints } from "../checkpoint";
import { readLegacyIndex } from "../checkpointLegacy";
import { readCheckpointMeta } from "../checkpointSafetensors";
import type { Read } from "./stateDict";

/**
 * What `--weights` names, as the file to read (readWeightsFile): a weights file as it is (a
 * `.pth`, a `.safetensors`, a checkpoint's model file, the `.json` index of a checkpoint of the
 * format before), or a run folder (or its `checkpoints` folder), which stands for its newest
 * complete checkpoint's model file (or index), so that a run can start
 * from what another run trained. Never throws; a path that names nothing usable is a message.
 */
export function resolveWeightsSource(pathOrRunDir: string): Read<string> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(pathOrRunDir);
  } catch (e) {
    return { ok: false, error: `${pathOrRunDir}: no such weights file or run folder (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  if (!stat.isDirectory()) {
    return { ok: true, value: pathOrRunDir };
  }
  const runDir = runFolderOf(pathOrRunDir);
  if (runDir === null)
    return {
      ok: false,
      error: `${pathOrRunDir} is a folder but not a run folder (no ${RUN_MARKERS.join(", ")} or ${RUN_FILES.checkpoints}/): name a weights file, or a run folder for its newest checkpoint`,
    };
  const all = listCheckpoints(runDir).reverse();
  const skipped: string[] = [];
  for (const file of all) {
    const meta = CHECKPOINT_MODEL.test(path.basename(file)) ? readCheckpointMeta(file) : legacyIndexWhole(file);
    if (meta.ok) return { ok: true, value: file };
    skipped.push(meta.error);
  }
  return {
    ok: false,
    error: `${runDir} has no complete checkpoint to start from${skipped.length ? ` (damaged: ${skipped.join("; ")})` : " (a run writes one at the end of each epoch and when stopped)"}`,
  };
}

/** The index of a checkpoint of the format before, checked with its `.bin`'s size (the data's CRC-32 is checked when it is read). */
function legacyIndexWhole(file: string): Read<null> {
  const index = readLegacyIndex(file);
  if (!index.ok) return index;
  const bin = path.join(path.dirname(file), path.basename(String(index.value.bin)));
  let size: number;
  try {
    size = fs.statSync(bin).size;
  } catch (e) {
    return { ok: false, error: `${bin}: the data of ${path.basename(file)} is missing (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  return size === index.value.byteLength
    ? { ok: true, value: null }
    : { ok: false, error: `${bin}: expected ${index.value.byteLength} bytes, the file has ${size}` };
}

/** The run folder `dir` is, or whose `checkpoints` folder it is; null when neither. */
function runFolderOf(dir: string): string | null {
  const isRun = (d: string): boolean => RUN_MARKERS.some((f) => fs.existsSync(path.join(d, f))) || fs.existsSync(path.join(d, RUN_FILES.checkpoints));
  if (isRun(dir)) return dir;
  if (path.basename(path.resolve(dir)) === RUN_FILES.checkpoints) return path.dirname(path.resolve(dir));
  return null;
}
