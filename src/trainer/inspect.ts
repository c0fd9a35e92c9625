import { normalizationFor } from "./data/normalize";
import type { DataConfig } from "../shared/trainConfigData";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as tfc from "@tensorflow/tfjs-core";
import { Analyzer, diskHost } from "../analyzer/index";
import type { FileAnalysis, ModelAnalysis } from "../shared/analysis";
import { notUsedText, validateTrainConfig, type DatasetSpec, type InspectQuery, type InspectResult } from "../shared/training";
import type { DatasetSummary, InputSpec, Tensor } from "../shared/webview/common";
import type { Unit } from "../shared/webview/receptiveField";
import { readCheckpoint, type LoadedCheckpoint } from "./checkpoint";
import { IDENTITY_NORMALIZATION } from "./data/batches";
import { fail, fillBatch, loadDataset, normalizationTable, ok, type ImageDataset, type Normalization, type Result, type Split } from "./data/index";
import type { CompiledModel, TF } from "./model/types";
import { findModel, modelInputSpec, type BackendSelection, type SessionDeps } from "./runSetup";
import { assignWeights, checkpointMisfit, copyWeights } from "./weights";
import { classProbabilities, gradCam } from "./explain";
import { evaluateRun, runSplit, sampleImages } from "./evaluate";
import { Lru } from "./lru";
import type { EvaluationSplit } from "../shared/evaluation";

/**
 * Answers the panels' questions about a model's weights (src/shared/training.ts, "Inspection"):
 * feature maps and input gradients for one input, with a checkpoint's weights or the untrained
 * model's, a parameter of the untrained model, and the dataset samples come from. Used in the
 * trainer process (any trainer process serves `inspect` requests) and in-process (tests).
 *
 * - The file is analysed from disk, or from the editor's unsaved text when the query has it, so
 *   that node ids mean what the editor shows (cached while neither it nor its imports change).
 * - The model is compiled once per version of the file (its stamp, or the hash of the unsaved text;
 *   an LRU of MAX_MODELS and MODEL_BYTES, an older version dropped when a new one compiles), initialised with seed 0 (a run's default
 *   seed, so "untrained" is the initial state of such runs), on the backend "auto" picks. A
 *   checkpoint's weights are checked against the model like a resumed run's (src/trainer/weights.ts)
 *   and assigned to the same variables; the initial weights are kept to switch back.
 * - A checkpoint's samples and normalisation are its run's (config.json beside `checkpoints/`).
 *   The untrained model takes mnist-sample (1 channel) or shapes10-sample (3 channels) where that
 *   fits its input, else only pixels (not normalised). Pixels are normalised like the dataset.
 *
 * - Issue 17: `prepare` (a panel opened) does all of that ahead of the panel's first request, and
 *   one forward pass on zeros (the first pass of a backend is the slow one); the backend's start
 *   (the wasm module's compilation) runs while the file is analysed.
 *
 * Every answer is a value: a result, or an error that names what is wrong; nothing throws out.
 * Queries run one at a time (they share the compiled models' variables).
 */

type Shape3 = [number, number, number];

type Weights = ReadonlyMap<string, { shape: number[]; data: Float32Array }>;

interface ModelEntry {
  analysis: ModelAnalysis;
  /** One sample of the input: [C, H, W]. */
  input: Shape3;
  tf: TF;
  compiled: CompiledModel;
  initial: Weights;
  /** Whose weights the variables hold: "" the initial ones, else a checkpoint key; "?" while being assigned. */
  holds: string;
  /** Whether a forward pass has run (a `prepare` runs one on zeros). */
  warmed: boolean;
}

interface Data {
  dataset: ImageDataset | null;
  /** How inputs are normalised; null when that is unknown (the run's data cannot be read). */
  normalization: Normalization | null;
  /** Why there is no dataset. */
  reason: string;
}

const MAX_MODELS = 3;
const MAX_CHECKPOINTS = 3;
const MAX_DATASETS = 2;
/** Issue 17: the bytes of weights kept, beyond the newest entry (a compiled model counts twice: its variables and the initial copy). */
const MODEL_BYTES = 512 * 2 ** 20;
const CHECKPOINT_BYTES = 512 * 2 ** 20;

const bytesOf = (w: Weights): number => [...w.values()].reduce((n, t) => n + t.data.byteLength, 0);

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const show = (s: readonly (number | string)[]): string => `[${s.join(", ")}]`;

/** A stamp of files' modification times and sizes: changes when one of them does. */
function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = fs.statSync(f);
        return `${s.mtimeMs}:${s.size}`;
      } catch {
        return "missing";
      }
    })
    .join("|");
}

/** One sample's part of a batch's shape: [N, C, H, W] → [C, H, W] (a flat [N, C] as [C, 1, 1]). */
function sampleShape(shape: readonly (number | string)[]): Shape3 | null {
  const rest = shape.slice(1);
  if (shape.length === 0) return null;
  if (rest.length > 3 || !rest.every((d): d is number => typeof d === "number")) return null;
  const [c = 1, h = 1, w = 1] = rest;
  return [c, h, w];
}

function summaryOf(d: ImageDataset): DatasetSummary {
  return {
    name: d.name,
    channels: d.channels,
    height: d.height,
    width: d.width,
    classNames: [...d.classNames],
    trainCount: d.train.count,
    validationCount: d.validation.count,
  };
}

export class Inspector {
  /** Unsaved editor texts of the files queried (the text of the last query that gave one). */
  private readonly unsaved = new Map<string, string>();
  private readonly analyzer = new Analyzer({ readFile: (f) => this.unsaved.get(f) ?? diskHost.readFile(f) });
  private readonly files = new Map<string, { analysis: FileAnalysis; stamp: string }>();
  private readonly models = new Lru<ModelEntry>(
    MAX_MODELS,
    (m) => m.compiled.dispose(),
    (m) => 2 * bytesOf(m.initial),
    MODEL_BYTES,
  );
  private readonly checkpoints = new Lru<LoadedCheckpoint>(MAX_CHECKPOINTS, undefined, (c) => bytesOf(c.tensors), CHECKPOINT_BYTES);
  private readonly datasets = new Lru<Result<{ dataset: ImageDataset; stats: Normalization }>>(MAX_DATASETS);
  private backend: Promise<BackendSelection> | null = null;
  /** The split of the last evaluation (or samples query), for thumbnails. */
  private evaluated: { key: string; dataset: ImageDataset; split: Split } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly deps: SessionDeps) {}

  /** Answers one query (after the ones before it). Never throws. */
  inspect(q: InspectQuery): Promise<Result<InspectResult>> {
    const answer = this.queue.then(() => this.answer(q));
    this.queue = answer;
    return answer;
  }

  dispose(): void {
    this.disposed = true;
    this.models.clear();
    this.checkpoints.clear();
    this.datasets.clear();
    this.files.clear();
    this.evaluated = null;
  }

  private async answer(q: InspectQuery): Promise<Result<InspectResult>> {
    if (this.disposed) return fail("the inspector was shut down");
    try {
      return await this.compute(q);
    } catch (e) {
      // unexpected (a tfjs failure): the message for the user, the stack for the log
      if (e instanceof Error && e.stack) this.deps.log?.(e.stack);
      return fail(`${q.kind} of ${q.model} failed: ${message(e)}`);
    }
  }

  private async compute(q: InspectQuery): Promise<Result<InspectResult>> {
    if (q.kind === "evaluate") return this.evaluate(q.runDir, q.checkpoint, q.split);
    if (q.kind === "samples") return this.samples(q.runDir, q.split, q.indices);
    const m = await this.model(q.file, q.model, q.text);
    if (!m.ok) return m;
    const e = m.value;
    switch (q.kind) {
      case "prepare":
        return this.prepare(e, q.checkpoint);
      case "initialWeights": {
        const w = e.compiled.parameters.has(q.parameter) ? e.initial.get(q.parameter) : undefined;
        if (!w) {
          const names = [...e.compiled.parameters.keys()];
          return fail(
            `${q.model} has no parameter "${q.parameter}" (its parameters: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}${names.length === 0 ? "none" : ""})`,
          );
        }
        return ok({ kind: q.kind, weight: { shape: w.shape.slice(), data: w.data.slice() } });
      }
      case "dataset": {
        const d = this.data(e, q.checkpoint);
        return ok({ kind: q.kind, dataset: d.dataset ? summaryOf(d.dataset) : null });
      }
      case "predictions": {
        const weights = this.load(e, q.checkpoint);
        if (!weights.ok) return weights;
        const x = this.input(e, this.data(e, q.checkpoint), q.input);
        if (!x.ok) return x;
        const [C, H, W] = e.input;
        const t = e.tf.tensor4d(x.value.normalized, [1, C, H, W]);
        const p = classProbabilities(e.tf, e.compiled, t);
        t.dispose();
        return p.ok ? ok({ kind: q.kind, input: { shape: [C, H, W], data: x.value.raw }, label: x.value.label, probabilities: p.value }) : p;
      }
      case "gradCam":
      case "featureMaps":
      case "inputGradient":
      case "attention": {
        const ids = new Set(e.analysis.graph.map((n) => n.id));
        const unknown = (q.kind === "featureMaps" ? q.nodeIds : [q.nodeId]).filter((id) => !ids.has(id));
        if (unknown.length > 0) return fail(`${q.model} has no graph node ${unknown.join(", ")} (its nodes are 0 to ${e.analysis.graph.length - 1})`);
        const weights = this.load(e, q.checkpoint);
        if (!weights.ok) return weights;
        const x = this.input(e, this.data(e, q.checkpoint), q.input);
        if (!x.ok) return x;
        if (q.kind === "attention") return this.attention(e, x.value, q.nodeId);
        if (q.kind === "gradCam") return this.gradCam(e, x.value, q.nodeId, q.classIndex);
        return q.kind === "featureMaps" ? this.featureMaps(e, x.value, q.nodeIds) : this.inputGradient(e, x.value, q.nodeId, q.unit);
      }
    }
  }

  /** Issue 17: the checkpoint read and assigned, the dataset loaded, one forward pass run: what the first request would wait for. */
  private prepare(e: ModelEntry, checkpoint: string | null): Result<InspectResult> {
    const weights = this.load(e, checkpoint);
    if (!weights.ok) return weights;
    this.data(e, checkpoint); // cached, a failure too (the request that needs it reports it)
    if (!e.warmed) {
      const [C, H, W] = e.input;
      e.tf.tidy(() => void e.compiled.apply([e.tf.zeros([1, C, H, W])], false).dataSync());
      e.warmed = true;
    }
    return ok({ kind: "prepare" });
  }

  private featureMaps(e: ModelEntry, x: Input, nodeIds: readonly number[]): Result<InspectResult> {
    const { tf, compiled } = e;
    const [C, H, W] = e.input;
    const outputs = tf.tidy(() => {
      const acts = compiled.activations([tf.tensor4d(x.normalized, [1, C, H, W])], nodeIds);
      return nodeIds.map((id) => {
        const t = acts.get(id);
        if (t === undefined) throw new Error(`the model has no activation for graph node ${id}`);
        return { nodeId: id, shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) };
      });
    });
    const maps: { nodeId: number; tensor: Tensor }[] = [];
    for (const o of outputs) {
      const shape = sampleShape(o.shape);
      if (!shape || o.shape[0] !== 1) return fail(`graph node ${o.nodeId} outputs ${show(o.shape)}, not one sample's [C, H, W]`);
      maps.push({ nodeId: o.nodeId, tensor: { shape, data: o.data } });
    }
    return ok({ kind: "featureMaps", input: { shape: [C, H, W], data: x.raw }, label: x.label, maps });
  }

  /** One sample's attention weights of an attention layer, per head: `[heads, L, S]`. */
  private attention(e: ModelEntry, x: Input, nodeId: number): Result<InspectResult> {
    const node = e.analysis.graph.find((n) => n.id === nodeId)!;
    if (node.type !== "MultiheadAttention") return fail(`${node.label} (graph node ${nodeId}) is a ${node.type}, not an attention layer`);
    const { tf, compiled } = e;
    const [C, H, W] = e.input;
    const w = compiled.attentionWeights([tf.tensor4d(x.normalized, [1, C, H, W])], [nodeId]).get(nodeId)!;
    const [, heads, l, s] = w.shape as [number, number, number, number];
    const data = Float32Array.from(w.dataSync());
    w.dispose();
    return ok({ kind: "attention", input: { shape: [C, H, W], data: x.raw }, label: x.label, weights: { shape: [heads, l, s], data } });
  }

  /** Issue 18: Grad-CAM at a layer with a spatial output, overlaid by the panel on the input. */
  private gradCam(e: ModelEntry, x: Input, nodeId: number, classIndex: number | null): Result<InspectResult> {
    const node = e.analysis.graph.find((n) => n.id === nodeId)!;
    const out = node.output.length === 4 ? sampleShape(node.output) : null;
    if (!out)
      return fail(
        `${node.label} (graph node ${nodeId}) outputs ${show(node.output)}; Grad-CAM needs a layer with a spatial output [N, C, H, W] (a convolution or the layers after it)`,
      );
    const [C, H, W] = e.input;
    const input = e.tf.tensor4d(x.normalized, [1, C, H, W]);
    try {
      const g = gradCam(e.tf, e.compiled, input, nodeId, out, classIndex);
      if (!g.ok) return g;
      const { classIndex: c, cam, height, width, probabilities } = g.value;
      return ok({
        kind: "gradCam",
        input: { shape: [C, H, W], data: x.raw },
        label: x.label,
        classIndex: c,
        cam: { shape: [1, height, width], data: cam },
        probabilities,
      });
    } finally {
      input.dispose();
    }
  }

  private inputGradient(e: ModelEntry, x: Input, nodeId: number, unit: Unit): Result<InspectResult> {
    const node = e.analysis.graph.find((n) => n.id === nodeId)!;
    const out = sampleShape(node.output);
    const what = `${node.label} (graph node ${nodeId})`;
    if (!out) return fail(`${what} outputs ${show(node.output)}, not one sample's [C, H, W]`);
    const [oc, oh, ow] = out;
    if (unit.channel !== null && unit.channel >= oc) return fail(`channel ${unit.channel} is out of range: ${what} has ${oc} channels (0 to ${oc - 1})`);
    if (unit.y >= oh || unit.x >= ow)
      return fail(`unit (y ${unit.y}, x ${unit.x}) is out of range: ${what} outputs ${oh}×${ow} (y 0 to ${oh - 1}, x 0 to ${ow - 1})`);
    const { tf, compiled } = e;
    const [C, H, W] = e.input;
    const g = tf.tidy(() => {
      const f = (input: tfc.Tensor): tfc.Tensor => {
        const y = compiled.activations([input], [nodeId]).get(nodeId)!;
        const cell = tf.slice(tf.reshape(y, out), [unit.channel ?? 0, unit.y, unit.x], [unit.channel === null ? oc : 1, 1, 1]);
        return tf.sum(cell);
      };
      return tf.grad(f)(tf.tensor4d(x.normalized, [1, C, H, W]));
    });
    const gradient = Float32Array.from(g.dataSync());
    g.dispose();
    return ok({ kind: "inputGradient", input: { shape: [C, H, W], data: x.raw }, gradient: { shape: [C, H, W], data: gradient } });
  }

  // -- issue 18: evaluation of a run -------------------------------------------------------------

  /** A run's checkpoint on a split; the split is kept for the thumbnails asked next. */
  private async evaluate(runDir: string, checkpoint: string | null, split: EvaluationSplit): Promise<Result<InspectResult>> {
    const r = await evaluateRun({ runDir, split, ...(checkpoint !== null ? { checkpoint } : {}) }, this.deps);
    if (!r.ok) return r;
    this.evaluated = { key: `${runDir}\u0000${split}\u0000${stampOf([path.join(runDir, "config.json")])}`, dataset: r.value.dataset, split: r.value.split };
    const s = r.value.samples;
    return ok({ kind: "evaluate", report: r.value.report, labels: [...s.labels], predicted: [...s.predicted], confidence: [...s.confidence] });
  }

  private samples(runDir: string, which: EvaluationSplit, indices: readonly number[]): Result<InspectResult> {
    const key = `${runDir}\u0000${which}\u0000${stampOf([path.join(runDir, "config.json")])}`;
    if (this.evaluated?.key !== key) {
      const loaded = runSplit(runDir, which, this.deps);
      if (!loaded.ok) return loaded;
      this.evaluated = { key, ...loaded.value };
    }
    const images = sampleImages(this.evaluated.dataset, this.evaluated.split, indices);
    return images.ok ? ok({ kind: "samples", images: images.value }) : images;
  }

  // -- the model ---------------------------------------------------------------------------------

  private analysis(file: string, text: string | undefined): Result<{ analysis: FileAnalysis; stamp: string }> {
    if (text === undefined) this.unsaved.delete(file);
    else this.unsaved.set(file, text);
    const textHash = text === undefined ? "" : `\u0000${createHash("sha1").update(text).digest("hex")}`;
    const stamp = (a: FileAnalysis) => stampOf(a.dependencies) + textHash;
    const hit = this.files.get(file);
    if (hit && stamp(hit.analysis) === hit.stamp) return ok(hit);
    if (!path.isAbsolute(file)) return fail(`the model file must be an absolute path, got ${file}`);
    if (text === undefined && !fs.existsSync(file)) return fail(`cannot read the model file ${file}`);
    const analysis = (this.deps.analyze ?? ((f: string) => this.analyzer.analyzeFile(f)))(file);
    const entry = { analysis, stamp: stamp(analysis) };
    this.files.set(file, entry);
    return ok(entry);
  }

  private selectBackend(): Promise<BackendSelection> {
    if (this.backend === null) {
      const b = this.deps.selectBackend("auto");
      this.backend = b;
      // a failure is not kept: the next query tries again
      void b.then(
        (s) => (s.ok ? undefined : (this.backend = null)),
        () => (this.backend = null),
      );
    }
    return this.backend;
  }

  private async model(file: string, name: string, text: string | undefined): Promise<Result<ModelEntry>> {
    // issue 17: the backend starts (the wasm module compiles off the main thread) while the file is analysed
    const backend = this.selectBackend();
    const fa = this.analysis(file, text);
    if (!fa.ok) return fa;
    const { analysis, stamp } = fa.value;
    const found = findModel(analysis, file, name);
    if (!found.ok) return fail(found.error);
    const model = found.value;
    const input = model.inputs.length === 1 ? sampleShape(model.inputs[0]!) : null;
    if (!input || model.inputs[0]!.length !== 4)
      return fail(
        `${name} has @input ${model.inputs.map((s) => show(s)).join(", ") || "none"}; the panels need one image input [N, C, H, W] with numeric C, H and W`,
      );
    const prefix = `${file}\u0000${name}\u0000`;
    const key = prefix + stamp;
    const hit = this.models.get(key);
    if (hit) return ok(hit);
    this.models.deleteWhere((k) => k.startsWith(prefix)); // an older version of the file
    const be = await backend;
    if (!be.ok) return fail(`no usable TensorFlow.js backend: ${be.error}${be.notUsed.length ? ` (${notUsedText(be.notUsed)})` : ""}`);
    let compiled: CompiledModel;
    try {
      compiled = this.deps.compile(be.tf, model, { seed: 0 });
    } catch (e) {
      return fail(`cannot compile ${name}: ${message(e)}`);
    }
    return ok(this.models.put(key, { analysis: model, input, tf: be.tf, compiled, initial: copyWeights(compiled), holds: "", warmed: false }));
  }

  /** Puts the weights of `checkpoint` (null: the initial ones) into the model's variables. */
  private load(e: ModelEntry, checkpoint: string | null): Result<true> {
    let key = "";
    let values: Weights = e.initial;
    if (checkpoint !== null) {
      key = `${checkpoint}\u0000${stampOf([checkpoint])}`;
      let ck = this.checkpoints.get(key);
      if (ck === undefined) {
        const r = readCheckpoint(checkpoint, { weightsOnly: true });
        if (!r.ok) return r;
        ck = this.checkpoints.put(key, r.value);
      }
      if (e.holds !== key) {
        const misfit = checkpointMisfit(ck, e.compiled);
        if (misfit) return fail(`the checkpoint does not fit ${e.analysis.name} as the file defines it now: ${misfit}`);
      }
      values = ck.tensors;
    }
    if (e.holds === key) return ok(true);
    e.holds = "?";
    assignWeights(e.tf, e.compiled, values);
    e.holds = key;
    return ok(true);
  }

  // -- the data ----------------------------------------------------------------------------------

  /** The dataset and normalisation of a checkpoint's run, or the untrained model's default. */
  private data(e: ModelEntry, checkpoint: string | null): Data {
    const name = e.analysis.name;
    let source: Result<RunData>;
    if (checkpoint === null) {
      // issue 19: 3-channel models take the generated shapes10-sample
      const sample = e.input[0] === 1 ? "mnist-sample" : e.input[0] === 3 ? "shapes10-sample" : null;
      source =
        sample !== null
          ? ok({ dataset: { kind: sample }, normalize: true, validationFraction: 0.2, seed: 0 })
          : fail(`the untrained ${name} has no dataset (it takes ${e.input[0]} channels; mnist-sample has 1, shapes10-sample 3)`);
    } else {
      source = runConfig(checkpoint);
    }
    const spec = modelInputSpec(e.analysis);
    let loaded: Result<{ dataset: ImageDataset; stats: Normalization }>;
    if (!source.ok) loaded = source;
    else if (!spec.ok) loaded = fail(spec.error);
    else {
      const s = source.value;
      const key = JSON.stringify([s.dataset, s.validationFraction, s.seed, spec.value, s.data ?? null]);
      loaded =
        this.datasets.get(key) ??
        this.datasets.put(
          key,
          (() => {
            const r = loadDataset(s.dataset, {
              input: spec.value,
              validationFraction: s.validationFraction,
              seed: s.seed,
              ...(s.data ? { resize: s.data.resize } : {}),
            });
            if (!r.ok) return r;
            // issue 15: the run's --normalize (imagenet: fixed statistics); `normalize` false is handled below
            const stats = normalizationFor(s.data?.normalize === "imagenet" ? "imagenet" : "dataset", r.value);
            return stats.ok ? ok({ dataset: r.value, stats: stats.value }) : stats;
          })(),
        );
    }
    const identity = IDENTITY_NORMALIZATION(e.input[0]);
    const normalization = source.ok && !source.value.normalize ? identity : loaded.ok ? loaded.value.stats : checkpoint === null ? identity : null;
    return { dataset: loaded.ok ? loaded.value.dataset : null, normalization, reason: loaded.ok ? "" : loaded.error };
  }

  private input(e: ModelEntry, d: Data, spec: InputSpec): Result<Input> {
    const [C, H, W] = e.input;
    if (spec.kind === "sample") {
      if (!d.dataset) return fail(`there are no samples to show: ${d.reason}; draw or open an image instead`);
      const split = spec.split === "train" ? d.dataset.train : d.dataset.validation;
      if (spec.index >= split.count)
        return fail(`sample ${spec.index} is out of range: the ${spec.split} split of ${d.dataset.name} has ${split.count} images (0 to ${split.count - 1})`);
      const normalized = new Float32Array(C * H * W);
      const label = new Int32Array(1);
      fillBatch(
        split,
        [spec.index],
        { channels: C, height: H, width: W },
        normalizationTable(d.normalization ?? IDENTITY_NORMALIZATION(C)),
        null,
        null,
        normalized,
        label,
      );
      const raw = Float32Array.from(split.images.subarray(spec.index * C * H * W, (spec.index + 1) * C * H * W), (v) => v / 255);
      return ok({ raw, normalized, label: label[0]! });
    }
    const t = spec.tensor;
    if (show(t.shape) !== show([C, H, W]))
      return fail(`the input "${spec.name}" is ${show(t.shape)} but ${e.analysis.name} takes [C, H, W] = ${show([C, H, W])}`);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return fail(`the input "${spec.name}" has the value ${t.data[bad]} at index ${bad}; pixels must be finite numbers in [0, 1]`);
    const n = d.normalization;
    if (n === null) return fail(`cannot normalise "${spec.name}" as the run normalised its data: ${d.reason}`);
    const normalized = new Float32Array(C * H * W);
    for (let c = 0; c < C; c++) {
      const mean = n.mean[c] ?? 0;
      const std = n.std[c] ?? 1;
      for (let i = c * H * W; i < (c + 1) * H * W; i++) normalized[i] = (t.data[i]! - mean) / std;
    }
    return ok({ raw: Float32Array.from(t.data), normalized, label: null });
  }
}

interface Input {
  /** [C, H, W] in [0, 1], as given to the model before normalisation. */
  raw: Float32Array;
  normalized: Float32Array;
  label: number | null;
}

/** What the panels need of a run's configuration: its data and how it was normalised. */
type RunData = { dataset: DatasetSpec; normalize: boolean; validationFraction: number; seed: number; data?: DataConfig };

/** The configuration of the run a checkpoint belongs to (`<run>/checkpoints/<name>.json`). */
function runConfig(checkpoint: string): Result<RunData> {
  const runDir = path.dirname(path.dirname(checkpoint));
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8"));
  } catch (e) {
    return fail(`the run ${runDir} has no readable config.json (${(e as NodeJS.ErrnoException).code ?? message(e)})`);
  }
  const c = validateTrainConfig(saved);
  return c.ok ? ok(c.value) : fail(`the run ${runDir} has an invalid config.json (${c.error})`);
}
