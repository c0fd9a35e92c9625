import type { Read, StateDict } from "./stateDict";

/** The PyTorch zip format (`torch.save` since 1.6): the reader follows in the next commit. */
export function readPytorchZip(file: string): Read<StateDict> {
  return { ok: false, error: `${file}: reading PyTorch zip files is not available yet` };
}
