import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import { writeStandaloneTrainer } from "../trainer/engines/torch/standalone";
import { parseTrainArgs } from "./train";

/**
 * `cnn-studio export FILE --model M --to pytorch --with-trainer --out DIR --dataset D [train options]`:
 * a folder that trains the model on another machine (src/trainer/engines/torch/standalone.ts). The
 * training options are `cnn-studio train`'s, parsed by the same code, so config.json is what
 * `cnn-studio train --backend torch` would save. Exit codes as `export`: 0 written, 1 the model or
 * data cannot be used, 2 unusable arguments.
 */

export const WITH_TRAINER_USAGE = `Usage: cnn-studio export FILE --model NAME --to pytorch --with-trainer --out DIR --dataset DATA [train options]

Writes DIR/ with the exported model (model.py), a standalone train.py (CNN Studio's PyTorch engine;
needs only Python and PyTorch), the run's config.json, the dataset prepared in DIR/data/, and
slurm.sbatch / torchrun.sh examples (see DIR/README.txt). The training options are those of
'cnn-studio train --help' (--epochs, --batch-size, --lr, ...); --out is the folder to write.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function runExportWithTrainer(argv: readonly string[], io: Io, cwd: string): number {
  const rest: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--with-trainer") continue;
    if (a === "--help" || a === "-h") {
      io.out(WITH_TRAINER_USAGE);
      return 0;
    }
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (flag === "--to") {
      const v = inline ?? argv[++i];
      if (v !== "pytorch") {
        io.err(`cnn-studio export: --with-trainer goes with --to pytorch${v ? `, got '${v}'` : ""}`);
        return 2;
      }
    } else if (flag === "--out" || flag === "-o") {
      out = inline ?? argv[++i];
      if (out === undefined || out.startsWith("--")) {
        io.err("cnn-studio export: --out needs a value");
        return 2;
      }
    } else if (flag === "--backend" && (inline ?? argv[i + 1]) === "torch") {
      if (inline === undefined) i++; // the standalone trainer is the PyTorch engine
    } else if (flag === "--resume" || flag === "--json" || flag === "--opset" || flag === "--checkpoint") {
      io.err(`cnn-studio export: ${flag} does not go with --with-trainer`);
      return 2;
    } else rest.push(a);
  }
  if (out === undefined) {
    io.err(`cnn-studio export: --with-trainer needs --out DIR (the folder to write)\n\n${WITH_TRAINER_USAGE}`);
    return 2;
  }
  const target = path.resolve(cwd, out);
  const parsed = parseTrainArgs([...rest, "--out", path.join(target, "runs")], cwd, (file) => ({
    names: new Analyzer().analyzeFile(file).models.map((m) => m.name),
  }));
  if (!parsed.ok) {
    if (parsed.code === 0) io.out(parsed.message);
    // the problem, without train's whole usage (its options are listed by cnn-studio train --help)
    else
      io.err(
        `${parsed.message.split("\n\n")[0]!.replace(/^cnn-studio train:/, "cnn-studio export --with-trainer:")}\nThe training options are those of 'cnn-studio train --help'.`,
      );
    return parsed.code;
  }
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    io.err(`cnn-studio export: --out ${out} is a file; --with-trainer writes a folder`);
    return 2;
  }
  const written = writeStandaloneTrainer({ config: parsed.config, out: target });
  if (!written.ok) {
    io.err(`cnn-studio export: ${written.error}`);
    return 1;
  }
  const w = written.value;
  for (const note of w.notes) io.err(note);
  io.err(
    `Wrote ${out}/ (${w.files.length} files; data ${(w.dataBytes / 1e6).toFixed(1)} MB: ${w.trainCount} training / ${w.validationCount} validation images). Train with: python3 ${path.join(out, "train.py")} (see ${path.join(out, "README.txt")})`,
  );
  return 0;
}
