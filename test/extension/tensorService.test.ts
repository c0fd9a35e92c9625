import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { Analyzer } from "../../src/analyzer/index";
import type { AnalysisResult } from "../../src/shared/lsp";
import type { InspectQuery, InspectResult } from "../../src/shared/training";
import type { CheckpointInfo, InputSpec, ModelRef } from "../../src/shared/webview/common";
import { validateFeatureMapsToWebview } from "../../src/shared/webview/featureMaps";
import { validateFiltersToWebview } from "../../src/shared/webview/filters";
import { validateReceptiveFieldToWebview } from "../../src/shared/webview/receptiveField";
import { TrainerClient, type TrainerExit } from "../../src/trainer/trainerClient";
import { TrainerTensorService, UNTRUSTED_TENSORS, type InspectorProcess } from "../../src/extension/tensorService";
import { EXAMPLES, TRAINER } from "../trainer/helpers/env";
import { createFake, fakeContext, install, type FakePanel } from "../helpers/fakeVscode";

/**
 * The panels' TensorService (src/extension/tensorService.ts): adapting panel queries to `inspect`
 * requests, trust, time limits, idle shutdown, a dying inspector process; then with the real
 * trainer process, and behind the feature-map and receptive-field panels (fake vscode).
 */

const FILE = path.join(EXAMPLES, "lenet5.ts");
const REF: ModelRef = { uri: `file://${FILE}`, file: FILE, model: "lenet5Mnist" };
const SAMPLE: InputSpec = { kind: "sample", split: "validation", index: 0 };
const tensor = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

/** A scripted inspector process. */
class FakeProcess implements InspectorProcess {
  exitStatus: TrainerExit | null = null;
  readonly queries: InspectQuery[] = [];
  killed = 0;
  shutdowns = 0;
  private resolveExit!: (e: TrainerExit) => void;
  readonly exited = new Promise<TrainerExit>((r) => (this.resolveExit = r));
  private readonly pending: ((e: Error) => void)[] = [];
  constructor(private readonly answer: (q: InspectQuery) => InspectResult | "hang") {}
  inspect<Q extends InspectQuery>(q: Q): Promise<never> {
    this.queries.push(q);
    const a = this.answer(q);
    return new Promise((resolve, reject) => {
      if (a === "hang") this.pending.push(reject);
      else resolve(a as never);
    });
  }
  outputTail(): string[] {
    return ["Error: out of memory"];
  }
  die(exit: TrainerExit): void {
    this.exitStatus = exit;
    for (const r of this.pending) r(new Error("the trainer exited before answering inspect"));
    this.resolveExit(exit);
  }
  kill(): void {
    this.killed++;
    this.die({ code: null, signal: "SIGKILL" });
  }
  async shutdown(): Promise<TrainerExit> {
    this.shutdowns++;
    this.die({ code: 0, signal: null });
    return this.exitStatus!;
  }
}

function answers(q: InspectQuery): InspectResult {
  switch (q.kind) {
    case "featureMaps":
      return { kind: q.kind, input: tensor([1, 28, 28]), label: 3, maps: q.nodeIds.map((nodeId) => ({ nodeId, tensor: tensor([6, 24, 24]) })) };
    case "inputGradient":
      return { kind: q.kind, input: tensor([1, 28, 28]), gradient: tensor([1, 28, 28]) };
    case "attention":
      return { kind: q.kind, input: tensor([1, 28, 28]), label: 3, weights: tensor([4, 17, 17]) };
    case "initialWeights":
      return { kind: q.kind, weight: tensor([6, 1, 5, 5]) };
    case "dataset":
      return { kind: q.kind, dataset: { name: "mnist-sample", channels: 1, height: 28, width: 28, classNames: ["0"], trainCount: 8, validationCount: 2 } };
    case "predictions":
      return { kind: q.kind, input: tensor([1, 28, 28]), label: 3, probabilities: [0.25, 0.75] };
    case "gradCam":
      return { kind: q.kind, input: tensor([1, 28, 28]), label: 3, classIndex: q.classIndex ?? 1, cam: tensor([1, 8, 8]), probabilities: [0.25, 0.75] };
    case "prepare":
      return { kind: q.kind };
    case "evaluate":
    case "samples":
      throw new Error(`not scripted: ${q.kind}`);
  }
}

describe("TrainerTensorService with a scripted process", () => {
  test("panel queries become inspect queries on one lazily started process; results come back in the panels' types", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({ trusted: () => true, start: () => (started.push(new FakeProcess(answers)), started.at(-1)!) });
    assert.equal(started.length, 0, "nothing starts before the first request");
    const fm = await s.featureMaps({ model: REF, checkpoint: "/runs/r/checkpoints/e0001-s000010.json", input: SAMPLE, nodeIds: [1, 4] });
    assert.deepEqual(Object.keys(fm).sort(), ["input", "label", "maps"]);
    assert.equal(fm.label, 3);
    assert.deepEqual(
      fm.maps.map((m) => m.nodeId),
      [1, 4],
    );
    assert.deepEqual(
      Object.keys(await s.inputGradient({ model: REF, checkpoint: null, input: SAMPLE, nodeId: 4, unit: { channel: null, y: 1, x: 1 } })).sort(),
      ["gradient", "input"],
    );
    assert.deepEqual((await s.initialWeights({ model: REF, parameter: "features.0.weight" })).shape, [6, 1, 5, 5]);
    assert.equal((await s.dataset(REF, null))?.name, "mnist-sample");
    assert.equal(started.length, 1);
    assert.deepEqual(started[0]!.queries, [
      { kind: "featureMaps", file: FILE, model: "lenet5Mnist", checkpoint: "/runs/r/checkpoints/e0001-s000010.json", input: SAMPLE, nodeIds: [1, 4] },
      { kind: "inputGradient", file: FILE, model: "lenet5Mnist", checkpoint: null, input: SAMPLE, nodeId: 4, unit: { channel: null, y: 1, x: 1 } },
      { kind: "initialWeights", file: FILE, model: "lenet5Mnist", parameter: "features.0.weight" },
      { kind: "dataset", file: FILE, model: "lenet5Mnist", checkpoint: null },
    ]);
    s.dispose();
    assert.equal(started[0]!.shutdowns, 1, "disposing stops the process");
    await assert.rejects(s.dataset(REF, null), /shutting down/);
  });

  test("untrusted workspaces: every call rejects with the trust message and nothing starts", async () => {
    let trusted = false;
    let starts = 0;
    const s = new TrainerTensorService({ trusted: () => trusted, start: () => (starts++, new FakeProcess(answers)) });
    await assert.rejects(s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] }), { message: UNTRUSTED_TENSORS });
    await assert.rejects(s.initialWeights({ model: REF, parameter: "x" }), /Restricted Mode/);
    assert.equal(starts, 0);
    trusted = true;
    await s.initialWeights({ model: REF, parameter: "x" });
    assert.equal(starts, 1);
    s.dispose();
  });

  test("a request over the time limit stops the process with a clear message; the next starts a new one", async () => {
    const started: FakeProcess[] = [];
    let hang = true;
    const s = new TrainerTensorService({
      trusted: () => true,
      timeoutMs: 50,
      start: () => (started.push(new FakeProcess((q) => (hang ? "hang" : answers(q)))), started.at(-1)!),
    });
    await assert.rejects(s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] }), {
      message: "Computing the feature maps of lenet5Mnist took longer than 0.05 s; CNN Studio stopped it (the next request starts afresh).",
    });
    assert.equal(started[0]!.killed, 1);
    hang = false;
    assert.equal((await s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] })).label, 3);
    assert.equal(started.length, 2);
    s.dispose();
  });

  test("a process that dies: the request in flight says so (with its last output); the next request starts a new one", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({
      trusted: () => true,
      start: () => (started.push(new FakeProcess((q) => (started.length === 1 ? "hang" : answers(q)))), started.at(-1)!),
    });
    const pending = s.inputGradient({ model: REF, checkpoint: null, input: SAMPLE, nodeId: 4, unit: { channel: 0, y: 0, x: 0 } });
    started[0]!.die({ code: null, signal: "SIGKILL" });
    await assert.rejects(pending, {
      message:
        "CNN Studio's trainer process was killed by SIGKILL while computing the input gradient of lenet5Mnist (its last output: Error: out of memory); the next request starts a new one.",
    });
    assert.equal((await s.dataset(REF, null))?.name, "mnist-sample");
    assert.equal(started.length, 2);
    s.dispose();
  });

  test("the process stops after the idle time", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({ trusted: () => true, idleMs: 30, start: () => (started.push(new FakeProcess(answers)), started.at(-1)!) });
    await s.dataset(REF, null);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(started[0]!.shutdowns, 1);
    await s.dataset(REF, null);
    assert.equal(started.length, 2, "a new process after an idle stop");
    s.dispose();
  });
});

describe("TrainerTensorService.warmUp (issue 17) with a scripted process", () => {
  const settle = () => new Promise((r) => setTimeout(r, 10));

  test("starts the process and sends prepare for the panel's model and weights; the first request uses that process", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({ trusted: () => true, start: () => (started.push(new FakeProcess(answers)), started.at(-1)!) });
    s.warmUp(REF, "/runs/r/checkpoints/e0001-s000010.json");
    assert.equal(started.length, 1, "the process starts at once");
    await s.featureMaps({ model: REF, checkpoint: "/runs/r/checkpoints/e0001-s000010.json", input: SAMPLE, nodeIds: [1] });
    assert.equal(started.length, 1);
    assert.deepEqual(
      started[0]!.queries.map((q) => q.kind),
      ["prepare", "featureMaps"],
    );
    assert.deepEqual(started[0]!.queries[0], { kind: "prepare", file: FILE, model: "lenet5Mnist", checkpoint: "/runs/r/checkpoints/e0001-s000010.json" });
    s.dispose();
  });

  test("untrusted or disposed: no process starts, nothing throws; the requests still say why", async () => {
    let starts = 0;
    const s = new TrainerTensorService({ trusted: () => false, start: () => (starts++, new FakeProcess(answers)) });
    s.warmUp(REF, null);
    await settle();
    assert.equal(starts, 0);
    await assert.rejects(s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] }), { message: UNTRUSTED_TENSORS });
    const t = new TrainerTensorService({ trusted: () => true, start: () => (starts++, new FakeProcess(answers)) });
    t.dispose();
    t.warmUp(REF, null);
    await settle();
    assert.equal(starts, 0);
  });

  test("a failing warm-up is silent; the next request fails with its own message, as without the warm-up", async () => {
    const broken = (q: InspectQuery): InspectResult => {
      throw new Error(`${q.kind}: lenet5Mnist has @input none`);
    };
    const fail = async (warm: boolean): Promise<string> => {
      const s = new TrainerTensorService({ trusted: () => true, start: () => new FakeProcess(broken) });
      if (warm) s.warmUp(REF, null);
      await settle();
      try {
        await s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] });
        return "no error";
      } catch (e) {
        return String(e);
      } finally {
        s.dispose();
      }
    };
    assert.equal(await fail(true), await fail(false));
    assert.equal(await fail(true), "Error: featureMaps: lenet5Mnist has @input none");
  });

  test("a process that dies during the warm-up: the next request starts a new one", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({
      trusted: () => true,
      start: () => (started.push(new FakeProcess((q) => (q.kind === "prepare" ? "hang" : answers(q)))), started.at(-1)!),
    });
    s.warmUp(REF, null);
    started[0]!.die({ code: null, signal: "SIGKILL" });
    await settle();
    assert.equal((await s.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] })).label, 3);
    assert.equal(started.length, 2);
    s.dispose();
  });

  test("without a model (the Evaluation panel): only the process starts, no query; it stops when idle; untrusted: nothing", async () => {
    const started: FakeProcess[] = [];
    let trusted = true;
    const s = new TrainerTensorService({ trusted: () => trusted, idleMs: 30, start: () => (started.push(new FakeProcess(answers)), started.at(-1)!) });
    s.warmUp(null, null);
    assert.equal(started.length, 1);
    assert.deepEqual(started[0]!.queries, []);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(started[0]!.shutdowns, 1);
    trusted = false;
    s.warmUp(null, null);
    assert.equal(started.length, 1);
    s.dispose();
  });

  test("the idle stop follows a warm-up too", async () => {
    const started: FakeProcess[] = [];
    const s = new TrainerTensorService({ trusted: () => true, idleMs: 30, start: () => (started.push(new FakeProcess(answers)), started.at(-1)!) });
    s.warmUp(REF, null);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(started[0]!.shutdowns, 1);
    s.dispose();
  });
});

describe("TrainerTensorService with the trainer process (dist/trainer.js)", { timeout: 120_000 }, () => {
  const clients: TrainerClient[] = [];
  const service = new TrainerTensorService({ trusted: () => true, start: () => (clients.push(new TrainerClient({ trainerPath: TRAINER })), clients.at(-1)!) });
  after(() => service.dispose());

  test("round trip with Float32Arrays; a killed process fails the request in flight clearly, the next request works", async () => {
    const t0 = performance.now();
    const fm = await service.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1, 4] });
    const cold = performance.now() - t0;
    const t1 = performance.now();
    await service.featureMaps({ model: REF, checkpoint: null, input: { ...SAMPLE, index: 1 }, nodeIds: [1, 4] });
    console.log(
      `TensorService.featureMaps (lenet5Mnist, 2 layers): cold ${cold.toFixed(0)} ms (process start, analysis, backend, compile, mnist-sample), warm ${(performance.now() - t1).toFixed(0)} ms`,
    );
    assert.ok(fm.input.data instanceof Float32Array && fm.maps.every((m) => m.tensor.data instanceof Float32Array));
    assert.deepEqual(
      fm.maps.map((m) => m.tensor.shape),
      [
        [6, 24, 24],
        [16, 8, 8],
      ],
    );
    assert.ok(fm.maps[0]!.tensor.data.some((v) => v !== 0));
    await assert.rejects(service.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [77] }), /lenet5Mnist has no graph node 77/);

    const before = clients.length;
    const victim = clients.at(-1)!; // the process that will be asked
    // Stopped first, so it cannot answer (warm, it takes ~4 ms) between the request and the kill on a loaded machine.
    process.kill(victim.pid!, "SIGSTOP");
    const pending = service.featureMaps({ model: REF, checkpoint: null, input: SAMPLE, nodeIds: [1] });
    victim.kill("SIGKILL");
    await assert.rejects(
      pending,
      /^Error: CNN Studio's trainer process was killed by SIGKILL while computing the feature maps of lenet5Mnist.*; the next request starts a new one\.$/,
    );
    const w = await service.initialWeights({ model: REF, parameter: "features.0.weight" });
    assert.deepEqual(w.shape, [6, 1, 5, 5]);
    assert.ok(w.data instanceof Float32Array);
    assert.equal(clients.length, before + 1);
    assert.notEqual(clients.at(-1)!.pid, victim.pid);
  });
});

describe("panels with the real TensorService (fake vscode)", { timeout: 120_000 }, () => {
  const fake = createFake();
  install(fake);
  const panels = require("../../src/extension/panels/index") as typeof import("../../src/extension/panels/index");
  const context = fakeContext(path.join(os.tmpdir(), "cnn-studio-ext")) as unknown as Parameters<typeof panels.openFeatureMapsPanel>[0];
  const tensors = new TrainerTensorService({ trusted: () => true, start: () => new TrainerClient({ trainerPath: TRAINER }) });
  const services = {
    analysis: async (uri: string): Promise<AnalysisResult> => {
      const r = new Analyzer().analyzeFile(FILE);
      return {
        uri,
        file: FILE,
        version: null,
        isModelFile: true,
        models: r.models.map((m) => ({ ...m, edges: [] })),
        diagnostics: r.diagnostics,
        dependencies: r.dependencies,
      };
    },
    onDidAnalyze: () => ({ dispose() {} }),
    runsDir: () => undefined,
    tensors,
  };
  after(() => {
    for (const p of fake.panels) p.dispose();
    tensors.dispose();
  });

  async function until(p: FakePanel, type: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const m = (p.posted as Record<string, unknown>[]).find((x) => x["type"] === type || x["type"] === "requestFailed");
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${type} message`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test("feature maps: the snapshot has the untrained model's dataset; compute posts real maps", async () => {
    panels.openFeatureMapsPanel(context, services, { uri: REF.uri, model: REF.model });
    const p = fake.panels.at(-1)!;
    await p.receive({ type: "ready" });
    const snap = validateFeatureMapsToWebview(await until(p, "snapshot"));
    assert.ok(snap.ok && snap.value.type === "snapshot", snap.ok ? "" : snap.error);
    assert.equal(snap.value.compute.available, true);
    assert.equal(snap.value.dataset?.name, "mnist-sample");
    const conv2 = snap.value.layers.find((l) => l.label === "features.3")!;
    await p.receive({ type: "compute", requestId: 5, checkpoint: null, input: { kind: "sample", split: "train", index: 7 }, nodeIds: [conv2.nodeId] });
    const m = validateFeatureMapsToWebview(await until(p, "featureMaps"));
    assert.ok(m.ok && m.value.type === "featureMaps", m.ok ? JSON.stringify(m.value) : m.error);
    assert.equal(m.value.requestId, 5);
    assert.deepEqual(m.value.maps[0]!.tensor.shape, conv2.shape);
    assert.ok(m.value.maps[0]!.tensor.data.some((v) => v !== 0));
    assert.ok(m.value.label !== null);
    p.dispose();
  });

  test("filters: the untrained model's kernels", async () => {
    panels.openFiltersPanel(context, services, { uri: REF.uri, model: REF.model });
    const p = fake.panels.at(-1)!;
    await p.receive({ type: "ready" });
    const snap = validateFiltersToWebview(await until(p, "snapshot"));
    assert.ok(snap.ok && snap.value.type === "snapshot");
    assert.deepEqual([snap.value.weights.available, snap.value.weights.reason], [true, ""]);
    await p.receive({ type: "requestWeights", requestId: 1, checkpoint: null, nodeId: snap.value.layers[1]!.nodeId });
    const w = validateFiltersToWebview(await until(p, "weights"));
    assert.ok(w.ok && w.value.type === "weights", w.ok ? JSON.stringify(w.value) : w.error);
    assert.deepEqual(w.value.weight.shape, [16, 6, 5, 5]);
    assert.ok(
      w.value.weight.data.every((v) => Math.abs(v) <= 1 / Math.sqrt(6 * 25)) && w.value.weight.data.some((v) => v !== 0),
      "PyTorch's default init bound",
    );
    p.dispose();
  });

  test("receptive field: the effective field (input gradient) of a conv2 unit", async () => {
    panels.openReceptiveFieldPanel(context, services, { uri: REF.uri, model: REF.model });
    const p = fake.panels.at(-1)!;
    await p.receive({ type: "ready" });
    const snap = validateReceptiveFieldToWebview(await until(p, "snapshot"));
    assert.ok(snap.ok && snap.value.type === "snapshot");
    assert.equal(snap.value.gradients.available, true);
    const conv2 = snap.value.layers.find((l) => l.label === "features.3")!;
    await p.receive({
      type: "requestInputGradient",
      requestId: 2,
      checkpoint: null,
      input: { kind: "sample", split: "validation", index: 3 },
      nodeId: conv2.nodeId,
      unit: { channel: null, y: 0, x: 0 },
    });
    const g = validateReceptiveFieldToWebview(await until(p, "inputGradient"));
    assert.ok(g.ok && g.value.type === "inputGradient", g.ok ? JSON.stringify(g.value) : g.error);
    assert.deepEqual(g.value.gradient.shape, [1, 28, 28]);
    assert.notEqual(g.value.gradient.data[6 * 28 + 6], 0, "inside the field of unit (0, 0)");
    assert.equal(g.value.gradient.data[20 * 28 + 20], 0, "outside it");
    p.dispose();
  });

  const CK: CheckpointInfo = { id: "/runs/r/checkpoints/e0002-s000020.json", run: "/runs/r", runName: "r", epoch: 2, globalStep: 20, label: "r · epoch 2" };

  async function opened(open: typeof panels.openFeatureMapsPanel, checkpoints: CheckpointInfo[]): Promise<[ModelRef | null, string | null][]> {
    const calls: [ModelRef | null, string | null][] = [];
    const services = {
      analysis: async (): Promise<AnalysisResult> => {
        throw new Error("not asked before the webview is ready");
      },
      onDidAnalyze: () => ({ dispose() {} }),
      runsDir: () => undefined,
      tensors: { checkpoints: async () => checkpoints, warmUp: (m: ModelRef | null, c: string | null) => void calls.push([m, c]) },
    };
    open(context, services, { uri: REF.uri, model: REF.model });
    await new Promise((r) => setTimeout(r, 20));
    fake.panels.at(-1)!.dispose();
    return calls;
  }

  test("issue 17: feature maps and receptive field warm the inspector up with the model with the newest checkpoint (untrained without one), before the webview is ready", async () => {
    for (const open of [panels.openFeatureMapsPanel, panels.openReceptiveFieldPanel]) {
      assert.deepEqual(await opened(open, [CK]), [[{ uri: REF.uri, file: FILE, model: REF.model }, CK.id]]);
      assert.deepEqual(await opened(open, []), [[{ uri: REF.uri, file: FILE, model: REF.model }, null]]);
    }
  });

  test("issue 17: filters warm it up with the untrained model only when there is no checkpoint (checkpoints are read from their files)", async () => {
    assert.deepEqual(await opened(panels.openFiltersPanel, [CK]), []);
    assert.deepEqual(await opened(panels.openFiltersPanel, []), [[{ uri: REF.uri, file: FILE, model: REF.model }, null]]);
  });
});
