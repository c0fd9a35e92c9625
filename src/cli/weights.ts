import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import type { ModelAnalysis } from "../shared/analysis";
import { weightsReportLines, type WeightsReport } from "../shared/weights";
import { selectBackend } from "../trainer/model/backend";
import { matchWeights, reportOf } from "../trainer/weightFiles/match";
import { modelTensorSpecs } from "../trainer/weightFiles/modelTensors";
import { readWeightsFile } from "../trainer/weightFiles/readWeights";
import { resolveWeightsSource } from "../trainer/weightFiles/weightsSource";
import { isReadableFile } from "./files";

/**
 * `cnn-studio weights FILE [--model NAME] WEIGHTS [--json]`: how a weights file (PyTorch `.pth`/`.pt`
 * or `.safetensors`) matches a model, by PyTorch `state_dict` name, without training: what loads,
 * what stays freshly initialised (missing, or a different shape) and what the file has that the model
 * does not. The file is read without executing anything in it.
 */

export const WEIGHTS_USAGE = `Usage: cnn-studio weights FILE [--model NAME] WEIGHTS [--json]

Reports how a weights file matches a model of a CNN Studio model file, by PyTorch state_dict name,
without training: the tensors that load, those the model has that the file lacks or holds with
another shape (both kept freshly initialised, as with --weights in training), and those the file
has that the model does not (ignored). WEIGHTS is a PyTorch file (torch.save(model.state_dict(), f)
since PyTorch 1.6, a checkpoint holding it under "state_dict" or "model", DataParallel's "module."
names) or a .safetensors file. Nothing in the file is executed: a pickle that names anything but
tensors and plain containers is refused.

Options:
  --model NAME   the exported model (optional when the file has one model)
  --json         one JSON document: { file, model, loaded, missing, unexpected,
                 mismatched: [{ name, fileShape, modelShape }], strippedPrefix?, notes }

Exit codes: 0 the report was printed, 1 the model has errors or the weights file cannot be read as
weights (damaged, refused), 2 unusable arguments or a file that cannot be read.`;

export interface WeightsIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

interface Args {
  file: string;
  weights: string;
  model?: string;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Args | { code: number; message: string } {
  const positional: string[] = [];
  let model: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return { code: 0, message: WEIGHTS_USAGE };
    if (a === "--json") json = true;
    else if (a === "--model") {
      model = argv[++i];
      if (model === undefined) return { code: 2, message: "cnn-studio weights: --model needs a model name" };
    } else if (a.startsWith("--model=")) model = a.slice("--model=".length);
    else if (a.startsWith("-")) return { code: 2, message: `cnn-studio weights: unknown option '${a}'\n\n${WEIGHTS_USAGE}` };
    else positional.push(a);
  }
  if (positional.length !== 2)
    return {
      code: 2,
      message: `cnn-studio weights: needs a model FILE and a WEIGHTS file, got ${positional.length === 0 ? "neither" : positional.map((p) => `'${p}'`).join(", ")}\n\n${WEIGHTS_USAGE}`,
    };
  return { file: positional[0]!, weights: positional[1]!, ...(model !== undefined ? { model } : {}), json };
}

function pickModel(models: readonly ModelAnalysis[], file: string, name: string | undefined): ModelAnalysis | string {
  const names = models.map((m) => m.name);
  if (name !== undefined) return models.find((m) => m.name === name) ?? `${file} has no model '${name}'${names.length ? ` (models: ${names.join(", ")})` : ""}`;
  if (models.length === 1) return models[0]!;
  return models.length === 0 ? `${file} exports no model with an @input tag` : `--model is needed: ${file} has ${models.length} models (${names.join(", ")})`;
}

/** The report for the CLI: the model's name first, then the report's fields. */
export type WeightsJson = { model: string } & WeightsReport;

export async function runWeights(argv: readonly string[], io: WeightsIo, cwd = process.cwd()): Promise<number> {
  const args = parseArgs(argv);
  if ("code" in args) {
    (args.code === 0 ? io.out : io.err)(args.message);
    return args.code;
  }
  const abs = path.resolve(cwd, args.file);
  if (!isReadableFile(abs)) {
    io.err(`cnn-studio weights: cannot read ${args.file}`);
    return 2;
  }
  // a run folder stands for its newest checkpoint
  const source = resolveWeightsSource(path.resolve(cwd, args.weights));
  if (!source.ok) {
    io.err(`cnn-studio weights: ${source.error} (a weights file: .pth, .pt or .safetensors, or a run folder)`);
    return 2;
  }
  const analysis = new Analyzer().analyzeFile(abs);
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  const model = pickModel(analysis.models, args.file, args.model);
  if (typeof model === "string") {
    io.err(`cnn-studio weights: ${model}`);
    return analysis.models.length === 0 && errors.length > 0 ? 1 : 2;
  }
  if (errors.length > 0 || !model.complete) {
    for (const d of errors) io.err(`${path.relative(cwd, d.location.file) || d.location.file}:${d.location.range.start.line + 1}: error: ${d.message}`);
    io.err(`cnn-studio weights: ${model.name} has errors; fix them first`);
    return 1;
  }
  const backend = await selectBackend("js", { strict: true });
  if (!backend.ok) {
    io.err(`cnn-studio weights: ${backend.error}`);
    return 1;
  }
  const specs = modelTensorSpecs(backend.tf, model);
  if (!specs.ok) {
    io.err(`cnn-studio weights: ${specs.error}`);
    return 1;
  }
  const sd = readWeightsFile(source.value);
  if (!sd.ok) {
    io.err(`cnn-studio weights: ${sd.error.split(source.value).join(path.relative(cwd, source.value) || source.value)}`);
    return 1;
  }
  const report = { ...reportOf(matchWeights(specs.value, sd.value)), file: args.weights };
  if (args.json) io.out(JSON.stringify({ model: model.name, ...report } satisfies WeightsJson, null, 2));
  else io.out([`${model.name} (${args.file}) from ${args.weights}`, ...weightsReportLines(report)].join("\n"));
  return 0;
}
