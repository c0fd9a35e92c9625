import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { AttrValue, ModelAnalysis, Shape } from "../../src/shared/analysis";
import { exportPyTorch, type PyTorchExport } from "../../src/export/pytorch";
import type { TrainConfig } from "../../src/shared/training";
import { TorchTrainingSession, type TorchEvent } from "../../src/trainer/engines/torch/pythonRun";

/** The repository root (compiled tests live in out/test/export/). */
export const ROOT = path.resolve(__dirname, "../../..");
export const EXAMPLES = path.join(ROOT, "examples");
/** Debian's interpreter, which has python3-torch where it is installed. */
export const PYTHON = process.env["CNN_STUDIO_TEST_PYTHON"] ?? "/usr/bin/python3";

/**
 * Runs `test/export/python/<script>`, a check that imports the PyTorch engine's Python files
 * (src/trainer/engines/torch/) for their functions, with PYTHON, writing no bytecode next to them.
 */
export function runEngineCheck(script: string, args: readonly string[] = [], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(PYTHON, ["-B", path.join(ROOT, "test/export/python", script), ...args], { encoding: "utf8", ...(env ? { env } : {}) });
}

/** Exports an in-memory model file (and the files it imports) given as `{ "model.ts": text }`. */
export function exportSource(files: Record<string, string>, main = "model.ts", models?: string[]): PyTorchExport {
  const dir = "/virtual/models";
  const texts = new Map(Object.entries(files).map(([k, v]) => [path.join(dir, k), v]));
  return exportPyTorch(path.join(dir, main), { host: { readFile: (f) => texts.get(f) }, displayPath: main, ...(models ? { models } : {}) });
}

/** Removes the common indentation of a template literal block (and its first/last empty lines). */
export function dedent(s: string): string {
  const lines = s
    .replace(/^\n/, "")
    .replace(/\n\s*$/, "")
    .split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.search(/\S/)));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/** The state_dict keys PyTorch has for an analysed model, from its modules and their arguments. */
export function expectedStateDict(model: ModelAnalysis): string[] {
  const attrs = new Map<string, Record<string, AttrValue>>();
  for (const n of model.graph) if (n.kind === "module" && n.layer !== undefined) attrs.set(model.layers[n.layer]!.path, n.attrs);
  // a built-in layer's tensors read by a subclass's forward (ConvNeXt's LayerNorm2d reads `this.weight`)
  const layerTensors = new Map<string, string[]>();
  for (const n of model.graph) {
    if (n.kind !== "param" || typeof n.attrs["layer"] !== "string") continue;
    const owner = String(n.attrs["module"]);
    layerTensors.set(owner, [...(layerTensors.get(owner) ?? []), String(n.attrs["name"])]);
  }
  const keys: string[] = [];
  for (const m of model.modules) {
    const p = m.path ? `${m.path}.` : "";
    const a = attrs.get(m.path);
    // its own tensors first (PyTorch's _save_to_state_dict: parameters, then persistent buffers), then its children's
    const declared = m.declaredTensors ?? [];
    keys.push(...declared.filter((t) => t.role === "parameter").map((t) => `${p}${t.name}`));
    keys.push(...declared.filter((t) => t.role === "buffer" && t.persistent).map((t) => `${p}${t.name}`));
    keys.push(...(layerTensors.get(m.path) ?? []).map((name) => `${p}${name}`));
    switch (m.type) {
      case "Conv2d":
      case "ConvTranspose2d":
      case "Linear":
        if (!a && layerTensors.has(m.path)) break; // called functionally (Swin's F.linear(x, this.qkv.weight, ...)): its tensors are those read
        if (!a) throw new Error(`${model.name}: ${m.path} is never called; its bias is unknown`);
        keys.push(`${p}weight`);
        if (a["bias"] !== false) keys.push(`${p}bias`);
        break;
      case "BatchNorm2d":
      case "BatchNorm1d":
        if (!a) throw new Error(`${model.name}: ${m.path} is never called`);
        if (a["affine"] !== false) keys.push(`${p}weight`, `${p}bias`);
        if (a["trackRunningStats"] !== false) keys.push(`${p}running_mean`, `${p}running_var`, `${p}num_batches_tracked`);
        break;
      // ---- modules: issue 14 ----
      case "Conv1d":
        if (!a) throw new Error(`${model.name}: ${m.path} is never called; its bias is unknown`);
        keys.push(`${p}weight`);
        if (a["bias"] !== false) keys.push(`${p}bias`);
        break;
      case "LayerNorm":
        if (!a) throw new Error(`${model.name}: ${m.path} is never called`);
        if (a["elementwiseAffine"] !== false) keys.push(`${p}weight`, ...(a["bias"] !== false ? [`${p}bias`] : []));
        break;
      case "GroupNorm":
        if (!a) throw new Error(`${model.name}: ${m.path} is never called`);
        if (a["affine"] !== false) keys.push(`${p}weight`, `${p}bias`);
        break;
      case "Embedding":
      case "PReLU":
        keys.push(`${p}weight`);
        break;
      case "MultiheadAttention":
        if (!a) throw new Error(`${model.name}: ${m.path} is never called`);
        if (a["kdim"] === a["embedDim"] && a["vdim"] === a["embedDim"]) keys.push(`${p}in_proj_weight`);
        else keys.push(`${p}q_proj_weight`, `${p}k_proj_weight`, `${p}v_proj_weight`);
        if (a["bias"] !== false) keys.push(`${p}in_proj_bias`);
        keys.push(`${p}out_proj.weight`, ...(a["bias"] !== false ? [`${p}out_proj.bias`] : []));
        break;
    }
  }
  return [...new Set(keys)];
}

/** The analyzer's output (one shape, several, or an object of shapes by key) with the symbolic batch replaced by `batch`. */
export function concreteOutput(output: unknown, batch: number): unknown {
  if (Array.isArray(output)) return Array.isArray(output[0]) ? (output as Shape[]).map((s) => concrete(s, batch)) : concrete(output as Shape, batch);
  if (output !== null && typeof output === "object") return Object.fromEntries(Object.entries(output).map(([k, s]) => [k, concrete(s as Shape, batch)]));
  return output;
}

/** A shape with the symbolic batch replaced by `batch`. */
export function concrete(shape: Shape, batch: number): number[] {
  return shape.map((d) => (typeof d === "number" ? d : batch));
}

export interface PythonModelReport {
  error?: string;
  params: number;
  trainableParams: number;
  buffers: number;
  /** [path, type, params, trainable params, buffers] of named_modules(). */
  modules: [string, string, number, number, number][];
  stateDict: string[];
  output: number[] | number[][] | Record<string, number[]>;
}

export interface PythonFileReport {
  file: string;
  error?: string;
  models: Record<string, PythonModelReport>;
}

export type PythonRun = { ok: true; reports: PythonFileReport[]; seconds: number } | { ok: false; skip: string } | { ok: false; error: string };

/** Runs test/export/check_models.py once for all jobs; a missing Python or PyTorch is a skip reason. */
export function runChecks(jobs: { file: string; models: { name: string; inputs: number[][] }[] }[]): PythonRun {
  if (!fs.existsSync(PYTHON)) return { ok: false, skip: `${PYTHON} not found: install python3-torch (Debian) to run the PyTorch checks` };
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [path.join(ROOT, "test/export/check_models.py")], {
    input: JSON.stringify(jobs),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 && /No module named 'torch'/.test(r.stderr))
    return { ok: false, skip: `PyTorch is not installed for ${PYTHON}: install python3-torch (Debian) to run the PyTorch checks` };
  if (r.error || r.status !== 0) return { ok: false, error: `${PYTHON} failed: ${r.error?.message ?? r.stderr.slice(-3000)}` };
  return { ok: true, reports: JSON.parse(r.stdout) as PythonFileReport[], seconds };
}

/** A run of the PyTorch engine with Debian's interpreter, its events; `stopAfter`: stop once an epoch's step reaches it. */
export async function trainTorch(c: TrainConfig, stopAfter?: number): Promise<TorchEvent[]> {
  const events: TorchEvent[] = [];
  const session = new TorchTrainingSession({ python: PYTHON }, (e) => {
    events.push(e);
    if (stopAfter !== undefined && e.type === "progress" && e.step === stopAfter) session.stop();
  });
  await session.start(c);
  return events;
}
