import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { trainConfig, validateEvent, validateRequest, validateTrainConfig, type TrainerEvent, type TrainerRequest } from "../../src/shared/training";
import { validateCurvesToWebview } from "../../src/shared/webview/curves";

const config = trainConfig({ file: "/m.ts", model: "net", dataset: { kind: "idx", dir: "/data" }, runsDir: "/runs" });

const requests: TrainerRequest[] = [
  { type: "start", config, engine: { name: "tfjs" } },
  { type: "stop" },
  { type: "featureMaps", requestId: 3, nodeIds: [1, 4], split: "validation", index: 0 },
  { type: "ping", requestId: 1 },
  { type: "shutdown" },
  {
    type: "inspect",
    requestId: 4,
    query: { kind: "featureMaps", file: "/m.ts", model: "net", checkpoint: null, input: { kind: "sample", split: "train", index: 3 }, nodeIds: [1, 2] },
  },
  {
    type: "inspect",
    requestId: 5,
    query: {
      kind: "inputGradient",
      file: "/m.ts",
      model: "net",
      checkpoint: "/r/checkpoints/e0001-s000005.json",
      input: { kind: "pixels", source: "drawing", name: "drawing", tensor: { shape: [1, 2, 2], data: new Float32Array([0, 1, 0.5, 0]) } },
      nodeId: 4,
      unit: { channel: null, y: 0, x: 1 },
    },
  },
  { type: "inspect", requestId: 6, query: { kind: "initialWeights", file: "/m.ts", model: "net", parameter: "conv1.weight" } },
  { type: "inspect", requestId: 7, query: { kind: "dataset", file: "/m.ts", model: "net", checkpoint: null } },
  { type: "start", config, engine: { name: "torch", python: null } },
  { type: "start", config, engine: { name: "torch", python: "/usr/bin/python3" } },
];

const events: TrainerEvent[] = [
  { type: "ready", pid: 12, version: "1" },
  {
    type: "started",
    runDir: "/r",
    backend: "wasm",
    notUsed: [{ backend: "gpu", reason: "not installed" }],
    model: "net",
    params: 10,
    dataset: {
      name: "mnist-sample",
      channels: 1,
      height: 28,
      width: 28,
      classes: 10,
      classNames: ["0"],
      trainCount: 8,
      validationCount: 2,
      mean: [0.1],
      std: [0.3],
    },
    epochs: 2,
    stepsPerEpoch: 5,
    resumedFrom: null,
  },
  { type: "progress", epoch: 1, epochs: 2, step: 1, stepsPerEpoch: 5, globalStep: 1, loss: 2.3, accuracy: 0.1, imagesPerSecond: 100, etaSeconds: 3, lr: 0.001 },
  { type: "progress", epoch: 1, epochs: 2, step: 2, stepsPerEpoch: 5, globalStep: 2, loss: NaN, accuracy: 0, imagesPerSecond: 0, etaSeconds: 0, lr: 0.001 },
  {
    type: "epochEnd",
    epoch: 1,
    epochs: 2,
    trainLoss: 1,
    trainAccuracy: 0.5,
    valLoss: 1.1,
    valAccuracy: 0.4,
    trainTop5: 0.9,
    valTop5: 0.8,
    lr: 0.001,
    seconds: 2,
  },
  { type: "checkpoint", path: "/r/checkpoints/e0001-s000005.json", epoch: 1, step: 5, globalStep: 5, reason: "epoch" },
  { type: "featureMaps", requestId: 3, split: "train", index: 2, label: 7, maps: [{ nodeId: 1, shape: [1, 2, 2, 2], data: new Float32Array(8) }] },
  { type: "completed", runDir: "/r", final: { epoch: 2, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5, valTop5: null }, seconds: 4 },
  { type: "stopped", runDir: "/r", epoch: 1, step: 3, globalStep: 3, checkpoint: "/r/checkpoints/e0001-s000003.json" },
  {
    type: "error",
    requestId: null,
    phase: "dataset",
    message: "bad",
    diagnostics: [{ message: "m", file: "/m.ts", line: 1, column: 2 }],
    runDir: null,
    logTail: ["a"],
  },
  { type: "pong", requestId: 1, state: "training" },
  { type: "log", level: "warning", message: "w" },
  {
    type: "inspected",
    requestId: 4,
    result: {
      kind: "featureMaps",
      input: { shape: [1, 2, 2], data: new Float32Array(4) },
      label: 3,
      maps: [{ nodeId: 1, tensor: { shape: [2, 1, 1], data: new Float32Array([1, -1]) } }],
    },
  },
  {
    type: "inspected",
    requestId: 5,
    result: { kind: "inputGradient", input: { shape: [1, 1, 1], data: new Float32Array(1) }, gradient: { shape: [1, 1, 1], data: new Float32Array([0.5]) } },
  },
  { type: "inspected", requestId: 6, result: { kind: "initialWeights", weight: { shape: [2, 1, 1, 1], data: new Float32Array(2) } } },
  {
    type: "inspected",
    requestId: 7,
    result: {
      kind: "dataset",
      dataset: { name: "mnist-sample", channels: 1, height: 28, width: 28, classNames: ["0", "1"], trainCount: 8, validationCount: 2 },
    },
  },
  { type: "inspected", requestId: 8, result: { kind: "dataset", dataset: null } },
];

describe("protocol validation", () => {
  test("every request kind round-trips", () => {
    for (const r of requests) assert.deepEqual(validateRequest(r), { ok: true, value: r });
  });

  test("every event kind round-trips (feature maps keep their Float32Array)", () => {
    for (const e of events) assert.deepEqual(validateEvent(e), { ok: true, value: e });
    const fm = validateEvent(events[6]);
    assert.ok(fm.ok && fm.value.type === "featureMaps" && fm.value.maps[0]!.data instanceof Float32Array);
  });

  test("unknown messages are rejected with the list of known ones", () => {
    assert.deepEqual(validateRequest({ type: "train" }), {
      ok: false,
      error: 'unknown request type "train" (expected one of start, stop, featureMaps, ping, inspect, shutdown)',
    });
    assert.deepEqual(validateEvent({ type: "finished" }), {
      ok: false,
      error:
        'unknown trainer event type "finished" (expected one of ready, started, progress, epochEnd, checkpoint, featureMaps, completed, stopped, error, pong, log, inspected)',
    });
    assert.deepEqual(validateRequest("stop"), { ok: false, error: 'a request message must be an object, got "stop"' });
    assert.deepEqual(validateEvent({ kind: "x" }), { ok: false, error: 'a trainer message needs a string "type", got undefined' });
  });

  test("the trainer protocol and the panels' messages share one validator kit, and so word a failure alike", () => {
    assert.deepEqual(validateRequest({ type: "ping", requestId: Infinity }), {
      ok: false,
      error: 'request "ping".requestId must be a finite number, got Infinity',
    });
    assert.deepEqual(validateRequest({ type: "ping", requestId: NaN }), { ok: false, error: 'request "ping".requestId must be a finite number, got NaN' });
    const panel = validateCurvesToWebview({ type: 5 });
    assert.deepEqual(panel, { ok: false, error: 'a curves host→webview message needs a string "type", got 5' });
    assert.deepEqual(validateRequest({ type: 5 }), { ok: false, error: 'a request message needs a string "type", got 5' });
  });

  test("bad fields name the message, the field and the value", () => {
    const cases: [unknown, string][] = [
      [{ type: "ping" }, 'request "ping".requestId must be a number, got undefined'],
      [{ type: "featureMaps", requestId: 1, nodeIds: [], split: "train", index: 0 }, 'request "featureMaps".nodeIds must name at least one graph node'],
      [{ type: "featureMaps", requestId: 1, nodeIds: [1.5], split: "train", index: 0 }, 'request "featureMaps".nodeIds[0] must be an integer, got 1.5'],
      [
        { type: "featureMaps", requestId: 1, nodeIds: [1], split: "test", index: 0 },
        'request "featureMaps".split must be one of "train", "validation", got "test"',
      ],
      [{ type: "start", config: { ...config, epochs: 0 } }, 'request "start": config.epochs must be at least 1, got 0'],
      [{ type: "start", config }, 'request "start".engine must be an object, got undefined'],
      [{ type: "start", config, engine: { name: "cuda" } }, 'request "start".engine.name must be one of "tfjs", "torch", got "cuda"'],
      [{ type: "start", config, engine: { name: "torch" } }, 'request "start".engine.python must be a string, got undefined'],
      [
        { type: "start", config: { ...config, optimizer: { ...config.optimizer, name: "rmsprop" } } },
        'request "start": config.optimizer.name must be one of "sgd", "adam", "adamw", got "rmsprop"',
      ],
      [{ type: "start", config: { ...config, dataset: { kind: "folder" } } }, 'request "start": config.dataset.dir must be a string, got undefined'],
      [
        { type: "start", config: { ...config, optimizer: { ...config.optimizer, name: "sgd", nesterov: true } } },
        'request "start": config.optimizer: Nesterov momentum requires a momentum above 0 and zero dampening (got momentum 0, dampening 0)',
      ],
    ];
    for (const [msg, error] of cases) assert.deepEqual(validateRequest(msg), { ok: false, error });
    const fm = { ...events[6], maps: [{ nodeId: 1, shape: [1, 2], data: [0, 1] }] };
    assert.deepEqual(validateEvent(fm), { ok: false, error: 'event "featureMaps".maps[0].data must be a Float32Array, got an array of 2' });
    const wrongSize = { ...events[6], maps: [{ nodeId: 1, shape: [1, 3], data: new Float32Array(2) }] };
    assert.deepEqual(validateEvent(wrongSize), { ok: false, error: 'event "featureMaps".maps[0].data has 2 values but shape [1, 3] needs 3' });
    assert.deepEqual(validateEvent({ ...events[2], accuracy: 1.5 }), { ok: false, error: 'event "progress".accuracy must be at most 1, got 1.5' });
    assert.deepEqual(validateTrainConfig({ ...config, backend: "cuda" }), {
      ok: false,
      error: 'config.backend must be one of "auto", "gpu", "native", "wasm", "js", got "cuda"',
    });
  });

  test("inspect: requests and results carry Float32Arrays; bad queries and results name the field", () => {
    const r = validateRequest(requests[6]);
    assert.ok(r.ok && r.value.type === "inspect" && r.value.query.kind === "inputGradient" && r.value.query.input.kind === "pixels");
    assert.ok(r.value.query.input.tensor.data instanceof Float32Array);
    const e = validateEvent(events[12]);
    assert.ok(e.ok && e.value.type === "inspected" && e.value.result.kind === "featureMaps" && e.value.result.maps[0]!.tensor.data instanceof Float32Array);
    const fm = requests[5] as Extract<TrainerRequest, { type: "inspect" }>;
    const cases: [unknown, string][] = [
      [
        { ...fm, query: { ...fm.query, kind: "weights" } },
        'request "inspect".query.kind must be one of "featureMaps", "inputGradient", "attention", "initialWeights", "dataset", "predictions", "gradCam", "evaluate", "samples", "prepare", got "weights"',
      ],
      [{ ...fm, query: { ...fm.query, file: "" } }, 'request "inspect".query.file must name the model file, got ""'],
      [{ ...fm, query: { ...fm.query, nodeIds: [] } }, 'request "inspect".query.nodeIds must name at least one graph node'],
      [{ ...fm, query: { ...fm.query, checkpoint: 3 } }, 'request "inspect".query.checkpoint must be a string, got 3'],
      [
        { ...fm, query: { ...fm.query, input: { kind: "sample", split: "train", index: -1 } } },
        'request "inspect".query.input.index must be at least 0, got -1',
      ],
      [
        { ...fm, query: { ...fm.query, input: { kind: "pixels", source: "drawing", name: "d", tensor: { shape: [2, 2], data: new Float32Array(4) } } } },
        'request "inspect".query.input.tensor.shape must have 3 dimensions, got [2, 2]',
      ],
      [
        { ...requests[6]!, query: { ...(requests[6] as Extract<TrainerRequest, { type: "inspect" }>).query, unit: { channel: 0, y: 1.5, x: 0 } } },
        'request "inspect".query.unit.y must be an integer, got 1.5',
      ],
      [
        { type: "inspect", requestId: 1, query: { kind: "initialWeights", file: "/m.ts", model: "net" } },
        'request "inspect".query.parameter must be a string, got undefined',
      ],
    ];
    for (const [msg, error] of cases) assert.deepEqual(validateRequest(msg), { ok: false, error });
    const bad = {
      type: "inspected",
      requestId: 4,
      result: { kind: "featureMaps", input: { shape: [1, 2, 2], data: new Float32Array(3) }, label: null, maps: [] },
    };
    assert.deepEqual(validateEvent(bad), { ok: false, error: 'event "inspected".result.input.data has 3 values but shape [1, 2, 2] needs 4' });
  });

  test("garbage never throws", () => {
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const atoms = [null, undefined, 0, -1, 1.5, NaN, Infinity, "", "x", true, [], {}, new Float32Array(2), Symbol("s"), () => 1, 10n];
    const values = (depth: number): unknown => {
      if (depth === 0 || rand() < 0.3) return atoms[Math.floor(rand() * atoms.length)];
      if (rand() < 0.3) return Array.from({ length: Math.floor(rand() * 3) }, () => values(depth - 1));
      const base = rand() < 0.5 ? { ...(rand() < 0.5 ? requests : events)[Math.floor(rand() * 5)] } : {};
      const o: Record<string, unknown> = base;
      for (const k of Object.keys(o).concat(["type", "config", "maps"])) if (rand() < 0.4) o[k] = values(depth - 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) {
      const v = values(3);
      assert.doesNotThrow(() => validateRequest(v));
      assert.doesNotThrow(() => validateEvent(v));
    }
    const cyclic: Record<string, unknown> = { type: "start" };
    cyclic["config"] = cyclic;
    assert.equal(validateRequest(cyclic).ok, false);
    const hostile = Object.defineProperty({ type: "ping" }, "requestId", {
      get: () => {
        throw new Error("boom");
      },
    });
    assert.deepEqual(validateRequest(hostile), { ok: false, error: "invalid message: boom" });
  });
});
