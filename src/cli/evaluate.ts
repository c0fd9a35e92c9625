import * as fs from "node:fs";
import * as path from "node:path";
import { EVALUATION_SPLITS, evaluationText, type EvaluationSplit } from "../shared/evaluation";
import type { DatasetSpec } from "../shared/training";
import { evaluateRun } from "../trainer/evaluate";
import { selectBackend } from "../trainer/model/backend";
import { compileModel } from "../trainer/model/compile";

/**
 * `cnn-studio evaluate RUN_DIR [--checkpoint NAME] [--dataset D] [--split val|train|test] [--json]`
 * (issue 18): a run's checkpoint evaluated in-process on a split of the run's data (src/trainer/evaluate.ts).
 */

export const EVALUATE_USAGE = `Usage: cnn-studio evaluate RUN_DIR [--checkpoint NAME] [--dataset D] [--split val|train|test] [--json]

Evaluates a trained model on a split of its data: accuracy (top-5 with more than 5 classes), loss,
the confusion matrix (rows: true class, columns: predicted), per-class precision, recall, F1 and
support, and the most confidently wrong samples. The run folder's config.json rebuilds the model,
the dataset, its normalisation and the split as training made them, so the accuracy on the
validation split equals the run's own validation accuracy for the same checkpoint.

Options:
  --checkpoint NAME  a checkpoint in RUN_DIR/checkpoints (e0003-s000125 or its file name);
                     default: the newest complete one
  --dataset D        another dataset than the run's: mnist-sample, idx:DIR, cifar10:DIR or folder:DIR
  --split S          val (default: the run's validation split), train, or test (the dataset's own
                     test files: IDX t10k, CIFAR-10's test batch, a test/ folder)
  --json             one JSON document: { accuracy, loss, classes, confusion, perClass: [{ label,
                     precision, recall, f1, support }], mistakes: [{ index, label, predicted,
                     confidence }], top5, run, checkpoint, dataset, split, samples }

Exit codes: 0 evaluated, 1 the run cannot be evaluated (no or damaged checkpoint, model errors,
unreadable data), 2 unusable arguments.`;

export interface EvaluateIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

interface Args {
  runDir: string;
  checkpoint?: string;
  dataset?: DatasetSpec;
  split: EvaluationSplit;
  json: boolean;
}

function parseDataset(text: string, cwd: string): DatasetSpec | string {
  if (text === "mnist-sample") return { kind: "mnist-sample" };
  const m = /^(idx|cifar10|folder):(.+)$/.exec(text);
  if (!m) return `--dataset must be mnist-sample, idx:DIR, cifar10:DIR or folder:DIR, got '${text}'`;
  const dir = path.resolve(cwd, m[2]!);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return `--dataset ${text}: no folder ${dir}`;
  return { kind: m[1] as "idx" | "cifar10" | "folder", dir };
}

function parseArgs(argv: readonly string[], cwd: string): Args | { code: number; message: string } {
  const usage = (m: string) => ({ code: 2, message: `cnn-studio evaluate: ${m}\n\n${EVALUATE_USAGE}` });
  const positional: string[] = [];
  const values = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return { code: 0, message: EVALUATE_USAGE };
    if (a === "--json") {
      json = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (name === "--checkpoint" || name === "--dataset" || name === "--split") {
      const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) return usage(`${name} needs a value`);
      values.set(name, v);
    } else if (a.startsWith("-")) return usage(`unknown option '${a}'`);
    else positional.push(a);
  }
  if (positional.length !== 1)
    return usage(positional.length === 0 ? "needs a RUN_DIR" : `one RUN_DIR only, got ${positional.map((p) => `'${p}'`).join(", ")}`);
  const split = values.get("--split") ?? "val";
  if (!(EVALUATION_SPLITS as readonly string[]).includes(split)) return usage(`--split must be val, train or test, got '${split}'`);
  const d = values.get("--dataset");
  const dataset = d === undefined ? undefined : parseDataset(d, cwd);
  if (typeof dataset === "string") return usage(dataset);
  const checkpoint = values.get("--checkpoint");
  return {
    runDir: path.resolve(cwd, positional[0]!),
    ...(checkpoint !== undefined ? { checkpoint } : {}),
    ...(dataset !== undefined ? { dataset } : {}),
    split: split as EvaluationSplit,
    json,
  };
}

export async function runEvaluate(argv: readonly string[], io: EvaluateIo, cwd = process.cwd()): Promise<number> {
  const args = parseArgs(argv, cwd);
  if ("code" in args) {
    (args.code === 0 ? io.out : io.err)(args.message);
    return args.code;
  }
  if (!fs.existsSync(args.runDir) || !fs.statSync(args.runDir).isDirectory()) {
    io.err(`cnn-studio evaluate: no run folder ${args.runDir}`);
    return 2;
  }
  const r = await evaluateRun(
    {
      runDir: args.runDir,
      split: args.split,
      ...(args.checkpoint !== undefined ? { checkpoint: args.checkpoint } : {}),
      ...(args.dataset ? { dataset: args.dataset } : {}),
    },
    { compile: compileModel, selectBackend: (choice) => selectBackend(choice) },
  );
  if (!r.ok) {
    io.err(`cnn-studio evaluate: ${r.error}`);
    return 1;
  }
  io.out(args.json ? JSON.stringify(r.value.report, null, 2) : evaluationText(r.value.report));
  return 0;
}
