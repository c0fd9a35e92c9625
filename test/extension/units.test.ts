import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import ts = require("typescript");
import { Analyzer } from "../../src/analyzer/index";
import {
  datasetProblem,
  defaultForm,
  describeConfig,
  smallestSuitableModel,
  modelId,
  normalizeForm,
  validateForm,
  type FormModel,
} from "../../src/extension/train/form";
import { RunStore } from "../../src/extension/runs/runStore";
import { trainConfig } from "../../src/shared/training";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";
import { analyse, PROGRESS } from "./fixtures";
import { typingsFiles } from "../../src/export/typingsFolder";

/** The extension's pure parts: the Train form, run folders, tsconfig patching, summaries, model lookup, templates. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
const { patchTsconfig, newTsconfig, TYPINGS_REL } = require("../../src/extension/commands/typings") as typeof import("../../src/extension/commands/typings");
const { summaryText } = require("../../src/extension/commands/summary") as typeof import("../../src/extension/commands/summary");
const { modelAt } = require("../../src/extension/commands/modelArgs") as typeof import("../../src/extension/commands/modelArgs");
const { TEMPLATES, templateText } = require("../../src/extension/commands/templates") as typeof import("../../src/extension/commands/templates");
const { modelDescription, scanMessage } = require("../../src/extension/models/modelsView") as typeof import("../../src/extension/models/modelsView");
const { accuracyLabel, statusText, TrainingController } =
  require("../../src/extension/train/trainingController") as typeof import("../../src/extension/train/trainingController");

const LENET = path.join(ROOT, "examples", "lenet5.ts");
const lenet = analyse(LENET);
const formModels: FormModel[] = lenet.models.map((m) => ({
  id: modelId(lenet.uri, m.name),
  file: lenet.file,
  name: m.name,
  inputs: m.inputs,
  output: m.output,
  params: m.params,
  errors: 0,
}));

test("Train form: a valid form makes the configuration the trainer accepts", () => {
  const state = {
    ...defaultForm(),
    model: modelId(lenet.uri, "lenet5Mnist"),
    epochs: "3",
    batchSize: "32",
    optimizer: "sgd" as const,
    lr: "0.05",
    momentum: "0.9",
    schedule: "step" as const,
    stepSize: "1",
    gamma: "0.5",
    flip: true,
  };
  const r = validateForm(state, formModels, "/tmp/runs");
  assert.deepEqual(r.errors, {});
  assert.ok(r.config);
  assert.deepEqual(
    r.config,
    trainConfig({
      file: LENET,
      model: "lenet5Mnist",
      dataset: { kind: "mnist-sample" },
      runsDir: "/tmp/runs",
      epochs: 3,
      batchSize: 32,
      optimizer: { name: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 0 },
      schedule: { name: "step", stepSize: 1, gamma: 0.5 },
      augment: { cropPadding: 0, flip: true },
      normalize: true,
      validationFraction: 0.2,
      seed: 0,
      backend: "auto",
    }),
  );
  assert.equal(
    describeConfig(r.config),
    "Train lenet5Mnist on the bundled MNIST sample for 3 epochs, batch size 32, SGD (lr 0.05, momentum 0.9), step decay ×0.5 every 1 epoch, horizontal flip, backend auto.",
  );
});

test("Train form: backend torch runs the PyTorch engine", () => {
  const state = { ...defaultForm(), model: modelId(lenet.uri, "lenet5Mnist"), backend: "torch" as const };
  const r = validateForm(state, formModels, "/tmp/runs");
  assert.deepEqual(r.errors, {});
  assert.equal(r.engine, "torch");
  assert.equal(r.config?.backend, "auto", "the configuration keeps a TensorFlow.js backend choice");
  assert.match(describeConfig(r.config!, r.engine), /, PyTorch engine \(your Python; CUDA when available\)\.$/);
  assert.equal(validateForm({ ...state, backend: "wasm" }, formModels, "/tmp/runs").engine, "tfjs");
  assert.equal(normalizeForm({ backend: "torch" }, defaultForm()).backend, "torch");
});

test("Train form: each bad field gets its own message", () => {
  const state = {
    ...defaultForm(),
    model: modelId(lenet.uri, "lenet5Mnist"),
    dataset: "folder" as const,
    datasetDir: " ",
    epochs: "two",
    batchSize: "0",
    lr: "-1",
    cropPadding: "1.5",
    seed: "-3",
    validationFraction: "0.95",
  };
  const r = validateForm(state, formModels, "/tmp/runs");
  assert.equal(r.config, undefined);
  assert.deepEqual(Object.keys(r.errors).sort(), ["batchSize", "cropPadding", "datasetDir", "epochs", "lr", "seed", "validationFraction"]);
  assert.equal(r.errors.epochs, "Epochs must be a number");
  assert.equal(r.errors.batchSize, "Batch size must be at least 1");
  assert.equal(validateForm(defaultForm(), [], "/r").errors.model, "No model to train: create a model file first");
});

test("Train form: models must fit the dataset's images and be classifiers", () => {
  const lenet32 = formModels.find((m) => m.name === "lenet5")!;
  assert.match(datasetProblem(lenet32, "mnist-sample") ?? "", /MNIST sample has 1×28×28 images; lenet5 takes \[N, 1, 32, 32\]/);
  assert.equal(datasetProblem(lenet32, "folder"), undefined, "image folders are resized to the model");
  assert.equal(smallestSuitableModel(formModels, "mnist-sample")?.name, "lenet5Mnist");
  const r = validateForm({ ...defaultForm(), model: lenet32.id }, formModels, "/r");
  assert.match(r.errors.model ?? "", /1×28×28/);
  const twoOutputs: FormModel = {
    ...lenet32,
    id: "x#y",
    name: "y",
    output: [
      ["N", 10],
      ["N", 5],
    ],
  };
  assert.match(validateForm({ ...defaultForm(), model: "x#y" }, [twoOutputs], "/r").errors.model ?? "", /returns several tensors/);
  const broken: FormModel = { ...lenet32, id: "b#b", name: "b", errors: 2 };
  assert.match(validateForm({ ...defaultForm(), model: "b#b" }, [broken], "/r").errors.model ?? "", /has 2 errors/);
});

test("Train form: saved states are checked field by field", () => {
  const d = defaultForm({ backend: "wasm" });
  assert.deepEqual(normalizeForm(null, d), d);
  const n = normalizeForm({ epochs: 7, batchSize: "128", optimizer: "rmsprop", backend: "js", flip: "yes", extra: 1 }, d);
  assert.equal(n.epochs, d.epochs, "a number where a string belongs is ignored");
  assert.equal(n.batchSize, "128");
  assert.equal(n.optimizer, d.optimizer, "an unknown optimizer falls back");
  assert.equal(n.backend, "js");
  assert.equal(n.flip, false);
  assert.equal(defaultForm({ datasetDir: "/data/cifar-10-batches-bin" }).dataset, "cifar10");
});

test("runs: state, progress, best accuracy and backend from a run folder, read incrementally", async () => {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-runs-"));
  try {
    const mk = (name: string, status: object | null, metrics: object[], log = ""): string => {
      const dir = path.join(runs, name);
      fs.mkdirSync(path.join(dir, "checkpoints"), { recursive: true });
      fs.writeFileSync(
        path.join(dir, "config.json"),
        JSON.stringify(trainConfig({ file: LENET, model: name.slice(18), dataset: { kind: "mnist-sample" }, runsDir: runs, epochs: 4 })),
      );
      if (status) fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify(status));
      fs.writeFileSync(path.join(dir, "metrics.jsonl"), metrics.map((m) => JSON.stringify(m) + "\n").join(""));
      if (log) fs.writeFileSync(path.join(dir, "log.txt"), log);
      return dir;
    };
    const epoch = (e: number, acc: number): object => ({
      type: "epoch",
      epoch: e,
      epochs: 4,
      trainLoss: 1,
      trainAccuracy: acc,
      valLoss: 1,
      valAccuracy: acc,
      lr: 0.001,
      seconds: 1,
    });
    const step = (e: number, s: number): object => ({
      type: "step",
      epoch: e,
      step: s,
      globalStep: s,
      loss: 0.5,
      accuracy: 0.8,
      lr: 0.001,
      imagesPerSecond: 900,
    });
    const live = mk(
      "2026-01-02-030405-lenet5Mnist",
      { state: "running", pid: process.pid, epoch: 2, step: 3, globalStep: 11 },
      [step(1, 1), epoch(1, 0.91), epoch(2, 0.95), step(3, 3)],
      "2026 started\n2026 backend wasm; 4 steps per epoch\n",
    );
    mk("2026-01-01-000000-ourCnn", { state: "completed", pid: 1, epoch: 4, step: 0, globalStep: 40 }, [
      epoch(1, 0.5),
      epoch(2, 0.7),
      epoch(3, 0.65),
      epoch(4, 0.6),
    ]);
    mk("2026-01-03-000000-dead", { state: "running", pid: 2 ** 22 + 12345, epoch: 1, step: 2, globalStep: 2 }, [step(1, 2)]);
    // PyTorch engine runs: the log names the backend; before it does, config.json's engine
    const torchLogged = mk(
      "2025-12-01-000000-torchLogged",
      { state: "completed", pid: 1, epoch: 4, step: 0, globalStep: 40 },
      [epoch(1, 0.5)],
      "2025 new run\n2025 backend torch (PyTorch 1.13.1, Python 3.11.2, cpu, 2 threads); 63 steps per epoch of 128\n",
    );
    const torchNew = mk("2025-12-02-000000-torchNew", { state: "running", pid: process.pid, epoch: 0, step: 0, globalStep: 0 }, []);
    fs.writeFileSync(
      path.join(torchNew, "config.json"),
      JSON.stringify({ ...trainConfig({ file: LENET, model: "torchNew", dataset: { kind: "mnist-sample" }, runsDir: runs }), engine: "torch" }),
    );
    // a checkpoint as the panels list it (an index of the format, its .bin beside it); "{}" is none
    const deadCheckpoints = path.join(runs, "2026-01-03-000000-dead", "checkpoints");
    fs.writeFileSync(
      path.join(deadCheckpoints, "e0001-s000002.json"),
      JSON.stringify({ format: "cnn-studio-checkpoint", bin: "e0001-s000002.bin", position: { epoch: 1, globalStep: 2 }, tensors: [] }),
    );
    fs.writeFileSync(path.join(deadCheckpoints, "e0001-s000002.bin"), "");
    fs.writeFileSync(path.join(live, "checkpoints", "e0001-s000001.json"), "{}");
    fs.mkdirSync(path.join(runs, "not-a-run"));
    const store = new RunStore();
    const list = await store.list(runs);
    assert.deepEqual(
      list.map((r) => `${r.name}:${r.state}`),
      [
        "2026-01-03-000000-dead:interrupted",
        "2026-01-02-030405-lenet5Mnist:running",
        "2026-01-01-000000-ourCnn:completed",
        "2025-12-02-000000-torchNew:running",
        "2025-12-01-000000-torchLogged:completed",
      ],
    );
    assert.equal((await new RunStore().read(torchLogged))!.backend, "torch");
    assert.equal((await new RunStore().read(torchNew))!.backend, "torch");
    const running = list[1]!;
    assert.equal(running.model, "lenet5Mnist");
    assert.equal(running.epoch, 3, "the epoch in progress");
    assert.equal(running.epochs, 4);
    assert.equal(running.bestValAccuracy, 0.95);
    assert.equal(running.backend, "wasm");
    assert.equal(running.imagesPerSecond, 900);
    assert.equal(list[2]!.bestValAccuracy, 0.7);
    assert.equal(list[0]!.hasCheckpoint, true);
    assert.equal(running.hasCheckpoint, false, "an index that is not a checkpoint is not one");
    // Appended records, including a torn last line completed later, are picked up.
    fs.appendFileSync(path.join(live, "metrics.jsonl"), JSON.stringify(epoch(3, 0.97)).slice(0, 20));
    assert.equal((await store.read(live))!.bestValAccuracy, 0.95);
    fs.appendFileSync(path.join(live, "metrics.jsonl"), JSON.stringify(epoch(3, 0.97)).slice(20) + "\n");
    const after = (await store.read(live))!;
    assert.equal(after.bestValAccuracy, 0.97);
    assert.equal(after.epoch, 3);
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});

test("runs: a metrics.jsonl many times the read chunk is read in pieces, records across pieces intact", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-runs-"));
  try {
    fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify({ state: "completed", pid: 1, epoch: 40, step: 0, globalStep: 400 }));
    const lines: string[] = [];
    for (let e = 1; e <= 40; e++) {
      for (let s = 1; s <= 10; s++)
        lines.push(JSON.stringify({ type: "step", epoch: e, step: s, globalStep: (e - 1) * 10 + s, loss: 1 / e, imagesPerSecond: 500 + e, note: "µ€" }));
      lines.push(JSON.stringify({ type: "epoch", epoch: e, valAccuracy: e === 17 ? 0.99 : e / 100 }));
    }
    fs.writeFileSync(path.join(dir, "metrics.jsonl"), lines.join("\n") + "\n");
    const chunk = 37;
    assert.ok(fs.statSync(path.join(dir, "metrics.jsonl")).size > 500 * chunk);
    const run = (await new RunStore(chunk).read(dir))!;
    assert.deepEqual([run.bestValAccuracy, run.lastValAccuracy, run.epoch, run.step, run.stepsPerEpoch, run.imagesPerSecond], [0.99, 0.4, 40, 10, 10, 540]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("runs: one bad run folder does not empty the Runs view; a run that cannot be read is listed with its error", async () => {
  const { RunsTreeProvider } = require("../../src/extension/runs/runsView") as typeof import("../../src/extension/runs/runsView");
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-runs-"));
  try {
    const mk = (name: string, config: unknown): string => {
      const dir = path.join(runs, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
      fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify({ state: "completed", pid: 1, epoch: 2, step: 0, globalStep: 8 }));
      return dir;
    };
    mk("2026-01-01-000000-good", trainConfig({ file: LENET, model: "good", dataset: { kind: "mnist-sample" }, runsDir: runs }));
    mk("2026-01-02-000000-noDir", { model: "noDir", dataset: { kind: "idx" }, backend: { not: "a name" } });
    mk("2026-01-03-000000-odd", { model: 7, dataset: "cifar", epochs: "ten" });
    const broken = mk("2026-01-04-000000-broken", { model: "broken" });
    const store = new RunStore();
    const list = await store.list(runs);
    assert.deepEqual(
      list.map((r) => [r.name, r.model, r.dataset, r.backend, r.error]),
      [
        ["2026-01-04-000000-broken", "broken", null, null, null],
        ["2026-01-03-000000-odd", "odd", null, null, null],
        ["2026-01-02-000000-noDir", "noDir", "idx (config.json names no folder)", null, null],
        ["2026-01-01-000000-good", "good", "MNIST sample", null, null],
      ],
    );
    // whatever fails while reading one run, the others are listed and it is shown with the reason
    const proto = RunStore.prototype as unknown as { readRun: (dir: string) => Promise<unknown> };
    const readRun = proto.readRun;
    proto.readRun = async function (this: unknown, dir: string) {
      if (dir === broken) throw new Error("EIO: i/o error, read");
      return readRun.call(this, dir);
    };
    const training = { onDidChange: () => ({ dispose() {} }), onTrainingEvent: () => ({ dispose() {} }), isActiveRun: () => false, active: undefined };
    const view = new RunsTreeProvider(() => ({ fsPath: runs }) as never, training as never);
    try {
      const nodes = (await view.getChildren()).filter((n) => n.kind === "run");
      assert.equal(nodes.length, 4);
      const bad = nodes.find((n) => n.run.dir === broken)!;
      assert.equal(bad.run.error, "cannot read this run: EIO: i/o error, read");
      const item = view.getTreeItem(bad) as unknown as { description: string; tooltip: { value: string }; contextValue: string };
      assert.match(item.description, /^unreadable · 2026-01-04-000000/);
      assert.match(item.tooltip.value, /cannot read this run: EIO: i\/o error, read/);
      assert.equal(item.contextValue, "run.unreadable");
      assert.match((view.getTreeItem(nodes[3]!) as unknown as { description: string }).description, /^completed · epoch 2\/\d+/);
    } finally {
      proto.readRun = readRun;
      view.dispose();
    }
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});

test("status bar text of a training run", () => {
  const config = trainConfig({ file: LENET, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: "/r" });
  const run = { config, runDir: "/r/x", started: null, progress: null, lastEpoch: null, stopping: false };
  assert.equal(statusText(run), "$(sync~spin) lenet5Mnist · preparing…");
  const progress = PROGRESS;
  assert.equal(statusText({ ...run, progress }), "$(sync~spin) lenet5Mnist · epoch 2/5 · train (batch) 91.2% · 1,234 img/s");
  // issue 19.5: once an epoch has finished, the validation accuracy, said so, in the text and the tooltip
  const lastEpoch = {
    type: "epochEnd" as const,
    epoch: 1,
    epochs: 5,
    trainLoss: 0.4,
    trainAccuracy: 0.938,
    valLoss: 0.2,
    valAccuracy: 0.9641,
    trainTop5: null,
    valTop5: null,
    lr: 0.001,
    seconds: 10,
  };
  assert.equal(statusText({ ...run, progress, lastEpoch }), "$(sync~spin) lenet5Mnist · epoch 2/5 · val 96.4% · 1,234 img/s");
  assert.match(accuracyLabel({ progress, lastEpoch })!.tooltip, /^val 96\.41%: validation accuracy after epoch 1\/5/);
  assert.match(accuracyLabel({ progress, lastEpoch: null })!.tooltip, /^train \(batch\) 91\.20%: the last training mini-batch's accuracy/);
});

test("typings: tsconfig.json is created, or patched when it is plain JSON", () => {
  const created = JSON.parse(newTsconfig(TYPINGS_REL)) as { compilerOptions: { paths: Record<string, string[]> } };
  assert.deepEqual(created.compilerOptions.paths["cnn-studio"], ["./typings/cnn-studio.d.ts"]);
  const patched = patchTsconfig(`{ "compilerOptions": { "strict": true, "baseUrl": "src" } }`, TYPINGS_REL);
  assert.equal(patched.kind, "patched");
  if (patched.kind === "patched")
    assert.deepEqual((JSON.parse(patched.text) as { compilerOptions: { paths: unknown } }).compilerOptions.paths, {
      "cnn-studio": ["../typings/cnn-studio.d.ts"],
    });
  assert.equal(patchTsconfig(`{ "compilerOptions": { "paths": { "cnn-studio": ["x.d.ts"] } } }`, TYPINGS_REL).kind, "unchanged");
  assert.equal(patchTsconfig(`{ // comment\n "compilerOptions": {} }`, TYPINGS_REL).kind, "manual");
});

test("typings: a folder with the written typings and tsconfig type-checks with plain tsc", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-typings-"));
  try {
    for (const rel of typingsFiles(path.join(ROOT, "types"))) {
      fs.mkdirSync(path.dirname(path.join(dir, "typings", rel)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, "types", rel), path.join(dir, "typings", rel));
    }
    fs.writeFileSync(path.join(dir, "tsconfig.json"), newTsconfig(TYPINGS_REL));
    fs.copyFileSync(LENET, path.join(dir, "lenet5.ts"));
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(dir, "tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    assert.ok(parsed);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepEqual(diags, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("summary: the command line's table of the model, and the file's errors", () => {
  const text = summaryText(lenet, "lenet5");
  assert.match(text, /^CNN Studio — summary of lenet5 \(lenet5\.ts\)/);
  assert.match(text, /Total params: 61,706/);
  assert.match(summaryText(lenet, "nope"), /No model named nope in this file \(it has lenet5, lenet5Mnist\)/);
});

test("the model under the cursor: its declaration, its layers, or the next model below", () => {
  assert.equal(modelAt(lenet, 4, 15)?.name, "lenet5", "on the name");
  assert.equal(modelAt(lenet, 8, 4)?.name, "lenet5", "on one of its layers");
  assert.equal(modelAt(lenet, 8, 200)?.name, "lenet5", "after the end of one of its layers' lines");
  assert.equal(modelAt(lenet, 26, 8)?.name, "lenet5Mnist", "in the class whose instance it is");
  assert.equal(modelAt(lenet, 0, 0)?.name, "lenet5", "above every model");
});

test("templates: every template exists; the exercise has exactly its one error, the others none", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-templates-"));
  try {
    for (const t of TEMPLATES) {
      const file = path.join(dir, t.fileName);
      fs.writeFileSync(file, templateText(t, ROOT));
      const a = new Analyzer().analyzeFile(file);
      const errors = a.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
      assert.ok(a.models.length > 0, `${t.id} has models`);
      if (t.id === "exercise") assert.deepEqual(errors, ["Linear expects 400 input features but receives 256 (from [N, 16, 4, 4] flattened)"]);
      else assert.deepEqual(errors, [], t.id);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("training: refused in untrusted workspaces; a clear error where the trainer program is missing", () => {
  const workspace = fake.api["workspace"] as { isTrusted: boolean };
  const noTrainer = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-ext-"));
  const context = { ...fake.context, extensionPath: noTrainer, asAbsolutePath: (p: string) => path.join(noTrainer, p) };
  const output = { appendLine: () => undefined, show: () => undefined } as unknown as import("vscode").OutputChannel;
  const controller = new TrainingController(context as unknown as import("vscode").ExtensionContext, output, () => path.join(noTrainer, "backends"));
  const config = trainConfig({ file: LENET, model: "lenet5Mnist", dataset: { kind: "mnist-sample" }, runsDir: path.join(noTrainer, "runs") });
  try {
    workspace.isTrusted = false;
    const refused = controller.start(config);
    assert.equal(refused.kind, "untrusted");
    if (refused.kind === "untrusted") assert.match(refused.message, /disabled in Restricted Mode.*Trust this workspace/);
    workspace.isTrusted = true;
    const missing = controller.start(config);
    assert.equal(missing.kind, "unavailable");
    if (missing.kind === "unavailable")
      assert.match(missing.message, /cannot train: its trainer program .*dist[/\\]trainer\.js is missing from this installation/);
    assert.equal(controller.resume(path.join(noTrainer, "runs", "none")).kind, "invalid", "resuming a run that does not exist");
    // A crafted config.json is not read whole: over the JSON limit it is refused before reading.
    const huge = path.join(noTrainer, "runs", "huge");
    fs.mkdirSync(huge, { recursive: true });
    fs.writeFileSync(path.join(huge, "config.json"), " ".repeat(17 * 2 ** 20) + "{}");
    const refusedHuge = controller.resume(huge);
    assert.equal(refusedHuge.kind, "invalid");
    if (refusedHuge.kind === "invalid")
      assert.match(refusedHuge.message, /^Cannot resume huge: its config\.json is missing, unreadable, over 16 MB or not a JSON object\.$/);
    assert.equal(controller.start({ ...config, epochs: 0 }).kind, "invalid");
  } finally {
    workspace.isTrusted = true;
    controller.dispose();
    fs.rmSync(noTrainer, { recursive: true, force: true });
  }
});

test("Models view and summary: a model whose forward pass stopped at an error is marked incomplete", () => {
  const r = analyse(path.join(ROOT, "test", "fixtures", "diagnostics", "endless-forward-loop.ts"));
  const [m] = r.models;
  assert.ok(m);
  assert.match(modelDescription(m), /^incomplete · \? · 584 params · at least [\d.]+G MACs$/);
  assert.match(summaryText(r, "net"), /INCOMPLETE: analysis stopped at an error/);
  assert.doesNotMatch(modelDescription(lenet.models[0]!), /incomplete/);
});

test("Models view: with the Train view's freeze, the trainable count takes the parameter count's place; without it, unchanged", () => {
  const m = lenet.models[0]!;
  const plain = modelDescription(m);
  assert.match(plain, / · 61,706 params · /);
  assert.equal(modelDescription(m, undefined), plain);
  assert.equal(modelDescription(m, "5,130 trainable of 61.71K parameters"), plain.replace("61,706 params", "5,130 trainable of 61.71K parameters"));
});

test("the Models view says it is scanning, with its progress, instead of 'no model files' (19.10)", () => {
  assert.equal(scanMessage(undefined), undefined);
  assert.equal(scanMessage({ found: 0, analysed: 0 }), "Scanning the workspace for model files…");
  assert.equal(scanMessage({ found: 12, analysed: 3 }), "Scanning… 3 of 12 model files analysed");
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../package.json"), "utf8")) as {
    contributes: { viewsWelcome: { view: string; contents: string; when: string }[] };
  };
  const models = manifest.contributes.viewsWelcome.filter((w) => w.view === "cnnStudio.models" && w.when.startsWith("workspaceFolderCount > 0"));
  assert.deepEqual(
    models.map((w) => [w.contents.split("\n")[0]!.slice(0, 30), w.when]),
    [
      ["No model files in this workspa", "workspaceFolderCount > 0 && cnnStudio.scanned"],
      ["Scanning the workspace for mod", "workspaceFolderCount > 0 && !cnnStudio.scanned"],
    ],
  );
});

test("the walkthrough ticks the step the user did (19.4)", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../package.json"), "utf8")) as {
    contributes: { walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[] };
  };
  const events = Object.fromEntries(manifest.contributes.walkthroughs[0]!.steps.map((s) => [s.id, s.completionEvents]));
  assert.deepEqual(events["createModel"], ["onCommand:cnnStudio.newModel"]);
  assert.deepEqual(events["fixError"], ["onContext:cnnStudio.errorFixed"], "a template click does not tick 'Fix an error'");
  assert.deepEqual(events["train"], ["onCommand:cnnStudio.train", "onContext:cnnStudio.training"], "Start in the Train view ticks 'Train'");
  assert.deepEqual(events["watchShapes"], ["onCommand:cnnStudio.showSummary"]);
});
