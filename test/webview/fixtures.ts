import * as path from "node:path";
import { Analyzer } from "../../src/analyzer/index";
import type { ModelAnalysis } from "../../src/shared/analysis";
import type { FeatureMapsResult, ModelRef, Tensor } from "../../src/shared/webview/common";
import type { EpochColumns, RunData, StepColumns } from "../../src/shared/webview/curves";
import { ROOT } from "./harness";

/** Recorded-style host messages for the panel tests: real analyses, synthetic metrics and tensors. */

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function analyze(file: string, model: string): { ref: ModelRef; model: ModelAnalysis } {
  const abs = path.join(ROOT, file);
  const r = new Analyzer().analyzeFile(abs);
  const m = r.models.find((x) => x.name === model);
  if (!m) throw new Error(`${file} has no model ${model} (it has ${r.models.map((x) => x.name).join(", ")})`);
  return { ref: { uri: `file://${abs}`, file: abs, model }, model: m };
}

/** A training run of `steps` optimiser steps (`perEpoch` per epoch) with plausible curves. */
export function syntheticRun(name: string, steps: number, perEpoch: number, seed: number, status: "running" | "completed" = "completed", lr = 0.001): RunData {
  const r = rng(seed);
  const st: StepColumns = {
    globalStep: new Float64Array(steps),
    epoch: new Float64Array(steps),
    loss: new Float64Array(steps),
    accuracy: new Float64Array(steps),
    lr: new Float64Array(steps),
    imagesPerSecond: new Float64Array(steps),
    time: new Float64Array(steps),
  };
  // one step every 40 ms or so from a start that differs per run (issue 19: time axes)
  const start = Date.UTC(2026, 10, 23, 10, 15) + seed * 3_600_000;
  const epochs = Math.floor(steps / perEpoch);
  const total = Math.max(steps, perEpoch * Math.ceil(steps / perEpoch));
  for (let i = 0; i < steps; i++) {
    const g = i + 1;
    const base = 2.3 * Math.exp(-g / (steps / 5 + 1)) + 0.08 + 0.05 * (seed % 3);
    st.globalStep[i] = g;
    st.epoch[i] = Math.floor(i / perEpoch) + 1;
    st.loss[i] = Math.max(0.01, base * (1 + 0.35 * (r() - 0.5)));
    st.accuracy[i] = Math.min(1, Math.max(0, 1 - base / 2.4 + 0.08 * (r() - 0.5)));
    st.lr[i] = (lr / 2) * (1 + Math.cos((Math.PI * g) / total));
    st.imagesPerSecond[i] = 1400 + 250 * Math.sin(g / 50) + 120 * (r() - 0.5);
    st.time[i] = start + g * (40 + 10 * seed);
  }
  const ep: EpochColumns = {
    epoch: new Float64Array(epochs),
    globalStep: new Float64Array(epochs),
    trainLoss: new Float64Array(epochs),
    trainAccuracy: new Float64Array(epochs),
    valLoss: new Float64Array(epochs),
    valAccuracy: new Float64Array(epochs),
    lr: new Float64Array(epochs),
    time: new Float64Array(epochs),
  };
  for (let e = 0; e < epochs; e++) {
    const g = (e + 1) * perEpoch;
    let l = 0;
    let a = 0;
    for (let i = e * perEpoch; i < g; i++) {
      l += st.loss[i]!;
      a += st.accuracy[i]!;
    }
    ep.epoch[e] = e + 1;
    ep.globalStep[e] = g;
    ep.trainLoss[e] = l / perEpoch;
    ep.trainAccuracy[e] = a / perEpoch;
    ep.valLoss[e] = (l / perEpoch) * 1.12 + 0.03;
    ep.valAccuracy[e] = Math.max(0, a / perEpoch - 0.025);
    ep.lr[e] = st.lr[g - 1]!;
    ep.time[e] = st.time[g - 1]! + 2000;
  }
  return {
    info: {
      id: `/runs/${name}`,
      name,
      status,
      model: "ourCnn",
      dataset: "mnist-sample",
      epochs: epochs || 1,
      stepsPerEpoch: perEpoch,
      batchSize: 64,
      optimizer: "adam",
      lr,
    },
    steps: st,
    epochs: ep,
  };
}

/** Columns [from, to) of a run (for `append` messages). */
export function slice(run: RunData, from: number, to: number, epochFrom: number, epochTo: number): { steps: StepColumns; epochs: EpochColumns } {
  const s = run.steps;
  const e = run.epochs;
  return {
    steps: {
      globalStep: s.globalStep.slice(from, to),
      epoch: s.epoch.slice(from, to),
      loss: s.loss.slice(from, to),
      accuracy: s.accuracy.slice(from, to),
      lr: s.lr.slice(from, to),
      imagesPerSecond: s.imagesPerSecond.slice(from, to),
      time: s.time.slice(from, to),
    },
    epochs: {
      epoch: e.epoch.slice(epochFrom, epochTo),
      globalStep: e.globalStep.slice(epochFrom, epochTo),
      trainLoss: e.trainLoss.slice(epochFrom, epochTo),
      trainAccuracy: e.trainAccuracy.slice(epochFrom, epochTo),
      valLoss: e.valLoss.slice(epochFrom, epochTo),
      valAccuracy: e.valAccuracy.slice(epochFrom, epochTo),
      lr: e.lr.slice(epochFrom, epochTo),
      time: e.time.slice(epochFrom, epochTo),
    },
  };
}

/** A synthetic RGB image `[3, h, w]` in [0, 1]: a sky gradient, a sun and a striped hill. */
export function syntheticImage(h: number, w: number, channels = 3): Tensor {
  const data = new Float32Array(channels * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sun = Math.hypot(x - w * 0.7, y - h * 0.3) < h * 0.12 ? 1 : 0;
      const hill = y > h * (0.65 + 0.1 * Math.sin((x / w) * Math.PI * 2)) ? 1 : 0;
      const stripes = hill && Math.floor(x / (w / 16)) % 2 === 0 ? 0.25 : 0;
      const rgb = hill ? [0.2 + stripes, 0.55 + stripes, 0.2] : sun ? [1, 0.85, 0.3] : [0.35 + (0.4 * y) / h, 0.55 + (0.3 * y) / h, 0.95];
      for (let c = 0; c < channels; c++) data[c * h * w + y * w + x] = channels === 3 ? rgb[c]! : (rgb[0]! + rgb[1]! + rgb[2]!) / 3;
    }
  }
  return { shape: [channels, h, w], data };
}

/**
 * Synthetic activations `[c, h, w]`: oriented gratings and blobs of different frequencies per
 * channel, ReLU-like (about a quarter of the values zero), channel 5 entirely zero (a dead unit).
 */
export function syntheticMaps(c: number, h: number, w: number, seed = 1): Tensor {
  const r = rng(seed);
  const data = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) {
    if (k === 5) continue;
    const angle = r() * Math.PI;
    const freq = 2 + r() * 10;
    const cx = r() * w;
    const cy = r() * h;
    const gain = 0.5 + 3 * r();
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    const off = k * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const u = (x * ca + y * sa) / w;
        const blob = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (0.05 * w * h));
        const v = gain * (Math.sin(u * freq * Math.PI * 2) * 0.6 + blob) - 0.25;
        data[off + y * w + x] = v > 0 ? v : 0;
      }
    }
  }
  return { shape: [c, h, w], data };
}

/**
 * Synthetic attention weights `[heads, queries, keys]` over a class token and a square patch grid:
 * each head looks at a blob around a point of its own (the class token at the grid's upper left
 * area, a patch near itself); every row sums to 1.
 */
export function syntheticAttention(heads: number, queries: number, keys: number): Tensor {
  const side = Math.round(Math.sqrt(keys - 1));
  const data = new Float32Array(heads * queries * keys);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < queries; q++) {
      const [qy, qx] = q === 0 ? [side * (0.3 + 0.03 * h), side * (0.35 + 0.02 * h)] : [Math.floor((q - 1) / side), (q - 1) % side];
      let sum = 0;
      const row = (h * queries + q) * keys;
      for (let k = 0; k < keys; k++) {
        const [ky, kx] = k === 0 ? [-side, -side] : [Math.floor((k - 1) / side), (k - 1) % side];
        const v = Math.exp(-((ky - qy) ** 2 + (kx - qx - (h % 3)) ** 2) / (2 + h));
        data[row + k] = v;
        sum += v;
      }
      for (let k = 0; k < keys; k++) data[row + k] = data[row + k]! / sum;
    }
  }
  return { shape: [heads, queries, keys], data };
}

export function featureMapsResult(requestId: number, nodeId: number, input: Tensor, maps: Tensor, label: number | null = 3): FeatureMapsResult {
  return { type: "featureMaps", requestId, checkpoint: null, input, label, maps: [{ nodeId, tensor: maps }] };
}

/** Synthetic conv kernels `[o, i, kh, kw]`: Gabor-like for the first layer, noise for deeper ones. */
export function syntheticKernels(o: number, i: number, kh: number, kw: number, seed = 2): Tensor {
  const r = rng(seed);
  const data = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++) {
    const angle = r() * Math.PI;
    const freq = 0.5 + r() * 1.5;
    const phase = r() * Math.PI * 2;
    const colour = [r() - 0.5, r() - 0.5, r() - 0.5];
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const u = (x - (kw - 1) / 2) * Math.cos(angle) + (y - (kh - 1) / 2) * Math.sin(angle);
          const env = Math.exp(-((x - (kw - 1) / 2) ** 2 + (y - (kh - 1) / 2) ** 2) / (0.25 * kh * kw));
          const g = env * Math.cos(freq * u + phase) * 0.2;
          data[((a * i + b) * kh + y) * kw + x] = i === 3 ? g * (1 + 2 * colour[b]!) : g + 0.05 * (r() - 0.5);
        }
      }
    }
  }
  return { shape: [o, i, kh, kw], data };
}

/** |d unit / d input|-like gradient `[c, h, w]`: a Gaussian around (cy, cx) of scale `sigma`, with noise. */
export function syntheticGradient(c: number, h: number, w: number, cy: number, cx: number, sigma: number, seed = 3): Tensor {
  const r = rng(seed);
  const data = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const g = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma * sigma));
        data[k * h * w + y * w + x] = (r() - 0.5) * 2 * g;
      }
    }
  }
  return { shape: [c, h, w], data };
}
