import * as fs from "node:fs";
import { readLegacyCheckpoint } from "../checkpointLegacy";
import { withOpenFile } from "./openFile";
import { readPytorchZip } from "./pytorchZip";
import { readSafetensors } from "./safetensors";
import type { Read, StateDict, WeightTensor } from "./stateDict";

/**
 * Reads a weights file whatever its format, told by its content (not its name): a PyTorch zip
 * (`torch.save` since 1.6, `.pth`/`.pt`/`.bin`), a `.safetensors`, and a clear message for a legacy
 * (pre-1.6) `torch.save` file or anything else. Nothing in the file is executed. A CNN Studio
 * checkpoint of the format before `.safetensors` (its `.json` index, beside its `.bin`) reads too,
 * its parameters and buffers, so an old run can be fine-tuned.
 */

/** The pickle that starts a legacy `torch.save` file: PROTO 2, LONG1 of the magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

export const LEGACY_MESSAGE =
  "is a legacy torch.save file (before PyTorch 1.6), which this reader does not read: re-save it with PyTorch ≥ 1.6 " +
  "(torch.save(torch.load(f), g, _use_new_zipfile_serialization=True)), or as .safetensors";

export type WeightsFormat = "pytorch-zip" | "safetensors" | "legacy-torch" | "pickle" | "checkpoint-index" | "unknown";

/** The format of a file from its first bytes. */
export function sniffWeightsFormat(head: Buffer): WeightsFormat {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return "pytorch-zip";
  if (head.length >= LEGACY_MAGIC.length && head.subarray(0, LEGACY_MAGIC.length).equals(LEGACY_MAGIC)) return "legacy-torch";
  if (head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return "pickle";
  // safetensors: an 8-byte little-endian header length, then the JSON header's "{"
  if (head.length >= 9 && head[8] === 0x7b && head.readUInt32LE(4) === 0) return "safetensors";
  // a JSON object: the index of a checkpoint of the format before .safetensors (checkpointLegacy.ts)
  if (/^\s*\{/.test(head.toString("latin1"))) return "checkpoint-index";
  return "unknown";
}

function readHead(file: string): Read<Buffer> {
  return withOpenFile(file, (fd) => {
    if (fs.fstatSync(fd).isDirectory()) return { ok: false, error: `${file} is a folder, not a weights file` };
    const head = Buffer.alloc(16);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return { ok: true, value: head.subarray(0, n) };
  });
}

export function readWeightsFile(file: string): Read<StateDict> {
  const head = readHead(file);
  if (!head.ok) return head;
  switch (sniffWeightsFormat(head.value)) {
    case "pytorch-zip":
      return readPytorchZip(file);
    case "safetensors":
      return readSafetensors(file);
    case "checkpoint-index":
      return readLegacyCheckpointWeights(file);
    case "legacy-torch":
      return { ok: false, error: `${file} ${LEGACY_MESSAGE}` };
    case "pickle":
      return {
        ok: false,
        error: `${file} is a bare pickle, not a torch.save zip file: save the weights with torch.save(model.state_dict(), path) (PyTorch ≥ 1.6) or as .safetensors`,
      };
    case "unknown":
      return {
        ok: false,
        error: `${file} is neither a PyTorch file (torch.save, a zip archive) nor a .safetensors file (${head.value.length < 9 ? `only ${head.value.length} bytes` : "its first bytes are neither"})`,
      };
  }
}

/**
 * The parameters and buffers of a checkpoint of the format before `.safetensors` (its `.json`
 * index; the `.bin`'s size and CRC-32 checked), not its optimiser state: the state_dict it holds.
 */
export function readLegacyCheckpointWeights(file: string): Read<StateDict> {
  const ck = readLegacyCheckpoint(file);
  if (!ck.ok) return ck;
  const tensors = new Map<string, WeightTensor>();
  for (const t of ck.value.tensors.values()) {
    if (t.kind === "optimizer") continue;
    tensors.set(t.name, { name: t.name, shape: t.shape, dtype: t.torchDtype === "int64" ? "I64" : "F32", values: t.data });
  }
  return { ok: true, value: { file, tensors, notes: [], metadata: {} } };
}
