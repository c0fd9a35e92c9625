import CHECKPOINT_SOURCE from "./checkpoint.py";

/**
 * Python functions, written into every exported file, that read and write CNN Studio checkpoints
 * (src/trainer/checkpoint.ts: a `.json` index and a `.bin` of little-endian float32 values, tensors
 * by PyTorch `state_dict` name): trained weights go from the TensorFlow.js engine to PyTorch and
 * back. The PyTorch training engine uses the same functions. They live in src/export/checkpoint.py
 * (a module of its own, compiled by test/export/pythonSources.test.ts), bundled as text by the
 * build's `.py` loader; the exported file gets it from its MARKER line on.
 */

const MARKER = "# ---- CNN Studio checkpoints";
const start = CHECKPOINT_SOURCE.indexOf(`\n${MARKER}`) + 1;
if (start === 0) throw new Error(`src/export/checkpoint.py has no '${MARKER}' line`);

/** The functions, from the MARKER line on. */
export const CHECKPOINT_PY: string = CHECKPOINT_SOURCE.slice(start);

/** What CHECKPOINT_PY imports from the standard library (the exporter adds them to the file's imports). */
export const CHECKPOINT_IMPORTS: string[] = CHECKPOINT_SOURCE.slice(0, start)
  .split("\n")
  .filter((l) => /^import \w+$/.test(l) && l !== "import torch");
