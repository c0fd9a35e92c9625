import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { AnalysisResult } from "../../src/shared/lsp";
import { validateCurvesToWebview } from "../../src/shared/webview/curves";
import { validateFeatureMapsToWebview } from "../../src/shared/webview/featureMaps";
import { validateFiltersToWebview } from "../../src/shared/webview/filters";
import { validateGraphToWebview } from "../../src/shared/webview/graph";
import { validateReceptiveFieldToWebview } from "../../src/shared/webview/receptiveField";
import { listCheckpoints, readCheckpointTensor } from "../../src/extension/panels/runMetrics";
import { writeCheckpoint } from "../../src/trainer/checkpoint";
import { RunFiles } from "../../src/trainer/runFiles";
import { CSP_SOURCE, createFake, fakeContext, install, makePanel, type FakePanel } from "../helpers/fakeVscode";
import { ROOT } from "./harness";

/**
 * The host side of the panels (src/extension/panels) against a fake `vscode`: the webview options
 * and CSP, `ready` → snapshot, messages checked both ways, run folders and checkpoints written by
 * the trainer's own code, the trainer services present or absent, opening sources.
 */

const fake = createFake();
install(fake);
// Loaded after the fake is installed (they require "vscode").
const panels = require("../../src/extension/panels/index") as typeof import("../../src/extension/panels/index");
type Services = import("../../src/extension/panels/services").PanelServices;

const EXT = path.join(os.tmpdir(), "cnn-studio-ext");
const context = fakeContext(EXT) as unknown as Parameters<typeof panels.openCurvesPanel>[0];
const MNIST = path.join(ROOT, "examples", "mnist-cnn.ts");
const RESNET = path.join(ROOT, "examples", "resnet.ts");
const uriOf = (f: string) => `file://${f}`;

let runsDir = "";
let runDir = "";
let checkpoint = "";

function analysisOf(uri: string): AnalysisResult {
  const file = uri.replace(/^file:\/\//, "");
  const r = new Analyzer().analyzeFile(file);
  return {
    uri,
    file,
    version: null,
    isModelFile: true,
    models: r.models.map((m) => ({ ...m, edges: [] })),
    diagnostics: r.diagnostics,
    dependencies: r.dependencies,
  };
}

function services(extra: Partial<Services> = {}): Services {
  return {
    analysis: async (uri) => analysisOf(uri),
    onDidAnalyze: () => ({ dispose() {} }),
    runsDir: () => runsDir,
    ...extra,
  };
}

function lastPanel(): FakePanel {
  return fake.panels[fake.panels.length - 1]!;
}

function messages(p: FakePanel, type: string): Record<string, unknown>[] {
  return (p.posted as Record<string, unknown>[]).filter((m) => m["type"] === type);
}

before(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-runs-"));
  runDir = path.join(runsDir, "2026-11-23-101500-ourCnn");
  fs.mkdirSync(path.join(runDir, "checkpoints"), { recursive: true });
  const run = new RunFiles(runDir);
  run.writeConfig({ file: MNIST, model: "ourCnn", dataset: { kind: "mnist-sample" }, epochs: 2, batchSize: 64, optimizer: { name: "adam", lr: 0.001 } });
  for (let g = 1; g <= 10; g++) {
    run.appendMetrics({
      type: "step",
      epoch: g <= 5 ? 1 : 2,
      step: ((g - 1) % 5) + 1,
      globalStep: g,
      loss: g === 3 ? NaN : 2 / g,
      accuracy: g / 10,
      lr: 0.001,
      imagesPerSecond: 1000 + g,
      time: new Date().toISOString(),
    });
    if (g === 5)
      run.appendMetrics({
        type: "epoch",
        epoch: 1,
        epochs: 2,
        trainLoss: 0.9,
        trainAccuracy: 0.5,
        valLoss: 1,
        valAccuracy: 0.45,
        trainTop5: null,
        valTop5: null,
        lr: 0.001,
        seconds: 3,
        time: new Date().toISOString(),
      });
  }
  run.status({ state: "running", epoch: 2, step: 5, globalStep: 10, message: null });
  const weight = Float32Array.from({ length: 16 * 1 * 3 * 3 }, (_, i) => (i - 72) / 100);
  checkpoint = writeCheckpoint(
    path.join(runDir, "checkpoints"),
    {
      model: "ourCnn",
      reason: "epoch",
      position: { epoch: 1, step: 5, globalStep: 5, lossSum: 0, correct: 0, correctTop5: 0, seen: 0, metricsLines: 6, seconds: 1 },
      optimizer: { name: "adam", scalars: {} },
      rng: { seed: 0, scheme: "counter" },
    },
    [
      { name: "conv1.weight", kind: "parameter", shape: [16, 1, 3, 3], data: weight },
      { name: "conv1.bias", kind: "parameter", shape: [16], data: new Float32Array(16) },
    ],
  );
});

after(() => {
  for (const p of fake.panels) p.dispose();
  fs.rmSync(runsDir, { recursive: true, force: true });
});

describe("panel hosts (fake vscode)", () => {
  it("curves: strict CSP, local roots only, ready → snapshot from metrics.jsonl, live appends, CSV export", async () => {
    panels.openCurvesPanel(context, services(), []);
    const p = lastPanel();
    assert.equal(p.viewType, "cnnStudio.curves");
    assert.equal(p.webview.options.enableScripts, true);
    assert.deepEqual(
      p.webview.options.localResourceRoots!.map((u) => u.fsPath),
      [path.join(EXT, "dist", "webview"), path.join(EXT, "media")],
    );
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(p.webview.html)?.[1] ?? "";
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp.replace(/&#39;/g, "'"))?.[1];
    assert.ok(nonce && nonce.length >= 32, `a nonce in: ${csp}`);
    assert.match(
      csp.replace(/&#39;/g, "'"),
      new RegExp(`^default-src 'none'; script-src 'nonce-${nonce}'; style-src ${CSP_SOURCE.replace(/[*.+]/g, "\\$&")} 'nonce-`),
    );
    assert.match(
      p.webview.html,
      new RegExp(`<script nonce="${nonce}" src="https://file%2B.vscode-resource.vscode-cdn.net${path.join(EXT, "dist", "webview", "curves.js")}"></script>`),
    );
    assert.doesNotMatch(p.webview.html, /(src|href)="(?!https:\/\/file%2B\.vscode-resource\.vscode-cdn\.net\/)/, "no remote resources");

    assert.equal(p.posted.length, 0, "nothing before ready");
    await p.receive({ type: "ready" });
    const snap = messages(p, "snapshot")[0]!;
    const checked = validateCurvesToWebview(snap);
    assert.ok(checked.ok, checked.ok ? "" : checked.error);
    assert.ok(checked.value.type === "snapshot");
    const run = checked.value.runs[0]!;
    assert.equal(run.info.id, runDir);
    assert.equal(run.info.status, "running");
    assert.equal(run.info.model, "ourCnn");
    assert.equal(run.info.stepsPerEpoch, 5);
    assert.deepEqual([...run.steps.globalStep], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(Number.isNaN(run.steps.loss[2]!), "a NaN loss (null in JSON) stays NaN");
    assert.deepEqual([...run.epochs.globalStep], [5], "the epoch sits at its last step");

    // the trainer appends; the panel polls metrics.jsonl (every second)
    new RunFiles(runDir).appendMetrics({
      type: "step",
      epoch: 2,
      step: 1,
      globalStep: 11,
      loss: 0.1,
      accuracy: 0.9,
      lr: 0.001,
      imagesPerSecond: 999,
      time: "",
    });
    const deadline = Date.now() + 4000;
    while (messages(p, "append").length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const append = messages(p, "append")[0];
    assert.ok(append, "an append message after the file grew");
    assert.deepEqual([...(append["steps"] as { globalStep: Float64Array }).globalStep], [11]);

    // export
    const target = path.join(runsDir, "out.csv");
    fake.answers.save = { fsPath: target } as never;
    await p.receive({ type: "exportCsv", suggestedName: "x.csv", text: "run,kind\n" });
    assert.equal(fs.readFileSync(target, "utf8"), "run,kind\n");
    assert.deepEqual(messages(p, "exported")[0], { type: "exported", format: "csv", path: target, error: null });

    // an invalid message is ignored and logged
    await p.receive({ type: "exportPng", suggestedName: 3 });
    assert.ok(
      fake.logs.some((l) => /ignored a message from the webview: .*exportPng.*suggestedName must be a string/.test(l)),
      fake.logs.join("\n"),
    );

    // opening again reveals the same panel and adds runs
    const before = fake.panels.length;
    panels.openCurvesPanel(context, services(), [runDir]);
    assert.equal(fake.panels.length, before);
    assert.equal(p.revealed, 1);
    p.dispose();
  });

  it("feature maps: lists every layer (spatial ones and, issue 19, Linear and the logits) and checkpoints; computes through the trainer service, or says it cannot", async () => {
    const calls: unknown[] = [];
    const withTrainer = services({
      tensors: {
        featureMaps: async (q) => {
          calls.push(q);
          return {
            input: { shape: [1, 28, 28], data: new Float32Array(784) },
            label: 7,
            maps: q.nodeIds.map((nodeId) => ({ nodeId, tensor: { shape: [16, 28, 28], data: new Float32Array(16 * 784) } })),
          };
        },
      },
    });
    panels.openFeatureMapsPanel(context, withTrainer, { uri: uriOf(MNIST), model: "ourCnn" });
    const p = lastPanel();
    assert.equal(p.title, "Feature Maps: ourCnn");
    await p.receive({ type: "ready" });
    const snap = validateFeatureMapsToWebview(messages(p, "snapshot")[0]);
    assert.ok(snap.ok && snap.value.type === "snapshot", snap.ok ? "" : snap.error);
    assert.deepEqual(snap.value.inputShape, [1, 28, 28]);
    assert.deepEqual(
      snap.value.layers.map((l) => l.label),
      ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2"],
    );
    assert.deepEqual(
      snap.value.checkpoints.map((c) => [c.id, c.epoch, c.globalStep]),
      [[checkpoint, 1, 5]],
    );
    assert.equal(snap.value.compute.available, true);
    await p.receive({ type: "compute", requestId: 4, checkpoint, input: { kind: "sample", split: "validation", index: 2 }, nodeIds: [1] });
    assert.equal(calls.length, 1);
    assert.deepEqual((calls[0] as { model: unknown }).model, { uri: uriOf(MNIST), file: MNIST, model: "ourCnn" });
    const fm = messages(p, "featureMaps")[0]!;
    assert.equal(fm["requestId"], 4);
    assert.ok(validateFeatureMapsToWebview(fm).ok);
    p.dispose();

    panels.openFeatureMapsPanel(context, services(), { uri: uriOf(MNIST), model: "ourCnn" });
    const q = lastPanel();
    await q.receive({ type: "ready" });
    const s2 = messages(q, "snapshot")[0] as { compute: { available: boolean; reason: string } };
    assert.equal(s2.compute.available, false);
    assert.match(s2.compute.reason, /trainer/);
    await q.receive({ type: "compute", requestId: 1, checkpoint: null, input: { kind: "sample", split: "train", index: 0 }, nodeIds: [1] });
    assert.match(String(messages(q, "requestFailed")[0]?.["message"]), /trainer/);
    q.dispose();
  });

  it("filters: kernels of a checkpoint are read from its files; the untrained model needs the trainer", async () => {
    panels.openFiltersPanel(context, services(), { uri: uriOf(MNIST), model: "ourCnn" });
    const p = lastPanel();
    await p.receive({ type: "ready" });
    const snap = validateFiltersToWebview(messages(p, "snapshot")[0]);
    assert.ok(snap.ok && snap.value.type === "snapshot");
    assert.deepEqual(
      snap.value.layers.map((l) => [l.label, l.weightShape, l.firstLayer]),
      [
        ["conv1", [16, 1, 3, 3], true],
        ["conv2", [32, 16, 3, 3], false],
      ],
    );
    assert.equal(snap.value.weights.available, true);
    await p.receive({ type: "requestWeights", requestId: 1, checkpoint, nodeId: snap.value.layers[0]!.nodeId });
    const w = messages(p, "weights")[0] as { weight: { shape: number[]; data: Float32Array } };
    assert.deepEqual(w.weight.shape, [16, 1, 3, 3]);
    assert.ok(Math.abs(w.weight.data[0]! - -0.72) < 1e-6 && Math.abs(w.weight.data[143]! - 0.71) < 1e-6);
    await p.receive({ type: "requestWeights", requestId: 2, checkpoint, nodeId: snap.value.layers[1]!.nodeId });
    assert.match(String(messages(p, "requestFailed")[0]?.["message"]), /no tensor "conv2.weight"/);
    await p.receive({ type: "requestWeights", requestId: 3, checkpoint: null, nodeId: snap.value.layers[0]!.nodeId });
    assert.match(String(messages(p, "requestFailed")[1]?.["message"]), /untrained model's weights need the trainer/);
    p.dispose();
  });

  it("panels read only the checkpoints and runs the host listed, inside their run folder, sizes checked first", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-outside-"));
    const secret = path.join(outside, "secret.bin");
    fs.writeFileSync(secret, Buffer.from(Float32Array.from({ length: 144 }, (_, i) => i + 0.5).buffer));
    const index = (bin: string, tensors: object[]) =>
      JSON.stringify({ format: "cnn-studio-checkpoint", version: 1, model: "ourCnn", bin, position: { epoch: 9, globalStep: 90 }, tensors });
    const conv1 = { name: "conv1.weight", shape: [16, 1, 3, 3], offset: 0, length: 144 };
    // an index outside every run folder, naming the secret by its absolute path
    const stray = path.join(outside, "e0001-s000001.json");
    fs.writeFileSync(stray, index(secret, [conv1]));
    // a crafted run: one index names the secret by a relative path, one by a link to it, one places a tensor past the end
    const crafted = path.join(runsDir, "2026-11-24-000000-ourCnn");
    const cdir = path.join(crafted, "checkpoints");
    fs.mkdirSync(cdir, { recursive: true });
    fs.writeFileSync(path.join(crafted, "config.json"), JSON.stringify({ file: MNIST, model: "ourCnn" }));
    fs.writeFileSync(path.join(cdir, "e0009-s000001.json"), index("../../../" + path.relative(path.dirname(runsDir), secret), [conv1]));
    fs.symlinkSync(secret, path.join(cdir, "link.bin"));
    fs.writeFileSync(path.join(cdir, "e0009-s000002.json"), index("link.bin", [conv1]));
    fs.writeFileSync(path.join(cdir, "e0009-s000003.bin"), Buffer.alloc(16));
    const huge = path.join(cdir, "e0009-s000003.json");
    fs.writeFileSync(
      huge,
      index("e0009-s000003.bin", [
        { name: "conv1.weight", shape: [25_000_000], offset: 0, length: 25_000_000 },
        { ...conv1, name: "conv2.weight", offset: 1e9 },
      ]),
    );
    try {
      const listed = await listCheckpoints(runsDir, MNIST, "ourCnn");
      assert.deepEqual(
        listed.map((c) => c.id),
        [huge, checkpoint],
        "no index whose data lies outside its run folder",
      );
      await assert.rejects(readCheckpointTensor(listed[0]!, "conv1.weight"), /lies beyond the end of e0009-s000003\.bin \(16 bytes\)/);
      await assert.rejects(readCheckpointTensor(listed[0]!, "conv2.weight"), /lies beyond the end/);

      const calls: unknown[] = [];
      const tensors = { featureMaps: async () => (calls.push(1), { input: { shape: [1, 28, 28], data: new Float32Array(784) }, label: null, maps: [] }) };
      panels.openFiltersPanel(context, services({ tensors }), { uri: uriOf(MNIST), model: "ourCnn" });
      const p = lastPanel();
      await p.receive({ type: "ready" });
      const snap = validateFiltersToWebview(messages(p, "snapshot")[0]);
      assert.ok(snap.ok && snap.value.type === "snapshot");
      const nodeId = snap.value.layers[0]!.nodeId;
      for (const [requestId, named] of [
        [1, stray],
        [2, path.join(cdir, "e0009-s000001.json")],
        [3, path.join(cdir, "e0009-s000002.json")],
      ] as const) {
        await p.receive({ type: "requestWeights", requestId, checkpoint: named, nodeId });
      }
      assert.equal(messages(p, "weights").length, 0, "no weights from an unlisted checkpoint");
      assert.deepEqual(
        messages(p, "requestFailed").map((m) => m["requestId"]),
        [1, 2, 3],
      );
      assert.match(String(messages(p, "requestFailed")[0]?.["message"]), /is not one of the checkpoints listed for ourCnn/);
      await p.receive({ type: "requestWeights", requestId: 4, checkpoint: huge, nodeId });
      assert.match(String(messages(p, "requestFailed")[3]?.["message"]), /lies beyond the end/);
      p.dispose();

      panels.openFeatureMapsPanel(context, services({ tensors }), { uri: uriOf(MNIST), model: "ourCnn" });
      const f = lastPanel();
      await f.receive({ type: "ready" });
      await f.receive({ type: "compute", requestId: 5, checkpoint: stray, input: { kind: "sample", split: "validation", index: 0 }, nodeIds: [1] });
      assert.equal(calls.length, 0, "the trainer is not asked to read an unlisted checkpoint");
      assert.match(String(messages(f, "requestFailed")[0]?.["message"]), /not one of the checkpoints listed/);
      f.dispose();

      // a restored curves panel reads again only run folders of the runs folder (the saved state is the webview's)
      const foreign = path.join(outside, "2026-01-01-000000-ourCnn");
      fs.mkdirSync(foreign);
      fs.writeFileSync(path.join(foreign, "config.json"), JSON.stringify({ model: "stolen" }));
      fs.writeFileSync(path.join(foreign, "metrics.jsonl"), "");
      const restored = makePanel("cnnStudio.curves", "old", {});
      panels.restorePanel("curves", context, services(), restored as never, { restore: { model: null, runs: [foreign, runDir] } });
      await restored.receive({ type: "ready" });
      const runs = (messages(restored, "snapshot")[0] as { runs: { info: { id: string } }[] }).runs.map((r) => r.info.id);
      assert.deepEqual(runs, [runDir]);
      restored.dispose();
    } finally {
      fs.rmSync(crafted, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("receptive field: theoretical data from the analysis; gradients only through the trainer", async () => {
    panels.openReceptiveFieldPanel(context, services(), { uri: uriOf(RESNET), model: "resnet18" });
    const p = lastPanel();
    await p.receive({ type: "ready" });
    const snap = validateReceptiveFieldToWebview(messages(p, "snapshot")[0]);
    assert.ok(snap.ok && snap.value.type === "snapshot");
    assert.equal(snap.value.gradients.available, false);
    assert.ok(snap.value.layers.every((l) => l.receptiveField !== null));
    await p.receive({
      type: "requestInputGradient",
      requestId: 9,
      checkpoint: null,
      input: { kind: "sample", split: "validation", index: 0 },
      nodeId: 5,
      unit: { channel: null, y: 3, x: 3 },
    });
    assert.match(String(messages(p, "requestFailed")[0]?.["message"]), /input gradients/);
    p.dispose();
  });

  it("graph: the analysis as a graph view, sources opened in the editor, switching models", async () => {
    panels.openGraphPanel(context, services(), { uri: uriOf(RESNET), model: "resnet18" });
    const p = lastPanel();
    await p.receive({ type: "ready" });
    const snap = validateGraphToWebview(messages(p, "snapshot")[0]);
    assert.ok(snap.ok, snap.ok ? "" : snap.error);
    assert.deepEqual(snap.value.models, ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wideResnet50_2"]);
    assert.equal(snap.value.graph?.nodes.length, 71);
    const loc = snap.value.graph!.nodes[1]!.location!;
    await p.receive({ type: "openSource", location: loc });
    assert.deepEqual(fake.shown[0]?.file, RESNET);
    await p.receive({ type: "selectModel", model: "resnet50" });
    const again = validateGraphToWebview(messages(p, "snapshot")[1]);
    assert.ok(again.ok && again.value.model.model === "resnet50");
    assert.equal(p.title, "Graph: resnet50");
    p.dispose();
  });

  it("restores every panel kind from its saved webview state", async () => {
    panels.registerPanelSerializers(context as never, services());
    assert.deepEqual([...fake.serializers.keys()].sort(), [
      "cnnStudio.curves",
      "cnnStudio.evaluation",
      "cnnStudio.featureMaps",
      "cnnStudio.filters",
      "cnnStudio.graph",
      "cnnStudio.receptiveField",
    ]);
    const restored = makePanel("cnnStudio.graph", "old", {});
    await fake.serializers
      .get("cnnStudio.graph")!
      .deserializeWebviewPanel(restored, { restore: { model: { uri: uriOf(RESNET), file: RESNET, model: "resnet34" }, runs: null }, collapsed: {} });
    assert.match(restored.webview.html, /Content-Security-Policy/);
    await restored.receive({ type: "ready" });
    assert.equal((messages(restored, "snapshot")[0] as { model: { model: string } }).model.model, "resnet34");
    const junk = makePanel("cnnStudio.featureMaps", "old", {});
    let disposed = false;
    junk.onDidDispose(() => (disposed = true));
    await fake.serializers.get("cnnStudio.featureMaps")!.deserializeWebviewPanel(junk, { something: "else" });
    assert.ok(disposed, "a panel without restore information is closed");
    restored.dispose();
  });
});
