import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Analyzer } from "../src/analyzer/index";
import type { AnalysisResult } from "../src/shared/lsp";
import type { InputSpec } from "../src/shared/webview/common";
import { TrainerClient } from "../src/trainer/trainerClient";
import { TrainerTensorService } from "../src/extension/tensorService";
import type { PanelServices, TensorService } from "../src/extension/panels/services";
import { createFake, fakeContext, install, type FakePanel } from "../test/helpers/fakeVscode";
import { ms, summarize } from "./stats";

/**
 * Issue 17: the first feature-map request through a new inspector process (goal ≤ 300 ms).
 *  - fork → ready, fork → prepared (a `prepare` query: analysis, backend, compile, mnist-sample, one
 *    forward pass), and the first request after that; against a cold request (fork → maps).
 *  - the feature-map panel with the real TensorService (fake vscode): panel opened → maps shown, with
 *    and without the warm-up, the webview saying `ready` after WEBVIEW_MS (its load; 0 is the worst
 *    case for the warm-up), then asking for conv2's maps as soon as the snapshot arrives (the webview's
 *    own 150 ms debounce is not counted). Rounds alternate with and without, each with a new process.
 * LeNet-5 (examples/lenet5.ts), untrained weights. Where /proc exists, the inspector's CPU time (all
 * its threads) is printed too: it varies less than wall time on a loaded machine.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const TRAINER = path.join(ROOT, "dist", "trainer.js");
const FILE = path.join(ROOT, "examples", "lenet5.ts");
const MODEL = "lenet5Mnist";
const URI = `file://${FILE}`;
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const GOAL_MS = 300;
const SAMPLE: InputSpec = { kind: "sample", split: "validation", index: 0 };

const fake = createFake();
install(fake);
const panels = require("../src/extension/panels/index") as typeof import("../src/extension/panels/index");
const context = fakeContext(path.join(os.tmpdir(), "cnn-studio-bench-inspector")) as unknown as Parameters<typeof panels.openFeatureMapsPanel>[0];

const analyzed = new Analyzer().analyzeFile(FILE); // the language server has it already
const conv2 = analyzed.models.find((m) => m.name === MODEL)!.graph.find((n) => n.label === "features.3")!.id;
const analysis = async (uri: string): Promise<AnalysisResult> => ({
  uri,
  file: FILE,
  version: null,
  isModelFile: true,
  models: analyzed.models.map((m) => ({ ...m, edges: [] })),
  diagnostics: analyzed.diagnostics,
  dependencies: analyzed.dependencies,
});

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function posted(p: FakePanel, type: string): Promise<number> {
  for (;;) {
    const m = (p.posted as { type?: unknown; message?: unknown }[]).find((x) => x.type === type || x.type === "requestFailed");
    if (m?.type === "requestFailed") throw new Error(`request failed: ${String(m.message)}`);
    if (m) return performance.now();
    await sleep(1);
  }
}

/** CPU milliseconds a process has used (user + system, all threads); NaN without /proc. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

interface Direct {
  ready: number;
  prepared: number;
  request: number;
  total: number;
  cpu: { ready: number; prepare: number; request: number };
}

/** A new client and its fork → ready, fork → prepared and first-request times; or a cold request. */
async function direct(warm: boolean): Promise<Direct> {
  const t0 = performance.now();
  let ready = NaN;
  let cpuReady = NaN;
  const c = new TrainerClient({ trainerPath: TRAINER });
  c.on((e) => {
    if (e.type !== "ready") return;
    ready = performance.now() - t0;
    cpuReady = cpuMs(c.pid);
  });
  try {
    const prepared = warm ? (await c.inspect({ kind: "prepare", file: FILE, model: MODEL, checkpoint: null }), performance.now() - t0) : NaN;
    const cpuPrepared = warm ? cpuMs(c.pid) : NaN;
    const t1 = performance.now();
    await c.inspect({ kind: "featureMaps", file: FILE, model: MODEL, checkpoint: null, input: SAMPLE, nodeIds: [conv2] });
    const request = performance.now() - t1;
    // cold, the request waited for `ready`: its CPU time counts from there
    const cpu = { ready: cpuReady, prepare: cpuPrepared - cpuReady, request: cpuMs(c.pid) - (warm ? cpuPrepared : cpuReady) };
    return { ready, prepared, request, total: performance.now() - t0, cpu };
  } finally {
    await c.shutdown(2000);
  }
}

/** The feature-map panel: opened → snapshot → compute → maps; the times from opening and the request's. */
async function panel(warm: boolean, webviewMs: number): Promise<{ shown: number; request: number }> {
  const tensors = new TrainerTensorService({ trusted: () => true, start: () => new TrainerClient({ trainerPath: TRAINER }) });
  const noWarmUp: TensorService = { dataset: tensors.dataset, featureMaps: tensors.featureMaps };
  const services: PanelServices = {
    analysis,
    onDidAnalyze: () => ({ dispose() {} }),
    runsDir: () => undefined,
    tensors: warm ? tensors : noWarmUp,
  };
  try {
    const t0 = performance.now();
    panels.openFeatureMapsPanel(context, services, { uri: URI, model: MODEL });
    const p = fake.panels.at(-1)!;
    await sleep(webviewMs);
    await p.receive({ type: "ready" });
    await posted(p, "snapshot");
    const t1 = performance.now();
    await p.receive({ type: "compute", requestId: 1, checkpoint: null, input: SAMPLE, nodeIds: [conv2] });
    const t2 = await posted(p, "featureMaps");
    p.dispose();
    return { shown: t2 - t0, request: t2 - t1 };
  } finally {
    tensors.dispose();
  }
}

const p50 = (xs: number[]) => summarize(xs).p50;
const goal = (x: number) => `${x <= GOAL_MS ? "meets" : "misses"} the goal ≤ ${GOAL_MS} ms`;

async function main(): Promise<void> {
  await direct(false); // the file cache
  const cold: Direct[] = [];
  const warm: Direct[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    cold.push(await direct(false));
    warm.push(await direct(true));
  }
  console.log(`inspector process, LeNet-5, ${ROUNDS} rounds alternating (p50):`);
  console.log(`  fork → ready ${ms(p50(warm.map((r) => r.ready)))}; fork → prepared ${ms(p50(warm.map((r) => r.prepared)))}`);
  console.log(`  first feature-map request, cold (fork → maps): ${ms(p50(cold.map((r) => r.total)))}; ${goal(p50(cold.map((r) => r.total)))}`);
  const after = p50(warm.map((r) => r.request));
  console.log(`  first feature-map request after the warm-up: ${ms(after)}; ${goal(after)}`);
  const cpu = (rs: Direct[], k: keyof Direct["cpu"]) => `${p50(rs.map((r) => r.cpu[k])).toFixed(0)} ms`;
  console.log(
    `  inspector CPU time: fork → ready ${cpu(warm, "ready")}; prepare ${cpu(warm, "prepare")}; first request cold ${cpu(cold, "request")}, after the warm-up ${cpu(warm, "request")}`,
  );
  for (const webviewMs of [0, 250]) {
    const with_: Awaited<ReturnType<typeof panel>>[] = [];
    const without: Awaited<ReturnType<typeof panel>>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      without.push(await panel(false, webviewMs));
      with_.push(await panel(true, webviewMs));
    }
    const row = (name: string, rs: typeof with_) =>
      `  ${name}: panel opened → maps shown ${ms(p50(rs.map((r) => r.shown)))}, compute → maps ${ms(p50(rs.map((r) => r.request)))}`;
    console.log(`feature-map panel, webview ready after ${webviewMs} ms (p50 of ${ROUNDS}):`);
    console.log(row("without warm-up", without));
    console.log(row("with warm-up   ", with_));
    const shownWith = p50(with_.map((r) => r.shown)) - webviewMs;
    console.log(`  with warm-up, opened → maps beyond the webview's load: ${ms(shownWith)}; ${goal(shownWith)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
