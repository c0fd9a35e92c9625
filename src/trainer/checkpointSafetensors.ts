import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_FORMAT, checkpointBaseOf, checkpointFiles } from "../shared/runLayout";
import { checkpointBase, metaProblem, type CheckpointMeta, type CheckpointTensor, type Checked, type LoadedCheckpoint } from "./checkpointMeta";
import { writeFileAtomicWith } from "./runFiles";
import { readSafetensors, readSafetensorsHeader, writeSafetensorsTo, type TensorToWrite } from "./weightFiles/safetensors";

/**
 * Checkpoints since issue 15: `checkpoints/e0003-s000125.safetensors` holds exactly the model's
 * PyTorch `state_dict` (parameters and buffers by name, float32; `num_batches_tracked` int64), so
 * `model.load_state_dict(safetensors.torch.load_file(f))` takes it as it is, and it can be the
 * `--weights` of another run. Its `__metadata__` says the rest as strings: `format` "pt" (the
 * safetensors convention for PyTorch tensors), `checkpoint` "cnn-studio-checkpoint", `version` "2",
 * `model`, `writtenAt`, `reason`, and as JSON `position`, `optimizer` (name and scalars), `rng`,
 * `validation` (epoch checkpoints) and `optimizerState` (the sibling file, its size and a random stamp it carries too),
 * and `crc32`, the CRC-32 of the data (both files carry one; every full read checks it: a flipped bit is a damaged checkpoint).
 *
 * The optimiser state (`exp_avg`, `exp_avg_sq`, `momentum_buffer` by `<parameter>.<slot>`) lies
 * beside it in `e0003-s000125.optimizer.safetensors`, written FIRST; the model file is written last,
 * each to a temporary file renamed into place, so a model file always follows a complete optimiser
 * file: a crash between the two leaves only an optimiser file, which no reader lists. A model file
 * whose sibling is missing or not the one it names is weights only: readable for panels and
 * `--weights`, not resumable.
 */

export const CHECKPOINT_VERSION = 2;
/** The `checkpoint` metadata of an optimiser file. */
export const OPTIMIZER_STATE_FORMAT = "cnn-studio-optimizer-state";

type Meta = Omit<CheckpointMeta, "format" | "version" | "writtenAt">;

/** What the model file says of its optimiser sibling. */
interface OptimizerStateRef {
  file: string;
  byteLength: number;
  /** A random id, in both files' metadata: the optimiser file is the one written with this model file. */
  stamp: string;
}

const toWrite = (t: CheckpointTensor, name = t.name): TensorToWrite => ({
  name,
  shape: t.shape,
  values: t.data,
  ...(t.torchDtype === "int64" ? { dtype: "I64" as const } : {}),
});

/** Writes a checkpoint (the optimiser file, then the model file); returns the model file's path. */
export function writeCheckpoint(dir: string, meta: Meta, tensors: readonly CheckpointTensor[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const files = checkpointFiles(checkpointBase(meta.position.epoch, meta.position.step));
  const writtenAt = new Date().toISOString();
  const stamp = randomUUID();
  const optimizerTensors = tensors.filter((t) => t.kind === "optimizer").map((t) => toWrite(t, t.name.replace(/^optimizer\./, "")));
  let byteLength = 0;
  writeFileAtomicWith(path.join(dir, files.optimizer), (sink) =>
    writeSafetensorsTo(
      (bytes) => {
        byteLength += bytes.length;
        sink(bytes);
      },
      optimizerTensors,
      { checkpoint: OPTIMIZER_STATE_FORMAT, version: String(CHECKPOINT_VERSION), optimizer: meta.optimizer.name, stamp },
      { checksum: true },
    ),
  );
  const ref: OptimizerStateRef = { file: files.optimizer, byteLength, stamp };
  const metadata: Record<string, string> = {
    format: "pt",
    checkpoint: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    model: meta.model,
    writtenAt,
    reason: meta.reason,
    position: JSON.stringify(meta.position),
    optimizer: JSON.stringify(meta.optimizer),
    rng: JSON.stringify(meta.rng),
    ...(meta.validation ? { validation: JSON.stringify(meta.validation) } : {}),
    optimizerState: JSON.stringify(ref),
  };
  const file = path.join(dir, files.model);
  writeFileAtomicWith(file, (sink) =>
    writeSafetensorsTo(
      sink,
      tensors.filter((t) => t.kind !== "optimizer").map((t) => toWrite(t)),
      metadata,
      { checksum: true },
    ),
  );
  return file;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The checkpoint description in a model file's metadata, checked field by field. */
export function checkpointMetaOf(file: string, metadata: Record<string, string>): Checked<CheckpointMeta & { optimizerState: unknown }> {
  if (metadata["checkpoint"] !== CHECKPOINT_FORMAT || metadata["version"] !== String(CHECKPOINT_VERSION))
    return {
      ok: false,
      error: `${file}: not a CNN Studio checkpoint version ${CHECKPOINT_VERSION} (its __metadata__ has checkpoint ${JSON.stringify(metadata["checkpoint"] ?? null)}, version ${JSON.stringify(metadata["version"] ?? null)}); it can still be the --weights of a run`,
    };
  const o: Record<string, unknown> = {};
  for (const key of ["position", "optimizer", "rng", "validation", "optimizerState"]) {
    const v = parseJson(metadata[key]);
    if (metadata[key] !== undefined && v === undefined)
      return { ok: false, error: `${file}: __metadata__.${key} is not JSON (${metadata[key]!.slice(0, 80)})` };
    o[key] = v;
  }
  const problem = metaProblem(o, `${file}: its __metadata__`);
  if (problem !== null) return { ok: false, error: problem };
  const rng = o["rng"] as { seed?: unknown; scheme?: unknown } | undefined;
  const reason = metadata["reason"];
  return {
    ok: true,
    value: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      model: metadata["model"] ?? "",
      writtenAt: metadata["writtenAt"] ?? "",
      reason: reason === "stop" ? "stop" : "epoch",
      ...(validationOf(o["validation"]) ?? {}),
      position: o["position"] as CheckpointMeta["position"],
      optimizer: o["optimizer"] as CheckpointMeta["optimizer"],
      rng: { seed: typeof rng?.seed === "number" ? rng.seed : 0, scheme: typeof rng?.scheme === "string" ? rng.scheme : "" },
      optimizerState: o["optimizerState"],
    },
  };
}

function validationOf(v: unknown): { validation: { loss: number; accuracy: number } } | null {
  const o = v as { loss?: unknown; accuracy?: unknown } | undefined;
  if (typeof o !== "object" || o === null || typeof o.accuracy !== "number") return null;
  return { validation: { loss: typeof o.loss === "number" ? o.loss : NaN, accuracy: o.accuracy } };
}

/** Only the metadata of a model file (its header; no tensor data is read): for pruning and listing. */
export function readCheckpointMeta(file: string): Checked<CheckpointMeta> {
  const header = readSafetensorsHeader(file);
  if (!header.ok) return header;
  return checkpointMetaOf(file, header.value.metadata);
}

/** The optimiser file named by `ref`, checked to be the one written with the model file; its tensors as `optimizer.<parameter>.<slot>`. */
function readOptimizerState(modelFile: string, ref: unknown, optimizer: string): Checked<CheckpointTensor[]> {
  const r = ref as Partial<OptimizerStateRef> | undefined;
  const expected = checkpointFiles(checkpointBaseOf(path.basename(modelFile))).optimizer;
  const file = path.join(path.dirname(modelFile), expected);
  const weightsOnly = "weights only: it can be the --weights of a run, not resumed";
  if (typeof r !== "object" || r === null || r.file !== expected || typeof r.byteLength !== "number")
    return { ok: false, error: `${modelFile}: its __metadata__ names no optimizer state file ${expected} (${weightsOnly})` };
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    return {
      ok: false,
      error: `${file}: the optimizer state of ${path.basename(modelFile)} is missing (${(e as NodeJS.ErrnoException).code ?? String(e)}; ${weightsOnly})`,
    };
  }
  if (size !== r.byteLength)
    return {
      ok: false,
      error: `${file}: expected ${r.byteLength} bytes, the file has ${size} (not the optimizer state written with ${path.basename(modelFile)}: ${weightsOnly})`,
    };
  const sd = readSafetensors(file);
  if (!sd.ok) return sd;
  const m = sd.value.metadata;
  if (m["checkpoint"] !== OPTIMIZER_STATE_FORMAT || m["stamp"] !== r.stamp || m["optimizer"] !== optimizer)
    return { ok: false, error: `${file}: not the optimizer state written with ${path.basename(modelFile)} (its __metadata__ differs: ${weightsOnly})` };
  return {
    ok: true,
    value: [...sd.value.tensors.values()].map((t) => ({ name: `optimizer.${t.name}`, kind: "optimizer" as const, shape: t.shape, data: t.values })),
  };
}

/**
 * A checkpoint's model file and (unless `weightsOnly`) its optimiser file, checked whole: never
 * throws; a damaged one is an error naming the file and why.
 */
export function readSafetensorsCheckpoint(file: string, weightsOnly = false): Checked<LoadedCheckpoint> {
  const sd = readSafetensors(file);
  if (!sd.ok) return sd;
  const meta = checkpointMetaOf(file, sd.value.metadata);
  if (!meta.ok) return meta;
  const { optimizerState, ...index } = meta.value;
  const tensors = new Map<string, CheckpointTensor>();
  for (const t of sd.value.tensors.values()) {
    tensors.set(t.name, {
      name: t.name,
      kind: /(^|\.)(running_mean|running_var|num_batches_tracked)$/.test(t.name) ? "buffer" : "parameter",
      shape: t.shape,
      data: t.values,
      ...(t.dtype === "I64" ? { torchDtype: "int64" as const } : {}),
    });
  }
  if (!weightsOnly) {
    const opt = readOptimizerState(file, optimizerState, index.optimizer.name);
    if (!opt.ok) return opt;
    for (const t of opt.value) tensors.set(t.name, t);
  }
  return { ok: true, value: { file, index, tensors } };
}
