import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { contentSecurityPolicy, makeNonce, panelHtml } from "../../src/extension/panels/html";
import { convLayers, spatialLayers } from "../../src/extension/panels/modelData";
import { MetricsTail } from "../../src/extension/panels/runMetrics";
import { LineTail } from "../../src/extension/runs/lineTail";
import { restoreInfoOf } from "../../src/shared/webview/common";
import { validateCurvesToHost, validateCurvesToWebview } from "../../src/shared/webview/curves";
import { validateFeatureMapsToHost, validateFeatureMapsToWebview } from "../../src/shared/webview/featureMaps";
import { validateFiltersToHost } from "../../src/shared/webview/filters";
import { graphViewOf, validateGraphToHost, validateGraphToWebview } from "../../src/shared/webview/graph";
import { visibleGraph } from "../../src/shared/webview/graphLayout";
import { validateReceptiveFieldToHost } from "../../src/shared/webview/receptiveField";
import { validateTrainToHost, validateTrainToWebview } from "../../src/shared/webview/train";
import { defaultForm } from "../../src/extension/train/form";
import { analyze, syntheticRun } from "./fixtures";

/** The message unions' validators (both directions), the page generator and the run reader. */

const err = (r: { ok: boolean; error?: string }): string => (r.ok ? "" : (r.error ?? ""));

describe("message validators", () => {
  it("accept well-formed messages and keep typed arrays binary", () => {
    const run = syntheticRun("r", 100, 20, 1);
    const r = validateCurvesToWebview({ type: "snapshot", runs: [run] });
    assert.ok(r.ok, err(r));
    assert.ok(r.value.type === "snapshot" && r.value.runs[0]!.steps.loss === run.steps.loss, "the same Float64Array, not a copy");
    const fm = validateFeatureMapsToWebview({
      type: "featureMaps",
      requestId: 1,
      checkpoint: null,
      input: { shape: [1, 2, 2], data: new Float32Array(4) },
      label: null,
      maps: [{ nodeId: 3, tensor: { shape: [2, 2, 2], data: new Float32Array(8) } }],
    });
    assert.ok(fm.ok, err(fm));
  });

  it("reject bad messages, naming the message, the field and the value", () => {
    assert.match(err(validateCurvesToWebview({ type: "append", run: 42 })), /curves host→webview message "append"\.run must be a string, got 42/);
    assert.match(
      err(validateCurvesToWebview({ type: "nope" })),
      /unknown curves host→webview message type "nope" \(expected one of snapshot, append, runInfo, removeRun, exported\)/,
    );
    assert.match(err(validateCurvesToWebview(null)), /must be an object, got null/);
    const cols = syntheticRun("r", 10, 5, 1);
    cols.steps.loss = new Float64Array(3);
    assert.match(err(validateCurvesToWebview({ type: "snapshot", runs: [cols] })), /steps\.loss has 3 values, globalStep has 10/);
    assert.match(
      err(
        validateFeatureMapsToWebview({
          type: "featureMaps",
          requestId: 1,
          checkpoint: null,
          input: { shape: [1, 2, 2], data: new Float32Array(5) },
          label: null,
          maps: [],
        }),
      ),
      /input\.data has 5 values but shape \[1, 2, 2\] needs 4/,
    );
    assert.match(
      err(validateFeatureMapsToHost({ type: "compute", requestId: 1, checkpoint: null, input: { kind: "sample", split: "test", index: 0 }, nodeIds: [1] })),
      /split must be one of "train", "validation", got "test"/,
    );
    assert.match(
      err(validateFeatureMapsToHost({ type: "compute", requestId: 1, checkpoint: null, input: { kind: "sample", split: "train", index: 0 }, nodeIds: [] })),
      /nodeIds must be an array of at least 1/,
    );
    assert.match(
      err(
        validateFeatureMapsToHost({
          type: "compute",
          requestId: 1,
          checkpoint: null,
          input: { kind: "pixels", source: "file", name: "x.png", tensor: { shape: [28, 28], data: new Float32Array(784) } },
          nodeIds: [1],
        }),
      ),
      /tensor\.shape must have 3 dimensions/,
    );
    assert.match(err(validateFiltersToHost({ type: "requestWeights", requestId: 1.5, checkpoint: null, nodeId: 1 })), /requestId must be an integer, got 1\.5/);
    assert.match(
      err(
        validateReceptiveFieldToHost({
          type: "requestInputGradient",
          requestId: 1,
          checkpoint: null,
          input: { kind: "sample", split: "train", index: 0 },
          nodeId: 1,
          unit: { channel: -1, y: 0, x: 0 },
        }),
      ),
      /unit\.channel must be at least 0/,
    );
    assert.match(
      err(validateGraphToHost({ type: "openSource", location: { file: "/a.ts", range: { start: { line: 0 } } } })),
      /range\.start\.character must be a number/,
    );
    assert.match(err(validateCurvesToHost({ type: "exportPng", suggestedName: "a.png", data: "iVBOR" })), /data must be a Uint8Array/);
  });

  it("accept plain number arrays where a host JSON-encodes tensors, and convert them", () => {
    const r = validateFeatureMapsToHost({
      type: "compute",
      requestId: 1,
      checkpoint: null,
      input: { kind: "pixels", source: "drawing", name: "d", tensor: { shape: [1, 1, 2], data: [0, 1] } },
      nodeIds: [1],
    });
    assert.ok(r.ok, err(r));
    assert.ok(r.value.type === "compute" && r.value.input.kind === "pixels" && r.value.input.tensor.data instanceof Float32Array);
  });

  it("check the Train view's messages both ways, naming the message, the field and the value", () => {
    const state = defaultForm();
    for (const m of [
      { type: "ready", state: null },
      { type: "ready", state },
      { type: "change", state },
      { type: "start", state },
      { type: "browse", state },
      { type: "stop" },
      { type: "curves" },
      { type: "log", level: "error", message: "x" },
    ]) {
      const r = validateTrainToHost(m);
      assert.ok(r.ok, err(r));
    }
    for (const m of [
      { type: "state", state },
      { type: "models", models: [{ id: "file:///a.ts#m", label: "m — a.ts", detail: "" }], selected: "" },
      { type: "set", field: "datasetDir", value: "/data" },
      { type: "validation", errors: { epochs: "Epochs must be at least 1" }, preview: "" },
      { type: "status", text: "", kind: "info", detail: "", training: false, canStart: true, hasRun: false },
    ]) {
      const r = validateTrainToWebview(m);
      assert.ok(r.ok, err(r));
    }
    assert.match(
      err(validateTrainToHost({ type: "start", state: { ...state, optimizer: "lbfgs" } })),
      /^train webview→host message "start"\.state\.optimizer must be one of "sgd", "adam", "adamw", got "lbfgs"$/,
    );
    assert.match(err(validateTrainToHost({ type: "change", state: { ...state, flip: "yes" } })), /"change"\.state\.flip must be true or false, got "yes"/);
    assert.match(err(validateTrainToHost({ type: "start" })), /"start"\.state must be an object, got undefined/);
    assert.match(err(validateTrainToHost({ type: "post", message: 1 })), /^unknown train webview→host message type "post"/);
    assert.match(
      err(validateTrainToWebview({ type: "set", field: "lr", value: "1" })),
      /^train host→webview message "set"\.field must be one of "datasetDir", "weights", got "lr"$/,
    );
    assert.match(
      err(validateTrainToWebview({ type: "validation", errors: { epochs: 3 }, preview: "" })),
      /"validation"\.errors\.epochs must be a string, got 3/,
    );
    assert.match(
      err(validateTrainToWebview({ type: "models", models: [{ id: "a", label: "b" }], selected: "" })),
      /"models"\.models\[0\]\.detail must be a string, got undefined/,
    );
  });

  it("read a panel's restore information from its saved state", () => {
    assert.deepEqual(restoreInfoOf({ restore: { model: { uri: "u", file: "f", model: "m" }, runs: null }, other: 1 }), {
      model: { uri: "u", file: "f", model: "m" },
      runs: null,
    });
    assert.equal(restoreInfoOf({ restore: { model: 3 } }), null);
    assert.equal(restoreInfoOf(undefined), null);
  });
});

describe("panel page", () => {
  it("has a strict CSP with the nonce, loads only its own script and stylesheet", () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(nonce, makeNonce());
    const html = panelHtml({
      panel: "graph",
      title: "Graph: <resnet>",
      scriptUri: "https://x/graph.js",
      styleUri: "https://x/graph.css",
      cspSource: "https://x",
      nonce,
    });
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://x/graph.js"></script>`));
    assert.ok(html.includes("<title>Graph: &#60;resnet&#62;</title>"));
    assert.equal((html.match(/<script/g) ?? []).length, 1, "one script, no inline code");
    assert.doesNotMatch(html, /style="/);
    const csp = contentSecurityPolicy("https://x", nonce);
    assert.match(
      csp,
      /^default-src 'none'; script-src 'nonce-[^']+'; style-src https:\/\/x 'nonce-[^']+'; img-src https:\/\/x data: blob:; font-src https:\/\/x; connect-src 'none'/,
    );
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
    assert.throws(() => panelHtml({ panel: "graph", title: "", scriptUri: "", styleUri: "", cspSource: "", nonce: "short" }), /nonce/);
  });
});

describe("model data for the panels", () => {
  it("lists spatial layers and convolutions of a real analysis", () => {
    const { model } = analyze("examples/densenet.ts", "densenet121");
    const layers = spatialLayers(model);
    assert.equal(layers[0]!.label, "input");
    assert.ok(layers.every((l) => l.shape.length === 3 && l.receptiveField !== null));
    const convs = convLayers(model);
    assert.equal(convs.length, 120, "DenseNet-121: 120 convolutions");
    assert.deepEqual(convs[0]!.weightShape, [64, 3, 7, 7]);
  });

  it("says when the graph's totals are partial (the forward pass stopped at an error)", () => {
    const whole = graphViewOf(analyze("examples/lenet5.ts", "lenet5").model);
    assert.equal(whole.complete, true);
    const { ref, model } = analyze("test/fixtures/diagnostics/endless-forward-loop.ts", "net");
    const partial = graphViewOf(model);
    assert.equal(partial.complete, false);
    const snapshot = { type: "snapshot", model: ref, models: ["net"], graph: partial, diagnostics: [], message: "" };
    assert.deepEqual(validateGraphToWebview(snapshot), { ok: true, value: snapshot });
    assert.equal(validateGraphToWebview({ ...snapshot, graph: { ...partial, complete: undefined } }).ok, false);
    // a shape error inside forward leaves an unknown tensor rather than throwing: partial all the same
    assert.equal(graphViewOf(analyze("test/fixtures/diagnostics/forward-channel-mismatch.ts", "net").model).complete, false);
  });

  it("draws DenseNet's concatenations as such, owned by their dense block", () => {
    const { model } = analyze("examples/densenet.ts", "densenet121");
    const view = graphViewOf(model);
    const cats = view.nodes.filter((n) => n.type === "cat");
    assert.ok(cats.length > 50);
    // every block's closing concatenation belongs to its block (not to the transition that consumes it)
    const inBlocks = cats.filter((c) => c.owner.startsWith("features.denseblock"));
    assert.ok(inBlocks.length >= cats.length - 4, [...new Set(cats.map((c) => c.owner))].join(", "));
    assert.ok(!cats.some((c) => c.owner.startsWith("features.transition")));
    const all = visibleGraph(view, new Set());
    assert.ok(all.edges.filter((e) => e.concat).length > 100);
  });
});

describe("metrics.jsonl reader", () => {
  it("follows appends, waits for a torn last line, starts over after a rewind", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-tail-"));
    const file = path.join(dir, "metrics.jsonl");
    const step = (g: number) =>
      JSON.stringify({ type: "step", epoch: 1, step: g, globalStep: g, loss: 1 / g, accuracy: 0.5, lr: 0.1, imagesPerSecond: 100, time: "" }) + "\n";
    fs.writeFileSync(file, step(1) + step(2));
    const tail = new MetricsTail(dir);
    assert.deepEqual([...(await tail.read())!.steps.globalStep], [1, 2]);
    assert.equal(await tail.read(), null, "nothing new");
    const third = step(3);
    fs.appendFileSync(file, third.slice(0, 20));
    assert.deepEqual([...((await tail.read())?.steps.globalStep ?? [])], [], "a torn line waits");
    fs.appendFileSync(
      file,
      third.slice(20) +
        "not json\n" +
        JSON.stringify({ type: "epoch", epoch: 1, trainLoss: null, trainAccuracy: 0.5, valLoss: 2, valAccuracy: 0.4, lr: 0.1 }) +
        "\n",
    );
    const c = (await tail.read())!;
    assert.deepEqual([...c.steps.globalStep], [3]);
    assert.deepEqual([...c.epochs.globalStep], [3]);
    assert.ok(Number.isNaN(c.epochs.trainLoss[0]!));
    assert.ok(Number.isNaN(c.steps.time[0]!), "an empty time is NaN");
    // issue 19: the records' times, in milliseconds, for the time axes
    fs.appendFileSync(file, JSON.stringify({ type: "step", epoch: 1, step: 4, globalStep: 4, loss: 1, time: "2026-12-07T21:00:00.250Z" }) + "\n");
    assert.deepEqual([...(await tail.read())!.steps.time], [Date.UTC(2026, 11, 7, 21, 0, 0, 250)]);
    fs.writeFileSync(file, step(1));
    const r = (await tail.read())!;
    assert.equal(r.reset, true);
    assert.deepEqual([...r.steps.globalStep], [1]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a file many times its read chunk in bounded pieces: lines across chunks, multi-byte characters, an over-long line skipped", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-tail-"));
    const file = path.join(dir, "metrics.jsonl");
    const step = (g: number) =>
      JSON.stringify({ type: "step", epoch: 1, step: g, globalStep: g, loss: 1 / g, accuracy: 0.5, lr: 0.1, imagesPerSecond: 100, time: "é€😀" }) + "\n";
    const lines = Array.from({ length: 500 }, (_, i) => step(i + 1));
    lines.splice(250, 0, `{"type":"step","note":"${"x".repeat(5000)}"}\n`);
    fs.writeFileSync(file, lines.join(""));
    const chunk = 61; // smaller than one line, and odd: chunks end inside lines and inside UTF-8 sequences
    assert.ok(fs.statSync(file).size > 1000 * chunk);
    const tail = new MetricsTail(dir, chunk);
    const reads: number[] = [];
    const probe = await fs.promises.open(file, "r");
    const fh = Object.getPrototypeOf(probe) as { read: (...a: unknown[]) => Promise<{ bytesRead: number }> };
    await probe.close();
    const original = fh.read;
    fh.read = async function (this: unknown, ...a: unknown[]) {
      const r = await original.apply(this, a);
      reads.push(r.bytesRead);
      return r;
    };
    let c;
    try {
      c = (await tail.read())!;
    } finally {
      fh.read = original;
    }
    assert.deepEqual(
      [...c.steps.globalStep],
      Array.from({ length: 500 }, (_, i) => i + 1),
      "every record, the long line's too (it is under the limit)",
    );
    assert.ok(reads.length > 1000 && Math.max(...reads) <= chunk, `bounded reads: ${reads.length}, largest ${Math.max(...reads)}`);
    // a line over the line limit is skipped up to its end, the next ones are read
    fs.writeFileSync(file, `${"y".repeat(300)}\nshort\n${"z".repeat(50)}`);
    const got: string[] = [];
    const lt = new LineTail(file, 64, 100);
    await lt.read((l) => got.push(l));
    fs.appendFileSync(file, "\nafter\n");
    await lt.read((l) => got.push(l));
    assert.deepEqual(got, ["short", "z".repeat(50), "after"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
