import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pythonCandidates, runPython } from "./pythonProcess";

/**
 * ONNX export through PyTorch: the exported Python file is run with the user's Python and
 * `torch.onnx.export` writes the model (batch dimension dynamic where `@input` names it), so
 * Netron and ONNX runtimes can open it.
 */

export interface OnnxOptions {
  /** The model's name in the exported code's `MODELS`. */
  model: string;
  /** Output `.onnx` path. */
  out: string;
  python?: string | null;
  /** ONNX opset (default 13, supported by PyTorch 1.8 and later). */
  opset?: number;
  /** Trained weights: a CNN Studio checkpoint (its .safetensors model file, or an old .json index) or a run folder (its newest checkpoint). */
  checkpoint?: string | null;
}

export type OnnxResult = { ok: true; bytes: number; python: string; torch: string } | { ok: false; error: string };

const SCRIPT = `
import importlib.util, json, os, sys
import torch

code, name, out, opset, checkpoint = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
spec = importlib.util.spec_from_file_location("cnn_studio_export", code)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.MODELS[name]()
if checkpoint:
    module.load_checkpoint(model, checkpoint)
model.eval()
shapes = module.INPUTS[name]
args = tuple(torch.randn(*[d if isinstance(d, int) else 1 for d in shape]) for shape in shapes)
inputs = ["input"] if len(shapes) == 1 else [f"input{i + 1}" for i in range(len(shapes))]
dynamic = {n: {0: "batch"} for n, shape in zip(inputs, shapes) if not isinstance(shape[0], int)}
if dynamic:
    dynamic["output"] = {0: "batch"}
with torch.no_grad():
    torch.onnx.export(model, args, out, input_names=inputs, output_names=["output"],
                      dynamic_axes=dynamic or None, opset_version=opset)
print(json.dumps({"bytes": os.path.getsize(out), "torch": torch.__version__}))
`;

/** Runs `code` (an exported PyTorch file) and exports `options.model` to ONNX. */
export function exportOnnx(code: string, options: OnnxOptions): OnnxResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-onnx-"));
  try {
    const file = path.join(dir, "model.py");
    fs.writeFileSync(file, code);
    const r = runPython(pythonCandidates(options.python), SCRIPT, [
      file,
      options.model,
      path.resolve(options.out),
      String(options.opset ?? 13),
      options.checkpoint ? path.resolve(options.checkpoint) : "",
    ]);
    if (!r.ok) return r;
    if (r.status !== 0) {
      const tail = r.stderr.trim().split("\n").slice(-12).join("\n");
      return { ok: false, error: `torch.onnx.export failed (${r.python}):\n${tail}` };
    }
    const last = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { bytes?: number; torch?: string };
    return { ok: true, bytes: last.bytes ?? 0, python: r.python, torch: last.torch ?? "?" };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
