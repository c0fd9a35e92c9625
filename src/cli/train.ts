import * as fs from "node:fs";
import * as path from "node:path";
import {
  fieldApplies,
  notUsedText,
  trainConfig,
  trainField,
  MAX_WORKERS,
  TRAIN_FIELD_NAMES,
  TRAIN_FIELDS,
  validateTrainConfig,
  withField,
  type BackendChoice,
  type DatasetSpec,
  type FieldValue,
  type OptimizerName,
  type TrainConfig,
  type TrainConfigInput,
  type TrainerEvent,
  type TrainField,
  type TrainFieldName,
} from "../shared/training";
import { numberProblem } from "../shared/validate";
import { DATA_OPTION_FLAGS, DATA_OPTIONS, parseDataOptions } from "../shared/trainConfigData";
import { TRANSFER_OPTIONS, transferFromArgs } from "../shared/trainConfigTransfer";
import { TORCH_FLAG_FLAGS, TORCH_FLAGS, TORCH_OPTIONS, TORCH_VALUE_FLAGS, torchFromArgs, torchOnlyProblem } from "../shared/trainConfigTorch";
import { weightsReportLines } from "../shared/weights";
import { TrainerClient } from "../trainer/trainerClient";
import { resolveWeightsSource } from "../trainer/weightFiles/weightsSource";
import { isReadableFile } from "./files";

/**
 * `cnn-studio train`: trains a model of a model file in a background trainer process (the same
 * one the extension uses, through src/trainer/trainerClient.ts), with a progress bar on a terminal or
 * JSON lines with --json. Exit codes: 0 trained, 1 training failed or the model has errors,
 * 2 unusable arguments, 130 stopped by Ctrl+C (a checkpoint is written; resume with --resume).
 */

/** One --help entry: `head` padded to 26 columns, then `text` wrapped to 100 columns under it. */
function helpEntry(head: string, text: string): string[] {
  const lines: string[] = [];
  let line = head.padEnd(26);
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > 100 && line.trim() !== "") {
      lines.push(line.trimEnd());
      line = " ".repeat(26);
    }
    line += line.endsWith(" ") ? word : ` ${word}`;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** One --help entry per setting of the settings table (src/shared/trainConfig.ts). */
function settingsHelp(): string {
  return TRAIN_FIELD_NAMES.flatMap((name) => {
    const f = trainField(name);
    const dflt = f.type === "flag" ? "" : ` (default ${f.defaultText ?? String(f.default)})`;
    return helpEntry(`  ${f.flag}${f.type === "flag" ? "" : ` ${f.metavar}`}`, `${f.help}${dflt}`);
  }).join("\n");
}

/** --help entries of the PyTorch engine's options (issue 16). */
function torchHelp(): string {
  return [...TORCH_OPTIONS.flatMap((o) => helpEntry(`  ${o.flag} ${o.metavar}`, o.help)), ...TORCH_FLAGS.flatMap((o) => helpEntry(`  ${o.flag}`, o.help))].join(
    "\n",
  );
}

/** --help entries of --weights, --freeze and --lr-for. */
function transferHelp(): string {
  return TRANSFER_OPTIONS.flatMap((o) => helpEntry(`  ${o.flag} ${o.metavar}`, o.help)).join("\n");
}

export const TRAIN_USAGE = `Usage: cnn-studio train FILE --model NAME --dataset DATA [options]
       cnn-studio train --resume RUN_DIR [--epochs N] [--backend B] [--json]

Trains a model of a CNN Studio model file on an image-classification dataset, in a background
process, writing the run (config.json, metrics.jsonl, checkpoints, log.txt) to
OUT/<yyyy-mm-dd-HHMMSS>-<model>/.

DATA:  mnist-sample     10,000 bundled MNIST digits (8,000 train / 2,000 validation)
       idx:DIR          MNIST-style IDX files (train-images-idx3-ubyte[.gz], ... t10k-...)
       cifar10:DIR      CIFAR-10 binary batches (data_batch_1.bin ... test_batch.bin)
       folder:DIR       one subfolder per class of PNG/JPEG images (optionally DIR/train, DIR/val)
       shapes10-sample  6,000 generated 3×32×32 colour shapes and textures, 10 classes
                        (5,000 train / 1,000 validation; for 3-channel models such as SimpleCNN)
       segfolder:DIR    segmentation: DIR/images/ and DIR/masks/ (PNG, pixel = class, 255 ignored)
                        of the same file stems, or Pascal VOC's JPEGImages/ + SegmentationClass/
       shapes-seg       400 generated shape images with masks (4 classes) at the model's size

Options:
  --model NAME            the exported model (optional when the file has one model)
  --python PATH           the Python with PyTorch for --backend torch (default $CNN_STUDIO_PYTHON,
                          python3, python)
  --out DIR               where runs are created (default ./runs)
  --resume DIR            continue a run from its newest checkpoint
  --json                  one JSON object per event on standard output

Training settings (PyTorch's defaults where PyTorch has one):
${settingsHelp()}
${dataHelp()}

Transfer learning (names are PyTorch state_dict names: layer1.0.conv1.weight):
${transferHelp()}

  --workers N             data-parallel training on N threads (wasm and js backends): each step's
                          batch is split between them, the update is one thread's (default 1)

PyTorch engine (--backend torch; see docs/distributed-training.md):
${torchHelp()}

Exit codes: 0 trained, 1 training failed or the model has errors, 2 unusable arguments,
130 stopped by Ctrl+C (after writing a checkpoint).`;

export interface TrainIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Writes without a newline (the progress bar); only used when `tty`. */
  write?: (s: string) => void;
  tty?: boolean;
  /** Terminal width for the progress bar. */
  columns?: number;
}

export interface TrainCliOptions {
  cwd?: string;
  /** The trainer program (default: dist/trainer.js, or $CNN_STUDIO_TRAINER). */
  trainerPath?: string;
  /** Called with a function that stops the run (the CLI's main installs it on SIGINT). */
  onInterruptHandler?: (stop: () => void) => void;
}

type Parsed = { ok: true; config: TrainConfig; json: boolean } | { ok: false; code: number; message: string };

/** The settings table's options (`--lr` → "lr"). */
const SETTINGS = new Map<string, TrainFieldName>(TRAIN_FIELD_NAMES.map((n) => [trainField(n).flag, n]));
const VALUE_OPTIONS = new Set([
  "--model",
  "--dataset",
  "--out",
  "--resume",
  ...TRANSFER_OPTIONS.map((o) => o.flag),
  ...[...SETTINGS].filter(([, n]) => trainField(n).type !== "flag").map(([flag]) => flag),
  ...DATA_OPTION_FLAGS,
  ...TORCH_VALUE_FLAGS,
  "--workers",
]);
const FLAG_OPTIONS = new Set(["--json", ...TORCH_FLAG_FLAGS, ...[...SETTINGS].filter(([, n]) => trainField(n).type === "flag").map(([flag]) => flag)]);
/** Options that may accompany --resume (everything else is the run's own). */
const RESUME_OPTIONS = new Set(["--resume", "--epochs", "--backend", "--json", "--out", "--workers"]);
const OPTIMIZER_NAMES: Record<OptimizerName, string> = { sgd: "SGD", adam: "Adam", adamw: "AdamW" };

/** A setting's value as the command line gives it, checked against the settings table; a string is the error. */
function settingValue(f: TrainField, text: string | undefined): FieldValue | { error: string } {
  if (f.type === "flag") return !f.default;
  const v = text ?? "";
  if (f.type === "choice") return f.choices.includes(v) ? v : { error: `${f.flag} must be one of ${f.choices.join(", ")}, got '${v}'` };
  if (f.type === "pair") {
    const parts = v.split(",").map((p) => (p.trim() === "" ? NaN : Number(p)));
    if (parts.length !== 2 || !parts.every(Number.isFinite)) return { error: `${f.flag} must be two numbers ${f.metavar}, got '${v}'` };
    const problem = parts.map((n) => numberProblem(n, f)).find((p) => p !== undefined);
    return problem === undefined ? [parts[0]!, parts[1]!] : { error: `${f.flag} values must be ${problem}, got ${v}` };
  }
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) return { error: `${f.flag} must be a number, got '${v}'` };
  const problem = numberProblem(n, f, "a whole number");
  return problem === undefined ? n : { error: `${f.flag} must be ${problem}, got ${v}` };
}

function usage(message: string): Parsed {
  return { ok: false, code: 2, message: `cnn-studio train: ${message}\n\n${TRAIN_USAGE}` };
}

function parseDataset(text: string, cwd: string): DatasetSpec | string {
  if (text === "mnist-sample" || text === "shapes10-sample" || text === "shapes-seg") return { kind: text };
  const m = /^(idx|cifar10|folder|segfolder):(.+)$/.exec(text);
  if (!m) return `--dataset must be mnist-sample, shapes10-sample, shapes-seg, idx:DIR, cifar10:DIR, folder:DIR or segfolder:DIR, got '${text}'`;
  const dir = path.resolve(cwd, m[2]!);
  try {
    if (!fs.statSync(dir).isDirectory()) return `--dataset ${text}: ${dir} is not a folder`;
  } catch {
    return `--dataset ${text}: no folder ${dir}`;
  }
  return { kind: m[1] as "idx" | "cifar10" | "folder" | "segfolder", dir };
}

export function parseTrainArgs(argv: readonly string[], cwd: string, pickModel: (file: string) => { names: string[] } | null): Parsed {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  const lrFor: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (VALUE_OPTIONS.has(name)) {
      const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") return usage(`${name} needs a value`);
      if (name === "--lr-for") lrFor.push(v);
      else if (values.has(name)) return usage(`${name} is given twice`);
      values.set(name, v);
    } else if (FLAG_OPTIONS.has(a)) flags.add(a);
    else if (a === "--help" || a === "-h") return { ok: false, code: 0, message: TRAIN_USAGE };
    else if (a.startsWith("-")) return usage(`unknown option '${a}'`);
    else positional.push(a);
  }
  const json = flags.has("--json");
  const settings = new Map<TrainFieldName, FieldValue>();
  for (const [flag, name] of SETTINGS) {
    if (!values.has(flag) && !flags.has(flag)) continue;
    const v = settingValue(trainField(name), values.get(flag));
    if (typeof v === "object" && "error" in v) return usage(v.error);
    settings.set(name, v);
  }
  const epochs = settings.get("epochs") as number | undefined;
  const backend = settings.get("backend") as BackendChoice | undefined;
  const workers = workersArg(values.get("--workers"));
  if (typeof workers === "string") return usage(workers);

  const resume = values.get("--resume");
  if (resume !== undefined) {
    const others = [...values.keys(), ...flags].filter((k) => !RESUME_OPTIONS.has(k));
    if (others.length > 0)
      return usage(`--resume continues a run with its own configuration; ${others.join(", ")} cannot change it (only --epochs and --backend can)`);
    const dir = path.resolve(cwd, resume);
    let saved: unknown;
    try {
      saved = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    } catch {
      return usage(`--resume ${resume}: no run there (cannot read ${path.join(dir, "config.json")})`);
    }
    const checked = validateTrainConfig(saved);
    if (!checked.ok) return usage(`--resume ${resume}: its config.json is not valid: ${checked.error}`);
    const config = checked.value;
    if (positional.length > 1 || (positional[0] !== undefined && path.resolve(cwd, positional[0]) !== config.file)) {
      return usage(`--resume ${resume} trains ${config.file}; leave FILE out`);
    }
    // --epochs may also be fewer than planned: the run ends earlier
    return {
      ok: true,
      json,
      config: { ...config, epochs: epochs ?? config.epochs, backend: backend ?? config.backend, resume: dir, ...(workers !== undefined ? { workers } : {}) },
    };
  }

  if (positional.length === 0) return usage("train needs a model FILE");
  if (positional.length > 1) return usage(`one FILE only, got '${positional[0]}' and '${positional[1]}'`);
  const file = path.resolve(cwd, positional[0]!);
  if (!isReadableFile(file)) return usage(`cannot read ${positional[0]}`);
  let model = values.get("--model");
  if (model === undefined) {
    const found = pickModel(file);
    const names = found?.names ?? [];
    if (names.length !== 1) {
      return usage(
        names.length === 0
          ? `--model is needed (${positional[0]} exports no model with an @input tag)`
          : `--model is needed: ${positional[0]} has ${names.length} models (${names.join(", ")})`,
      );
    }
    model = names[0]!;
  }
  const datasetText = values.get("--dataset");
  if (datasetText === undefined) return usage("--dataset is needed (mnist-sample, shapes10-sample, idx:DIR, cifar10:DIR or folder:DIR)");
  const dataset = parseDataset(datasetText, cwd);
  if (typeof dataset === "string") return usage(dataset);
  const optimizer = (settings.get("optimizer") as OptimizerName | undefined) ?? TRAIN_FIELDS.optimizer.default;
  for (const [name] of settings) {
    const f = trainField(name);
    if (!fieldApplies(f, { optimizer })) {
      return usage(`${f.flag} is an ${(f.when?.optimizer ?? []).map((o) => OPTIMIZER_NAMES[o]).join("/")} option (the optimizer is ${optimizer})`);
    }
  }
  if (settings.get("nesterov") === true && !(((settings.get("momentum") as number | undefined) ?? 0) > 0))
    return usage("--nesterov needs a --momentum above 0");
  let input: TrainConfigInput = { file, model, dataset, runsDir: path.resolve(cwd, values.get("--out") ?? "runs") };
  for (const [name, value] of settings) input = withField(input, trainField(name), value);
  // issue 15: --normalize, --augment, --resize (src/shared/trainConfigData.ts)
  const data = parseDataOptions(values, {
    noNormalize: settings.get("normalize") === false,
    flip: settings.get("flip") === true,
    cropPadding: (settings.get("cropPadding") as number | undefined) ?? 0,
  });
  if (data !== null && "error" in data) return usage(data.error);
  if (data !== null) input = { ...input, data: data.data, normalize: data.normalize, augment: { ...input.augment, flip: data.flip } };
  const weightsText = values.get("--weights");
  // a run folder stands for its newest checkpoint: the config records the file actually loaded
  const weightsSource = weightsText === undefined ? undefined : resolveWeightsSource(path.resolve(cwd, weightsText));
  if (weightsSource !== undefined && !weightsSource.ok) return usage(`--weights: ${weightsSource.error}`);
  const weights = weightsSource?.value;
  const transfer = transferFromArgs({ weights, freeze: values.get("--freeze"), lrFor });
  if (transfer !== null && "error" in transfer) return usage(transfer.error);
  if (transfer !== null) input = { ...input, transfer };
  // issue 16: data-parallel training and the GPU features (src/shared/trainConfigTorch.ts)
  const torchSettings = torchFromArgs(values, flags);
  if ("error" in torchSettings) return usage(torchSettings.error);
  input = { ...input, ...torchSettings, ...(workers !== undefined ? { workers } : {}) };
  const config = trainConfig(input);
  const checked = validateTrainConfig(config);
  if (!checked.ok) return usage(checked.error);
  return { ok: true, json, config: checked.value };
}

/** --workers N: a whole number from 1 to MAX_WORKERS; undefined when absent; a string is the error. */
function workersArg(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const n = Number(text);
  return text.trim() !== "" && Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS
    ? n
    : `--workers must be a whole number from 1 to ${MAX_WORKERS}, got '${text}'`;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}

export function progressLine(e: Extract<TrainerEvent, { type: "progress" }>, columns: number): string {
  const head = `epoch ${e.epoch}/${e.epochs} `;
  const tail = ` ${e.step}/${e.stepsPerEpoch} loss ${e.loss.toFixed(4)} acc ${(100 * e.accuracy).toFixed(1)}% ${fmtInt(e.imagesPerSecond)} img/s ETA ${formatDuration(e.etaSeconds)}`;
  const width = Math.max(10, Math.min(40, columns - head.length - tail.length - 3));
  const filled = Math.round((width * e.step) / e.stepsPerEpoch);
  return `${head}[${"█".repeat(filled)}${"░".repeat(width - filled)}]${tail}`.slice(0, Math.max(20, columns - 1));
}

/** Runs `cnn-studio train ARGS`; resolves to the exit code. */
/**
 * Does this `train` command line ask for the PyTorch engine? `--backend torch` does, and so does
 * `--resume DIR` without `--backend` when the PyTorch engine wrote the run (`"engine": "torch"`).
 */
export function wantsTorch(argv: readonly string[], cwd = process.cwd()): boolean {
  const valueOf = (name: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === name) return argv[i + 1];
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
    }
    return undefined;
  };
  const backend = valueOf("--backend");
  if (backend !== undefined) return backend === "torch";
  const resume = valueOf("--resume");
  if (resume === undefined) return false;
  try {
    return (JSON.parse(fs.readFileSync(path.join(path.resolve(cwd, resume), "config.json"), "utf8")) as { engine?: unknown }).engine === "torch";
  } catch {
    return false; // the parser reports the unreadable run
  }
}

/** The command line without `--backend torch` and `--python PATH`, which only the PyTorch engine takes. */
function engineOptions(argv: readonly string[]): { rest: string[]; torch: boolean; python: string | null; error: string | null } {
  const rest: string[] = [];
  let torch = false;
  let python: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--backend=torch" || (a === "--backend" && argv[i + 1] === "torch")) {
      torch = true;
      if (a === "--backend") i++;
    } else if (a === "--python" || a.startsWith("--python=")) {
      python = a === "--python" ? (argv[++i] ?? null) : a.slice("--python=".length);
      if (!python) return { rest, torch, python, error: "--python needs an interpreter path" };
    } else rest.push(a);
  }
  return { rest, torch, python, error: null };
}

export async function runTrain(argv: readonly string[], io: TrainIo, options: TrainCliOptions = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const engine = engineOptions(argv);
  const torch = engine.torch || wantsTorch(argv, cwd);
  const refuse = engine.error ?? (engine.python !== null && !torch ? "--python is for the PyTorch engine (--backend torch)" : null);
  if (refuse) {
    io.err(`cnn-studio train: ${refuse}\nRun 'cnn-studio train --help' for the options.`);
    return 2;
  }
  const parsed = parseTrainArgs(engine.rest, cwd, (file) => {
    try {
      // the analyzer is only loaded when --model is left out

      const { Analyzer } = require("../analyzer/index") as typeof import("../analyzer/index");
      return { names: new Analyzer().analyzeFile(file).models.map((m) => m.name) };
    } catch {
      return null;
    }
  });
  if (!parsed.ok) {
    (parsed.code === 0 ? io.out : io.err)(parsed.message);
    return parsed.code;
  }
  const { config, json } = parsed;
  const torchOnly = torch ? null : torchOnlyProblem(config);
  if (torchOnly !== null) {
    io.err(`cnn-studio train: ${torchOnly}\nRun 'cnn-studio train --help' for the options.`);
    return 2;
  }
  const tty = !json && io.tty === true && io.write !== undefined;
  const columns = io.columns ?? 100;
  const trainerPath = options.trainerPath ?? process.env["CNN_STUDIO_TRAINER"];
  const client = new TrainerClient(trainerPath ? { trainerPath } : {});
  let barShown = false;
  let lastBar = 0;
  const clearBar = () => {
    if (barShown && io.write) io.write("\r\x1b[2K");
    barShown = false;
  };
  const rel = (p: string) => {
    const r = path.relative(cwd, p);
    return r && !r.startsWith("..") ? r : p;
  };

  const result = new Promise<number>((resolve) => {
    let stopping = false;
    options.onInterruptHandler?.(() => {
      if (!stopping) {
        stopping = true;
        clearBar();
        io.err("stopping at the next step (a checkpoint is written); press Ctrl+C again to abort");
        client.stop();
      } else {
        io.err("aborting: the run is marked failed; its files are kept");
        client.kill();
      }
    });
    let ended = false;
    client.on((e) => {
      if (ended) return;
      if (json) {
        if (e.type !== "ready" && e.type !== "featureMaps" && !(e.type === "log" && e.level === "info")) io.out(JSON.stringify(e));
      } else {
        switch (e.type) {
          case "started": {
            const d = e.dataset;
            const notUsed = e.notUsed.length ? ` (not used: ${notUsedText(e.notUsed)})` : "";
            io.out(
              `Training ${e.model} (${fmtInt(e.params)} parameters) on ${d.name} (${fmtInt(d.trainCount)} training / ${fmtInt(d.validationCount)} validation images, ${d.classes} classes)`,
            );
            io.out(`backend: ${e.backend}${e.device ? ` on ${e.device}` : ""}${notUsed}`);
            io.out(`run: ${rel(e.runDir)}${e.resumedFrom ? ` (resumed at epoch ${e.resumedFrom.epoch}, step ${e.resumedFrom.step})` : ""}`);
            for (const line of e.weights ? weightsReportLines(e.weights) : []) io.out(`weights: ${line}`);
            break;
          }
          case "progress": {
            if (!tty) break;
            const now = Date.now();
            if (now - lastBar < 100 && e.step !== e.stepsPerEpoch) break;
            lastBar = now;
            io.write!(`\r\x1b[2K${progressLine(e, columns)}`);
            barShown = true;
            break;
          }
          case "epochEnd":
            clearBar();
            io.out(
              `epoch ${e.epoch}/${e.epochs}: loss ${e.trainLoss.toFixed(4)}, accuracy ${pct(e.trainAccuracy)} | validation loss ${e.valLoss.toFixed(4)}, accuracy ${pct(e.valAccuracy)}${e.valTop5 !== null ? `, top-5 ${pct(e.valTop5)}` : ""}${e.valMiou !== undefined ? `, mean IoU ${pct(e.valMiou)}` : ""} | lr ${e.lr.toPrecision(3)} | ${formatDuration(e.seconds)}`,
            );
            break;
          case "checkpoint":
            if (e.reason === "stop") {
              clearBar();
              io.out(`checkpoint: ${rel(e.path)}`);
            }
            break;
          case "log":
            if (e.level === "warning") {
              clearBar();
              io.err(`warning: ${e.message}`);
            }
            break;
          case "completed":
            clearBar();
            io.out(`done in ${formatDuration(e.seconds)}${e.final ? `: validation accuracy ${pct(e.final.valAccuracy)}` : ""} (run: ${rel(e.runDir)})`);
            break;
          case "stopped":
            clearBar();
            io.out(`stopped at epoch ${e.epoch}, step ${e.step}; resume with: cnn-studio train --resume ${rel(e.runDir)}`);
            break;
          case "error":
            if (e.phase === "request" && e.requestId !== null) break;
            clearBar();
            for (const d of e.diagnostics) io.err(`${rel(d.file)}:${d.line}:${d.column}: error: ${d.message}`);
            io.err(`cnn-studio train: ${e.message}`);
            if (e.phase === "process" && e.logTail.length) io.err(`last output of the trainer:\n  ${e.logTail.slice(-15).join("\n  ")}`);
            if (e.runDir) io.err(`run: ${rel(e.runDir)} (marked failed; its files are kept)`);
            break;
          default:
            break;
        }
      }
      if (e.type === "completed" || e.type === "stopped" || (e.type === "error" && e.phase !== "request")) ended = true;
      if (e.type === "completed") resolve(0);
      else if (e.type === "stopped") resolve(130);
      else if (e.type === "error" && e.phase !== "request") resolve(1);
    });
    void client.exited.then(() => resolve(1));
    if (!client.start(config, torch ? { name: "torch", python: engine.python } : { name: "tfjs" })) {
      io.err("cnn-studio train: cannot start the trainer process");
      resolve(1);
    }
  });
  const code = await result;
  await client.shutdown(10_000);
  return code;
}

/** The --help lines of the data options (issue 15). */
function dataHelp(): string {
  return DATA_OPTION_FLAGS.flatMap((flag) => helpEntry(`  ${flag} ${DATA_OPTIONS[flag].metavar}`, DATA_OPTIONS[flag].help)).join("\n");
}
