/**
 * A weights file read into memory: PyTorch `state_dict` names to tensors whose values are float32
 * (what both engines train in), each remembering the dtype it was stored in. The readers
 * (safetensors.ts, and the PyTorch zip reader) produce it; matching against a model, `--weights`
 * and checkpoints consume it. No reader executes anything from the file.
 */

/** The dtypes of the safetensors format, by its names; PyTorch files map onto the same set. */
export type StoredDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/** Bytes per element of each stored dtype. */
export const DTYPE_BYTES: Record<StoredDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export function isStoredDtype(s: string): s is StoredDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

export interface WeightTensor {
  name: string;
  shape: number[];
  /** The dtype in the file (values are converted to float32 on reading). */
  dtype: StoredDtype;
  values: Float32Array;
}

export interface StateDict {
  /** The file it was read from, for messages. */
  file: string;
  /** In the file's order. */
  tensors: Map<string, WeightTensor>;
  /** What the reader changed and the user should know ("12 float16 tensors converted to float32"). */
  notes: string[];
  /** String metadata stored with the tensors (safetensors' `__metadata__`). */
  metadata: Record<string, string>;
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: string };
