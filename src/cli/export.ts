import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import { exportOnnx } from "../export/onnx";
import { exportPyTorch, formatExportDiagnostic } from "../export/pytorch";
import { isReadableFile } from "./files";

/**
 * `cnn-studio export FILE [--model NAME] [--to pytorch|onnx] [--out PATH]`: translates a model
 * file to PyTorch code (stdout, or --out), or through PyTorch to ONNX. Exit codes: 0 exported,
 * 1 the model has errors, a construct cannot be exported, or Python/PyTorch failed; 2 unusable
 * arguments or an unreadable file.
 */

export const EXPORT_USAGE = `Usage: cnn-studio export FILE [--model NAME] [--to pytorch|onnx] [--out PATH]

Translates the models of a CNN Studio model file to PyTorch: one self-contained Python file with an
nn.Module class per custom module (same names, so state_dict keys match CNN Studio's checkpoints),
a build_<model>() function per model, and MODELS / INPUTS tables. Relative imports of other model
files are inlined. Without --out the code goes to standard output.

With --to onnx the exported code is run with your Python and PyTorch and torch.onnx.export writes
PATH (default <model>.onnx; the batch dimension stays dynamic when @input names it).

Options:
  --model NAME     export only this model (required for onnx when the file has several)
  --to FORMAT      pytorch (default) or onnx
  --out PATH       where to write the .py or .onnx file
  --python PATH    the Python interpreter for onnx (default $CNN_STUDIO_PYTHON, python3, python)
  --opset N        ONNX opset version (default 13)
  --checkpoint P   onnx: the trained weights, a CNN Studio checkpoint (.safetensors, or an older run's .json)
                   or a run folder (its newest checkpoint); the exported .py loads them with load_checkpoint(model, P)
  --with-trainer   with --to pytorch, --out DIR and --dataset DATA (and any 'cnn-studio train' option): DIR gets
                   the model, a standalone train.py, config.json, the prepared data and cluster examples

Exit codes: 0 exported, 1 the model has errors or cannot be exported, 2 unusable arguments.`;

export interface ExportIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function runExport(argv: readonly string[], io: ExportIo, cwd = process.cwd()): number {
  // issue 16: a folder that trains the model elsewhere (src/cli/exportTrainer.ts)
  if (argv.includes("--with-trainer")) {
    // loaded only here: it brings the trainer's data loaders
    const { runExportWithTrainer } = require("./exportTrainer") as typeof import("./exportTrainer");
    return runExportWithTrainer(argv, io, cwd);
  }
  let file: string | undefined;
  let model: string | undefined;
  let to = "pytorch";
  let out: string | undefined;
  let python: string | undefined;
  let opset = 13;
  let checkpoint: string | undefined;
  const value = (i: number, flag: string): string | undefined => {
    const v = argv[i];
    if (v === undefined || v.startsWith("--")) io.err(`cnn-studio export: ${flag} needs a value`);
    return v === undefined || v.startsWith("--") ? undefined : v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = (): string | undefined => inline ?? value(++i, flag);
    if (flag === "--help" || flag === "-h") {
      io.out(EXPORT_USAGE);
      return 0;
    } else if (flag === "--model") {
      model = take();
      if (model === undefined) return 2;
    } else if (flag === "--to") {
      const v = take();
      if (v !== "pytorch" && v !== "onnx") {
        io.err(`cnn-studio export: --to must be pytorch or onnx${v ? `, got '${v}'` : ""}`);
        return 2;
      }
      to = v;
    } else if (flag === "--out" || flag === "-o") {
      out = take();
      if (out === undefined) return 2;
    } else if (flag === "--python") {
      python = take();
      if (python === undefined) return 2;
    } else if (flag === "--checkpoint") {
      checkpoint = take();
      if (checkpoint === undefined) return 2;
    } else if (flag === "--opset") {
      const v = Number(take());
      if (!Number.isInteger(v) || v < 7 || v > 20) {
        io.err("cnn-studio export: --opset must be an integer from 7 to 20");
        return 2;
      }
      opset = v;
    } else if (a.startsWith("-")) {
      io.err(`cnn-studio export: unknown option '${a}'\n\n${EXPORT_USAGE}`);
      return 2;
    } else if (file === undefined) file = a;
    else {
      io.err(`cnn-studio export: one FILE only, got '${file}' and '${a}'`);
      return 2;
    }
  }
  if (file === undefined) {
    io.err(`cnn-studio export: needs a FILE\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const abs = path.resolve(cwd, file);
  if (!isReadableFile(abs)) {
    io.err(`cnn-studio: cannot read ${file}`);
    return 2;
  }

  // The analyzer first: a model with errors would export to code that fails.
  const analysis = new Analyzer().analyzeFile(abs);
  const names = analysis.models.map((m) => m.name);
  if (model !== undefined && !names.includes(model)) {
    io.err(`cnn-studio: ${file} has no model '${model}'${names.length ? ` (models: ${names.join(", ")})` : " (it exports no model with an @input tag)"}`);
    return 2;
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    for (const d of errors) io.err(formatExportDiagnostic(d, cwd));
    io.err(`cnn-studio: ${file} has errors; fix them before exporting`);
    return 1;
  }
  if (checkpoint !== undefined && to !== "onnx") {
    io.err("cnn-studio export: --checkpoint goes with --to onnx; the exported PyTorch code loads weights with load_checkpoint(model, path)");
    return 2;
  }
  if (checkpoint !== undefined && !fs.existsSync(path.resolve(cwd, checkpoint))) {
    io.err(`cnn-studio export: no checkpoint ${checkpoint}`);
    return 2;
  }
  if (to === "onnx" && model === undefined) {
    if (names.length !== 1) {
      io.err(`cnn-studio export: --to onnx exports one model; choose one with --model (models: ${names.join(", ") || "none"})`);
      return 2;
    }
    model = names[0];
  }

  const display = path.relative(cwd, abs) || path.basename(abs);
  const result = exportPyTorch(abs, { ...(model !== undefined ? { models: [model] } : {}), displayPath: display });
  for (const d of result.diagnostics) io.err(formatExportDiagnostic(d, cwd));
  if (!result.ok) {
    io.err(`cnn-studio: ${file} cannot be exported to PyTorch (see above)`);
    return 1;
  }
  if (to === "pytorch") {
    if (out === undefined) {
      io.out(result.code.replace(/\n$/, ""));
      return 0;
    }
    const target = path.resolve(cwd, out);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, result.code);
    } catch (e) {
      io.err(`cnn-studio: cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    io.err(`Wrote ${out} (${result.models.map((m) => m.name).join(", ")})`);
    return 0;
  }
  const target = path.resolve(cwd, out ?? `${model}.onnx`);
  const onnx = exportOnnx(result.code, {
    model: model!,
    out: target,
    python: python ?? null,
    opset,
    checkpoint: checkpoint ? path.resolve(cwd, checkpoint) : null,
  });
  if (!onnx.ok) {
    io.err(`cnn-studio: ONNX export failed: ${onnx.error}`);
    return 1;
  }
  io.err(
    `Wrote ${path.relative(cwd, target) || target} (${(onnx.bytes / 1e6).toFixed(1)} MB, opset ${opset}, ${checkpoint ? `weights of ${checkpoint}` : "untrained weights"}, PyTorch ${onnx.torch} via ${onnx.python})`,
  );
  return 0;
}
