import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Analyzer } from "../src/analyzer/index";
import { formatCount } from "../src/shared/format";
import { ms, summarize } from "./stats";

/**
 * Analyzer speed: cold (a fresh process loads the analyzer and analyses a file) and warm
 * (re-analysis after a one-character edit, as while typing), for the ResNet and DenseNet examples
 * and the transformers ViT-B/16 (examples/vit.ts vitB16) and Swin-T (examples/swin.ts swinT), which
 * must stay within the same warm budget; and, where Debian's python3-torch is installed, the forward
 * pass torchinfo needs for the same answer, measured in the same run. Prints figures and ratios
 * (each example's warm and cold times against the ResNet file's). Environment: BENCH_EDITS (default
 * 200), BENCH_FILES (comma-separated parts of file names: only those examples, and ResNet).
 */

const ROOT = path.resolve(__dirname, "..", "..");
/** The warm-edit budget every example is held to (ms, p50). */
const WARM_BUDGET_MS = 20;
interface Case {
  file: string;
  what: string;
  /** torchvision's builder for the PyTorch reference. */
  torch: string;
  /** A model of the file whose totals are printed, to show the analysis went through. */
  model: string;
}
const CASES: Case[] = [
  { file: "examples/resnet.ts", what: "ResNet-18/34/50/101/152 (one file, 5 models)", torch: "resnet152", model: "resnet152" },
  { file: "examples/densenet.ts", what: "DenseNet-121", torch: "densenet121", model: "densenet121" },
  { file: "examples/vit.ts", what: "ViT-B/16 (torchvision vit_b_16)", torch: "vit_b_16", model: "vitB16" },
  { file: "examples/swin.ts", what: "Swin-T (torchvision swin_t)", torch: "swin_t", model: "swinT" },
];
const EDITS = Number(process.env.BENCH_EDITS ?? 200);
/** BENCH_FILES=vit,swin measures only the examples whose file name contains one of these (the first case, the reference of the ratios, always runs). */
const ONLY = process.env["BENCH_FILES"]?.split(",").filter((f) => f);
const SELECTED = ONLY ? CASES.filter((c, i) => i === 0 || ONLY.some((f) => c.file.includes(f))) : CASES;

/** The analysis a timing is of: the model's totals, or why they are not the whole model. */
function whatWasAnalysed(c: Case): string {
  const r = new Analyzer().analyzeFile(path.join(ROOT, c.file));
  const m = r.models.find((x) => x.name === c.model);
  const problems = r.diagnostics.length ? `; ${r.diagnostics.length} diagnostics, first: ${r.diagnostics[0]!.message}` : "";
  if (!m) return `no model ${c.model} in the analysis${problems}`;
  return `${c.model}: ${formatCount(m.params)} params, ${formatCount(m.macs)} MACs${m.complete ? "" : " (incomplete)"}${problems}`;
}

/** Issue 17's goals for a fresh `cnn-studio summary` of ResNet-152 (the code cache warm). */
const CLI_GOAL = { model: "resnet152", ms: 300, timesFasterThanTorch: 15 };

/** A fresh `cnn-studio summary FILE --model NAME --json` process, as a user or the editor starts it. */
function cliWall(file: string, model: string, cacheDir: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, "dist/cli.js"), "summary", path.join(ROOT, file), "--model", model, "--json"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, CNN_STUDIO_CODE_CACHE_DIR: cacheDir },
  });
  if (r.status !== 0) throw new Error(`cli failed: ${r.stderr}`);
  return performance.now() - t0;
}

function cold(file: string, model: string): { first: number; cached: number; load: number; analyze: number } {
  // A fresh code-cache directory: the first start compiles from source and writes the cache.
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-bench-cli-cache-"));
  const first = cliWall(file, model, cacheDir);
  const cached = summarize(Array.from({ length: 5 }, () => cliWall(file, model, cacheDir))).p50;
  fs.rmSync(cacheDir, { recursive: true, force: true });
  // Inside a fresh process without the code cache: loading the analyzer (TypeScript) vs analysing.
  const probe = JSON.parse(spawnSync(process.execPath, [path.join(ROOT, "out/bench/coldProbe.js"), path.join(ROOT, file)], { encoding: "utf8" }).stdout) as {
    loadMs: number;
    analyzeMs: number;
  };
  return { first, cached, load: probe.loadMs, analyze: probe.analyzeMs };
}

function warm(file: string): { p50: number; p95: number } {
  const abs = path.join(ROOT, file);
  const original = fs.readFileSync(abs, "utf8");
  let text = original;
  const analyzer = new Analyzer({ readFile: (p) => (p === abs ? text : fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined) });
  for (let i = 0; i < 10; i++) analyzer.analyzeFile(abs);
  // A one-character edit: type a digit into a number, then take it back, alternately.
  const at = original.search(/\d/);
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    text = i % 2 === 0 ? original : original.slice(0, at) + original.slice(at, at + 1) + " " + original.slice(at + 1);
    const t0 = performance.now();
    analyzer.analyzeFile(abs);
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

function torchReference(): Record<string, { buildMs: number; forwardMs: number }> | undefined {
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "bench/torch_reference.py"), ...SELECTED.map((c) => c.torch)], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

/** The fresh CLI process against issue 17's goals, PyTorch's figure from the same run. */
function cliGoalLine(cliMs: number, torchMs: number): string {
  const times = torchMs / cliMs;
  const met = (ok: boolean): string => (ok ? "met" : "NOT met");
  return (
    `  goal, fresh CLI summary of ${CLI_GOAL.model}: ${ms(cliMs)} (≤ ${CLI_GOAL.ms} ms: ${met(cliMs <= CLI_GOAL.ms)}), ` +
    `${times.toFixed(1)}× faster than PyTorch's build + forward with hooks (≥ ${CLI_GOAL.timesFasterThanTorch}×: ${met(times >= CLI_GOAL.timesFasterThanTorch)})`
  );
}

const ref = torchReference();
console.log(`CNN Studio analyzer benchmark (goal: warm ≤ ${WARM_BUDGET_MS} ms, cold ≤ 300 ms)\n`);
/** The first example's warm p50: the others' warm and cold times are printed as ratios to it. */
let reference: { file: string; warm: number; cold: number } | undefined;
for (const c of SELECTED) {
  if (!fs.existsSync(path.join(ROOT, c.file))) {
    console.log(`${c.file} — ${c.what}: skipped, the file is not there\n`);
    continue;
  }
  const k = cold(c.file, c.model);
  const w = warm(c.file);
  console.log(`${c.file} — ${c.what}`);
  console.log(`  analysed: ${whatWasAnalysed(c)}`);
  console.log(
    `  cold, fresh CLI process (summary --model ${c.model} --json): ${ms(k.cached)} wall with the code cache, ${ms(k.first)} on the very first start`,
  );
  console.log(`    (without the cache: loading analyzer + TypeScript ${ms(k.load)}, analysis ${ms(k.analyze)})`);
  console.log(
    `  warm, after an edit:   p50 ${ms(w.p50)}, p95 ${ms(w.p95)} over ${EDITS} edits (${w.p50 <= WARM_BUDGET_MS ? "within" : "OVER"} the ${WARM_BUDGET_MS} ms budget)`,
  );
  if (reference) {
    console.log(
      `  against ${reference.file}: warm p50 ${(w.p50 / reference.warm).toFixed(2)}×, cold (code cache) ${(k.cached / reference.cold).toFixed(2)}× (same run)`,
    );
  } else reference = { file: c.file, warm: w.p50, cold: k.cached };
  const t = ref?.[c.torch];
  if (t) {
    const pass = t.buildMs + t.forwardMs;
    console.log(`  PyTorch (torchinfo's way, ${c.torch}): build ${ms(t.buildMs)} + forward ${ms(t.forwardMs)} = ${ms(pass)}`);
    console.log(`  ratio: warm re-analysis is ${(pass / w.p50).toFixed(1)}× faster than PyTorch's build + forward pass`);
    if (c.model === CLI_GOAL.model) console.log(cliGoalLine(k.cached, pass));
  } else {
    console.log("  PyTorch reference: skipped (Debian's python3-torch and python3-torchvision are not installed)");
    if (c.model === CLI_GOAL.model)
      console.log(`  goal, fresh CLI summary of ${CLI_GOAL.model}: ${ms(k.cached)} (≤ ${CLI_GOAL.ms} ms: ${k.cached <= CLI_GOAL.ms ? "met" : "NOT met"})`);
  }
  console.log();
}
