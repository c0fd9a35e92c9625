import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_INDEX, CHECKPOINT_MODEL, RUN_FILES, RUN_MARKERS } from "../../shared/runLayout";
import { listCheckpoints } from "../checkpoint";
import { readCheckpointMeta } from "../checkpointSafetensors";
import type { Read } from "./stateDict";

/**
 * What `--weights` names, as the file to read (readWeightsFile): a weights file as it is (a
 * `.pth`, a `.safetensors`, a checkpoint's model file), or a run folder (or its `checkpoints`
 * folder), which stands for its newest complete checkpoint's model file, so that a run can start
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
    if (CHECKPOINT_INDEX.test(path.basename(pathOrRunDir))) return { ok: false, error: `${pathOrRunDir}: ${OLD_FORMAT}` };
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
    if (!CHECKPOINT_MODEL.test(path.basename(file))) continue;
    const meta = readCheckpointMeta(file);
    if (meta.ok) return { ok: true, value: file };
    skipped.push(meta.error);
  }
  if (all.some((f) => CHECKPOINT_INDEX.test(path.basename(f))))
    return { ok: false, error: `${runDir} has only checkpoints in the ${OLD_FORMAT}${skipped.length ? ` (damaged: ${skipped.join("; ")})` : ""}` };
  return {
    ok: false,
    error: `${runDir} has no complete checkpoint to start from${skipped.length ? ` (damaged: ${skipped.join("; ")})` : " (a run writes one at the end of each epoch and when stopped)"}`,
  };
}

const OLD_FORMAT =
  "checkpoint format before .safetensors (a .json index and a .bin), which --weights does not read: load it with the exported model's load_checkpoint() in Python and torch.save(model.state_dict(), ...)";

/** The run folder `dir` is, or whose `checkpoints` folder it is; null when neither. */
function runFolderOf(dir: string): string | null {
  const isRun = (d: string): boolean => RUN_MARKERS.some((f) => fs.existsSync(path.join(d, f))) || fs.existsSync(path.join(d, RUN_FILES.checkpoints));
  if (isRun(dir)) return dir;
  if (path.basename(path.resolve(dir)) === RUN_FILES.checkpoints) return path.dirname(path.resolve(dir));
  return null;
}
