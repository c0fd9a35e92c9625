import type { WeightsMismatch, WeightsReport } from "../../shared/weights";
import type { StateDict, WeightTensor } from "./stateDict";

/**
 * A weights file against a model, by PyTorch `state_dict` name, as `model.load_state_dict(sd,
 * strict=False)` sees it, except that a tensor whose shape differs is reported (and left as
 * initialised) instead of failing: the usual case of a pretrained backbone with a new head.
 */

/** A parameter or buffer of the model: its `state_dict` name and shape. */
export interface ModelTensorSpec {
  name: string;
  shape: number[];
}

/** The report, and the file's tensor for every loaded model name. */
export type WeightsMatch = WeightsReport & { values: Map<string, WeightTensor> };

/** Prefixes a checkpoint's names may carry that the model's do not: DataParallel and DistributedDataParallel's `module.`. */
export const STRIPPABLE_PREFIXES = ["module."] as const;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The file's name as the model would see it with `prefix` stripped (names without the prefix stay). */
function stripped(name: string, prefix: string): string {
  return prefix !== "" && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function matchesWith(modelNames: ReadonlySet<string>, fileNames: readonly string[], prefix: string): number {
  return fileNames.filter((n) => modelNames.has(stripped(n, prefix))).length;
}

/** The prefix to strip: the one under which most names match, and none unless stripping adds matches. */
function chooseStrip(modelNames: ReadonlySet<string>, fileNames: readonly string[]): string {
  let best = "";
  let bestCount = matchesWith(modelNames, fileNames, "");
  for (const prefix of STRIPPABLE_PREFIXES) {
    if (!fileNames.some((n) => n.startsWith(prefix))) continue;
    const count = matchesWith(modelNames, fileNames, prefix);
    if (count > bestCount) {
      best = prefix;
      bestCount = count;
    }
  }
  return best;
}

export function matchWeights(model: readonly ModelTensorSpec[], sd: StateDict): WeightsMatch {
  const modelNames = new Set(model.map((m) => m.name));
  const fileNames = [...sd.tensors.keys()];
  const prefix = chooseStrip(modelNames, fileNames);
  const byModelName = new Map<string, WeightTensor>();
  const taken = new Set<string>();
  for (const fileName of fileNames) {
    const name = stripped(fileName, prefix);
    const t = sd.tensors.get(fileName);
    // two file names that strip to one (`module.fc.weight` and `fc.weight`): the unprefixed one wins, the other is unexpected
    if (t === undefined || !modelNames.has(name) || (byModelName.has(name) && fileName !== name)) continue;
    byModelName.set(name, t);
  }
  const loaded: string[] = [];
  const missing: string[] = [];
  const mismatched: WeightsMismatch[] = [];
  const values = new Map<string, WeightTensor>();
  for (const m of model) {
    const t = byModelName.get(m.name);
    if (t === undefined) missing.push(m.name);
    else {
      taken.add(t.name);
      if (sameShape(t.shape, m.shape)) {
        loaded.push(m.name);
        values.set(m.name, t);
      } else mismatched.push({ name: m.name, fileShape: t.shape.slice(), modelShape: m.shape.slice() });
    }
  }
  const unexpected = fileNames.filter((n) => !taken.has(n));
  return {
    file: sd.file,
    loaded,
    missing,
    unexpected,
    mismatched,
    ...(prefix !== "" ? { strippedPrefix: prefix } : {}),
    notes: sd.notes.slice(),
    values,
  };
}

/** The report alone (without the tensors), for messages and JSON. */
export function reportOf(m: WeightsMatch): WeightsReport {
  const { values: _values, ...report } = m;
  void _values;
  return report;
}
