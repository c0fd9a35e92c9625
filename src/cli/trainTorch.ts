import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import { TorchTrainingSession, type TorchEvent } from "../torch/engine";
import { formatDuration, parseTrainArgs, progressLine, type TrainIo } from "./train";

/**
 * `cnn-studio train … --backend torch [--python PATH]`: the same command, options, run folder and
 * output as `cnn-studio train` (src/cli/train.ts), with the PyTorch engine (src/torch/engine.ts)
 * instead of the TensorFlow.js trainer process. Exit codes as there: 0 trained, 1 failed (or
 * Python/PyTorch missing), 2 unusable arguments, 130 stopped by Ctrl+C.
 */

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
    return false; // the TensorFlow.js parser reports the unreadable run
  }
}

/** The command line without `--backend torch` and `--python PATH` (which the TensorFlow.js parser does not know). */
function split(argv: readonly string[]): { rest: string[]; python: string | null; error: string | null } {
  const rest: string[] = [];
  let python: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--backend=torch") continue;
    if (a === "--backend" && argv[i + 1] === "torch") {
      i++;
      continue;
    }
    if (a === "--python" || a.startsWith("--python=")) {
      python = a === "--python" ? (argv[++i] ?? null) : a.slice("--python=".length);
      if (!python) return { rest, python, error: "--python needs an interpreter path" };
      continue;
    }
    rest.push(a);
  }
  return { rest, python, error: null };
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function runTorchTrain(argv: readonly string[], io: TrainIo, options: { cwd?: string; onInterruptHandler?: (stop: () => void) => void } = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const { rest, python, error } = split(argv);
  if (error) {
    io.err(`cnn-studio train: ${error}`);
    return 2;
  }
  const parsed = parseTrainArgs(rest, cwd, (file) => {
    try {
      return { names: new Analyzer().analyzeFile(file).models.map((m) => m.name) };
    } catch {
      return null;
    }
  });
  if (!parsed.ok) {
    (parsed.code === 0 ? io.out : io.err)(parsed.message.replace("  --backend B             auto | gpu | native | wasm | js (default auto)", "  --backend B             auto | gpu | native | wasm | js | torch (default auto)\n  --python PATH           the Python with PyTorch for --backend torch"));
    return parsed.code;
  }
  const { config, json } = parsed;
  const tty = !json && io.tty === true && io.write !== undefined;
  const columns = io.columns ?? 100;
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
  let code = 1;
  const onEvent = (e: TorchEvent): void => {
    if (json) {
      if (!(e.type === "log" && e.level === "info")) io.out(JSON.stringify(e));
    } else {
      switch (e.type) {
        case "started": {
          const d = e.dataset;
          io.out(`Training ${e.model} (${fmtInt(e.params)} parameters) on ${d.name} (${fmtInt(d.trainCount)} training / ${fmtInt(d.validationCount)} validation images, ${d.classes} classes)`);
          io.out(`backend: torch on ${e.device}`);
          io.out(`run: ${rel(e.runDir)}${e.resumedFrom ? ` (resumed at epoch ${e.resumedFrom.epoch}, step ${e.resumedFrom.step})` : ""}`);
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
            `epoch ${e.epoch}/${e.epochs}: loss ${e.trainLoss.toFixed(4)}, accuracy ${pct(e.trainAccuracy)} | validation loss ${e.valLoss.toFixed(4)}, accuracy ${pct(e.valAccuracy)}${e.valTop5 !== null ? `, top-5 ${pct(e.valTop5)}` : ""} | lr ${e.lr.toPrecision(3)} | ${formatDuration(e.seconds)}`,
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
          io.out(`stopped at epoch ${e.epoch}, step ${e.step}; resume with: cnn-studio train --resume ${rel(e.runDir)} --backend torch`);
          break;
        case "error":
          clearBar();
          for (const d of e.diagnostics) io.err(`${rel(d.file)}:${d.line}:${d.column}: error: ${d.message}`);
          io.err(`cnn-studio train: ${e.message}`);
          if (e.runDir) io.err(`run: ${rel(e.runDir)} (marked failed; its files are kept)`);
          break;
      }
    }
    if (e.type === "completed") code = 0;
    else if (e.type === "stopped") code = 130;
    else if (e.type === "error") code = 1;
  };
  const session = new TorchTrainingSession({ python }, onEvent);
  let stopping = false;
  options.onInterruptHandler?.(() => {
    if (!stopping) {
      stopping = true;
      clearBar();
      io.err("stopping at the next step (a checkpoint is written); press Ctrl+C again to abort");
      session.stop();
    } else {
      io.err("aborting: the run is marked failed; its files are kept");
      session.kill();
    }
  });
  await session.start(config);
  return code;
}
