import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import type { Diagnostic } from "../shared/analysis";
import { isReadableFile } from "./files";
import { summaryJson } from "./summaryJson";
import { summaryTable } from "../shared/summaryTable";
import { terminalText } from "../shared/terminal";

/**
 * `cnn-studio summary FILE [--model NAME] [--json]`. Exit code 0 without errors, 1 with error
 * diagnostics, 2 for unusable arguments or an unreadable file. Output is always written whole:
 * the exit code is set, the process is never cut short.
 */

const USAGE = `Usage: cnn-studio summary FILE [--model NAME] [--json]
       cnn-studio train FILE --model NAME --dataset DATA [options]   (see cnn-studio train --help)
       cnn-studio export FILE [--model NAME] [--to pytorch|onnx] [--out PATH]   (see cnn-studio export --help)
       cnn-studio weights FILE [--model NAME] WEIGHTS [--json]   (see cnn-studio weights --help)
       cnn-studio evaluate RUN_DIR [--checkpoint NAME] [--dataset D] [--split val|train|test] [--json]   (see cnn-studio evaluate --help)

Analyzes the models of a CNN Studio model file (a .ts file importing "cnn-studio") without running
them, and prints a per-layer table (path, type, output shape, parameters, MACs, receptive field)
with totals and memory, or with --json one JSON document.

Exit codes: 0 no errors, 1 the model has errors, 2 unusable arguments or unreadable file.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const rel = path.relative(cwd, d.location.file) || d.location.file;
  const { line, character } = d.location.range.start;
  return `${rel}:${line + 1}:${character + 1}: ${d.severity}: ${d.message}`;
}

export function run(argv: readonly string[], io: Io, cwd = process.cwd()): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command === "--version") {
    io.out(VERSION);
    return 0;
  }
  // Required when used: `summary` does not initialise the exporter.
  if (command === "export") return (require("./export") as typeof import("./export")).runExport(rest, io, cwd);
  if (command !== "summary") {
    io.err(command === undefined ? USAGE : `cnn-studio: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  let file: string | undefined;
  let modelName: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--json") json = true;
    else if (a === "--model") {
      modelName = rest[++i];
      if (modelName === undefined) {
        io.err("cnn-studio: --model needs a model name");
        return 2;
      }
    } else if (a.startsWith("--model=")) modelName = a.slice("--model=".length);
    else if (a.startsWith("-")) {
      io.err(`cnn-studio: unknown option '${a}'\n\n${USAGE}`);
      return 2;
    } else if (file === undefined) file = a;
    else {
      io.err(`cnn-studio: one FILE only, got '${file}' and '${a}'`);
      return 2;
    }
  }
  if (file === undefined) {
    io.err(`cnn-studio: summary needs a FILE\n\n${USAGE}`);
    return 2;
  }
  const abs = path.resolve(cwd, file);
  if (!isReadableFile(abs)) {
    io.err(`cnn-studio: cannot read ${file}`);
    return 2;
  }
  const analysis = new Analyzer().analyzeFile(abs);
  let models = analysis.models;
  if (modelName !== undefined) {
    models = models.filter((m) => m.name === modelName);
    if (models.length === 0) {
      const names = analysis.models.map((m) => m.name);
      io.err(`cnn-studio: ${file} has no model '${modelName}'${names.length ? ` (models: ${names.join(", ")})` : " (it exports no model with an @input tag)"}`);
      return 2;
    }
  }
  const hasErrors = analysis.diagnostics.some((d) => d.severity === "error");
  if (json) io.out(JSON.stringify(summaryJson(file, analysis, models), null, 2));
  else {
    if (models.length) io.out(models.map(summaryTable).join("\n\n"));
    else if (hasErrors) io.out(`${file}: no model could be analyzed; see the errors below`);
    else io.out(`${file}: no models (export a module with an @input tag, e.g. /** @input [N, 3, 32, 32] */ export const net = ...)`);
    for (const d of analysis.diagnostics) io.err(formatDiagnostic(d, cwd));
  }
  return hasErrors ? 1 : 0;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === "string" ? __VERSION__ : "dev";

if (require.main === module) {
  // `cnn-studio summary … | head`: a reader that stops early is not an error
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  // every line written passes here: text from the model file cannot act on the terminal
  const terminalIo: Io = {
    out: (s) => process.stdout.write(terminalText(s) + "\n"),
    err: (s) => process.stderr.write(terminalText(s) + "\n"),
  };
  const argv = process.argv.slice(2);
  if (argv[0] === "train") {
    // `cnn-studio train`: asynchronous, in src/cli/train.ts
    void import("./train").then(async ({ runTrain }) => {
      process.exitCode = await runTrain(
        argv.slice(1),
        {
          ...terminalIo,
          // the progress bar: its own \r and ESC [2K, and numbers only
          write: (s) => process.stdout.write(s),
          tty: process.stdout.isTTY === true,
          columns: process.stdout.columns || 100,
        },
        { onInterruptHandler: (stop) => process.on("SIGINT", stop) },
      );
    });
  } else if (argv[0] === "weights") {
    // `cnn-studio weights`: asynchronous (it compiles the model to learn its tensors), in src/cli/weights.ts
    void import("./weights").then(async ({ runWeights }) => {
      process.exitCode = await runWeights(argv.slice(1), terminalIo);
    });
  } else if (argv[0] === "evaluate") {
    // `cnn-studio evaluate`: asynchronous (it runs the model on the data), in src/cli/evaluate.ts
    void import("./evaluate").then(async ({ runEvaluate }) => {
      process.exitCode = await runEvaluate(argv.slice(1), terminalIo);
    });
  } else {
    process.exitCode = run(argv, terminalIo);
  }
}
