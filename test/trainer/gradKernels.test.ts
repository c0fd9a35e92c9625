import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type * as tfc from "@tensorflow/tfjs-core";
import { selectBackend } from "../../src/trainer/model/backend";
import { gradKernelConfigs, GRAD_KERNEL_NAMES } from "../../src/trainer/model/gradKernels";
import { TFJS_GRADIENTS } from "../../src/trainer/model/tfjsGradients";
import type { TF } from "../../src/trainer/model/types";

/**
 * The gradient kernels of src/trainer/model/gradKernels.ts (convolution filter and input
 * gradients, depthwise ones, max and average pooling; on wasm also its faster forward kernels)
 * and the FusedConv2D gradient of src/trainer/model/tfjsGradients.ts, on small shapes with stride, padding (numbers, "same",
 * "valid", explicit and asymmetric), dilation, even kernels and channel multipliers:
 * - against tfjs's own cpu kernels (the reference implementation, element loops);
 * - on wasm (where they are registered) and on cpu (called directly);
 * - against finite differences of the forward convolution: the loss sum(conv(x, f)·R) is
 *   bilinear in (x, f), so a central difference along a random direction is exact up to rounding.
 */

type Shape4 = [number, number, number, number];
type Pad = number | "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: Shape4;
  k: [number, number];
  co: number;
  s: [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 6, 3], k: [3, 3], co: 4, s: [1, 1], pad: 0 },
  { x: [2, 7, 6, 3], k: [3, 3], co: 4, s: [1, 1], pad: 1 },
  { x: [2, 7, 6, 3], k: [3, 3], co: 4, s: [2, 2], pad: 1 },
  { x: [2, 8, 8, 3], k: [3, 3], co: 2, s: [2, 1], pad: "same" },
  { x: [2, 8, 7, 2], k: [2, 2], co: 3, s: [2, 2], pad: "valid" },
  { x: [2, 9, 9, 2], k: [5, 3], co: 3, s: [3, 2], pad: 2 },
  { x: [2, 6, 6, 4], k: [1, 1], co: 5, s: [1, 1], pad: 0 },
  { x: [2, 7, 7, 4], k: [1, 1], co: 5, s: [2, 2], pad: 0 },
  {
    x: [1, 6, 5, 3],
    k: [2, 3],
    co: 2,
    s: [1, 1],
    pad: [
      [0, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ],
  },
  { x: [1, 6, 6, 2], k: [4, 4], co: 2, s: [2, 2], pad: "same" },
];

interface DepthwiseCase extends Omit<ConvCase, "co"> {
  mult: number;
  d: [number, number];
}

const DEPTHWISE_CASES: DepthwiseCase[] = [
  { x: [2, 7, 6, 3], k: [3, 3], mult: 1, s: [1, 1], pad: 1, d: [1, 1] },
  { x: [2, 7, 6, 3], k: [3, 3], mult: 1, s: [2, 2], pad: 1, d: [1, 1] },
  { x: [2, 8, 8, 2], k: [3, 3], mult: 2, s: [2, 2], pad: "same", d: [1, 1] },
  { x: [2, 8, 7, 4], k: [2, 2], mult: 1, s: [1, 1], pad: "valid", d: [1, 1] },
  { x: [2, 9, 9, 2], k: [3, 3], mult: 3, s: [1, 1], pad: 2, d: [2, 2] },
  { x: [2, 9, 9, 2], k: [3, 3], mult: 1, s: [1, 1], pad: 2, d: [2, 2] },
  { x: [2, 9, 9, 2], k: [3, 3], mult: 3, s: [1, 1], pad: 2, d: [1, 1] },
  { x: [1, 7, 7, 3], k: [5, 5], mult: 1, s: [2, 2], pad: 2, d: [1, 1] },
];

interface PoolCase {
  x: Shape4;
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

const POOL_CASES: PoolCase[] = [
  { x: [2, 8, 6, 3], k: [2, 2], s: [2, 2], pad: "valid" },
  { x: [2, 9, 7, 3], k: [2, 2], s: [2, 2], pad: "valid" },
  { x: [2, 9, 7, 3], k: [3, 3], s: [2, 2], pad: "same" },
  { x: [2, 7, 7, 2], k: [3, 3], s: [1, 1], pad: 1 },
  { x: [2, 6, 6, 2], k: [2, 2], s: [1, 1], pad: "valid" },
  { x: [1, 10, 8, 2], k: [3, 2], s: [3, 2], pad: "valid" },
];

/** Deterministic pseudo-random values in [−1, 1), with some exact ties for max pooling. */
function values(n: number, seed: number, ties = false): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    if (ties && i % 7 === 3) out[i] = out[i - 1]!;
  }
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; scale: number } {
  assert.equal(a.length, b.length);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { abs, scale };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-5): void {
  const { abs, scale } = maxDiff(actual, expected);
  assert.ok(abs <= rel * Math.max(scale, 1e-3), `${what}: max |Δ| ${abs.toExponential(2)} for values up to ${scale.toExponential(2)}`);
}

let tf: TF;
/** Our kernels for cpu, called directly (the cpu registry keeps tfjs's own, the reference). */
let ours: Map<string, tfc.KernelConfig>;

before(async () => {
  // wasm: selectBackend registers our kernels there; cpu: tfjs's own stay registered.
  const wasm = await selectBackend("wasm", { strict: true, fastCpuKernels: false });
  assert.ok(wasm.ok);
  tf = wasm.tf;
  ours = new Map(gradKernelConfigs(tf, "cpu").map((k) => [k.kernelName, k]));
});

/** Runs kernel `name` on `backend` (the registered one, or ours on cpu) with float32 inputs given as arrays. */
async function run(
  backend: "cpu" | "wasm" | "cpu-ours",
  name: string,
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
  attrs: tfc.NamedAttrMap,
): Promise<Float32Array> {
  await tf.setBackend(backend === "wasm" ? "wasm" : "cpu");
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
  try {
    if (backend !== "cpu-ours") {
      const out = tf.engine().runKernel(name, ts, attrs) as tfc.Tensor;
      const data = out.dataSync() as Float32Array;
      out.dispose();
      return data;
    }
    const k = ours.get(name)!;
    const be = tf.backend() as unknown as { readSync(id: object): Float32Array; disposeData(id: object): void };
    const info = k.kernelFunc({ inputs: ts, backend: be, attrs }) as tfc.TensorInfo;
    const data = Float32Array.from(be.readSync(info.dataId));
    be.disposeData(info.dataId);
    return data;
  } finally {
    Object.values(ts).forEach((t) => t.dispose());
  }
}

/** Central difference of L(p) = Σ f(p)·R along direction v (bilinear losses: exact up to rounding). */
function directional(lossAt: (delta: number) => number, eps = 0.5): number {
  return (lossAt(eps) - lossAt(-eps)) / (2 * eps);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

test("our kernels cover what wasm lacks or gets wrong", async () => {
  await tf.setBackend("wasm");
  for (const name of GRAD_KERNEL_NAMES) assert.ok(tf.getKernel(name, "wasm"), `${name} registered for wasm`);
});

describe("Conv2DBackpropFilter and Conv2DBackpropInput", () => {
  CONV_CASES.forEach((c, i) => {
    const label = `x ${c.x.join("×")} k ${c.k.join("×")} → ${c.co}, stride ${c.s.join(",")}, pad ${JSON.stringify(c.pad)}`;
    test(label, async () => {
      const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.co];
      const xData = values(size(c.x), 10 + i);
      const fData = values(size(filterShape), 20 + i);
      await tf.setBackend("cpu");
      const yShape = tf.conv2d(tf.zeros(c.x) as tfc.Tensor4D, tf.zeros(filterShape) as tfc.Tensor4D, c.s, c.pad).shape;
      const dyData = values(size(yShape), 30 + i);
      const attrsF = { strides: c.s, pad: c.pad, dataFormat: "NHWC", filterShape } as unknown as tfc.NamedAttrMap;
      const attrsI = { strides: c.s, pad: c.pad, dataFormat: "NHWC", inputShape: c.x } as unknown as tfc.NamedAttrMap;
      const inF = { x: { data: xData, shape: c.x }, dy: { data: dyData, shape: yShape } };
      const inI = { dy: { data: dyData, shape: yShape }, filter: { data: fData, shape: filterShape } };
      const refF = await run("cpu", "Conv2DBackpropFilter", inF, attrsF);
      const refI = await run("cpu", "Conv2DBackpropInput", inI, attrsI);
      for (const be of ["wasm", "cpu-ours"] as const) {
        assertClose(await run(be, "Conv2DBackpropFilter", inF, attrsF), refF, `${be} filter gradient`);
        assertClose(await run(be, "Conv2DBackpropInput", inI, attrsI), refI, `${be} input gradient`);
      }
      // Finite differences of the forward convolution (on cpu) along random directions.
      await tf.setBackend("cpu");
      const x = tf.tensor(xData, c.x) as tfc.Tensor4D;
      const f = tf.tensor(fData, filterShape) as tfc.Tensor4D;
      const r = tf.tensor(dyData, yShape);
      const vf = values(size(filterShape), 40 + i);
      const vx = values(size(c.x), 50 + i);
      const loss = (xx: tfc.Tensor4D, ff: tfc.Tensor4D) => tf.tidy(() => tf.sum(tf.mul(tf.conv2d(xx, ff, c.s, c.pad), r)).dataSync()[0]!);
      const numF = directional((e) => loss(x, tf.add(f, tf.mul(tf.tensor(vf, filterShape), e)) as tfc.Tensor4D));
      const numX = directional((e) => loss(tf.add(x, tf.mul(tf.tensor(vx, c.x), e)) as tfc.Tensor4D, f));
      const wasmF = await run("wasm", "Conv2DBackpropFilter", inF, attrsF);
      const wasmI = await run("wasm", "Conv2DBackpropInput", inI, attrsI);
      assert.ok(Math.abs(dot(wasmF, vf) - numF) <= 1e-4 * Math.max(1, Math.abs(numF)), `filter gradient · v ${dot(wasmF, vf)} vs finite difference ${numF}`);
      assert.ok(Math.abs(dot(wasmI, vx) - numX) <= 1e-4 * Math.max(1, Math.abs(numX)), `input gradient · v ${dot(wasmI, vx)} vs finite difference ${numX}`);
      tf.dispose([x, f, r]);
    });
  });

  test("NCHW data (transposed around the NHWC computation)", async () => {
    const x: Shape4 = [2, 3, 7, 6];
    const filterShape: Shape4 = [3, 3, 3, 4];
    const yShape = [2, 4, 4, 3];
    const inF = { x: { data: values(size(x), 1), shape: x }, dy: { data: values(size(yShape), 2), shape: yShape } };
    const inI = { dy: inF.dy, filter: { data: values(size(filterShape), 3), shape: filterShape } };
    const attrsF = { strides: [2, 2], pad: 1, dataFormat: "NCHW", filterShape } as unknown as tfc.NamedAttrMap;
    const attrsI = { strides: [2, 2], pad: 1, dataFormat: "NCHW", inputShape: x } as unknown as tfc.NamedAttrMap;
    assertClose(await run("cpu-ours", "Conv2DBackpropFilter", inF, attrsF), await run("cpu", "Conv2DBackpropFilter", inF, attrsF), "NCHW filter gradient");
    assertClose(await run("cpu-ours", "Conv2DBackpropInput", inI, attrsI), await run("cpu", "Conv2DBackpropInput", inI, attrsI), "NCHW input gradient");
  });
});

describe("DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput", () => {
  DEPTHWISE_CASES.forEach((c, i) => {
    const label = `x ${c.x.join("×")} k ${c.k.join("×")} ×${c.mult}, stride ${c.s.join(",")}, pad ${JSON.stringify(c.pad)}, dilation ${c.d.join(",")}`;
    test(label, async () => {
      const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.mult];
      const xData = values(size(c.x), 60 + i);
      const fData = values(size(filterShape), 70 + i);
      await tf.setBackend("cpu");
      const yShape = tf.depthwiseConv2d(tf.zeros(c.x) as tfc.Tensor4D, tf.zeros(filterShape) as tfc.Tensor4D, c.s, c.pad, "NHWC", c.d).shape;
      const dyData = values(size(yShape), 80 + i);
      const attrsF = { strides: c.s, pad: c.pad, dilations: c.d, filterShape } as unknown as tfc.NamedAttrMap;
      const attrsI = { strides: c.s, pad: c.pad, dilations: c.d, inputShape: c.x } as unknown as tfc.NamedAttrMap;
      const inF = { x: { data: xData, shape: c.x }, dy: { data: dyData, shape: yShape } };
      const inI = { dy: { data: dyData, shape: yShape }, filter: { data: fData, shape: filterShape } };
      // tfjs's cpu depthwise gradient kernels ignore dilation (tfjs never asks for dilated
      // gradients): there, finite differences alone are the reference.
      const dilated = c.d[0] > 1 || c.d[1] > 1;
      const refF = dilated ? null : await run("cpu", "DepthwiseConv2dNativeBackpropFilter", inF, attrsF);
      const refI = dilated ? null : await run("cpu", "DepthwiseConv2dNativeBackpropInput", inI, attrsI);
      for (const be of ["cpu-ours", "wasm"] as const) {
        const gotF = await run(be, "DepthwiseConv2dNativeBackpropFilter", inF, attrsF);
        const gotI = await run(be, "DepthwiseConv2dNativeBackpropInput", inI, attrsI);
        if (refF && refI) {
          assertClose(gotF, refF, `${be} filter gradient`);
          assertClose(gotI, refI, `${be} input gradient`);
        } else if (be === "wasm") {
          assertClose(gotF, await run("cpu-ours", "DepthwiseConv2dNativeBackpropFilter", inF, attrsF), "wasm vs cpu filter gradient");
          assertClose(gotI, await run("cpu-ours", "DepthwiseConv2dNativeBackpropInput", inI, attrsI), "wasm vs cpu input gradient");
        }
      }
      await tf.setBackend("cpu");
      const x = tf.tensor(xData, c.x) as tfc.Tensor4D;
      const f = tf.tensor(fData, filterShape) as tfc.Tensor4D;
      const r = tf.tensor(dyData, yShape);
      const vf = values(size(filterShape), 90 + i);
      const vx = values(size(c.x), 95 + i);
      const loss = (xx: tfc.Tensor4D, ff: tfc.Tensor4D) => tf.tidy(() => tf.sum(tf.mul(tf.depthwiseConv2d(xx, ff, c.s, c.pad, "NHWC", c.d), r)).dataSync()[0]!);
      const numF = directional((e) => loss(x, tf.add(f, tf.mul(tf.tensor(vf, filterShape), e)) as tfc.Tensor4D));
      const numX = directional((e) => loss(tf.add(x, tf.mul(tf.tensor(vx, c.x), e)) as tfc.Tensor4D, f));
      const wasmF = await run("wasm", "DepthwiseConv2dNativeBackpropFilter", inF, attrsF);
      const wasmI = await run("wasm", "DepthwiseConv2dNativeBackpropInput", inI, attrsI);
      assert.ok(Math.abs(dot(wasmF, vf) - numF) <= 1e-4 * Math.max(1, Math.abs(numF)), `filter gradient · v ${dot(wasmF, vf)} vs finite difference ${numF}`);
      assert.ok(Math.abs(dot(wasmI, vx) - numX) <= 1e-4 * Math.max(1, Math.abs(numX)), `input gradient · v ${dot(wasmI, vx)} vs finite difference ${numX}`);
      tf.dispose([x, f, r]);
    });
  });
});

describe("MaxPoolGrad (PyTorch's routing: the first maximum of each window)", () => {
  POOL_CASES.forEach((c, i) => {
    test(`x ${c.x.join("×")} k ${c.k.join("×")}, stride ${c.s.join(",")}, pad ${JSON.stringify(c.pad)}, with ties`, async () => {
      const xData = values(size(c.x), 100 + i, true);
      await tf.setBackend("cpu");
      const y = tf.maxPool(tf.tensor(xData, c.x) as tfc.Tensor4D, c.k, c.s, c.pad as "same" | "valid" | number);
      const yData = y.dataSync() as Float32Array;
      const inputs = { dy: { data: values(y.size, 110 + i), shape: y.shape }, input: { data: xData, shape: c.x }, output: { data: yData, shape: y.shape } };
      y.dispose();
      const attrs = { filterSize: c.k, strides: c.s, pad: c.pad } as unknown as tfc.NamedAttrMap;
      const ref = await run("cpu", "MaxPoolGrad", inputs, attrs);
      assertClose(await run("wasm", "MaxPoolGrad", inputs, attrs), ref, "wasm");
      assertClose(await run("cpu-ours", "MaxPoolGrad", inputs, attrs), ref, "cpu (ours)");
    });
  });
});

describe("AvgPoolGrad (tfjs's definition: each output's gradient over the window size)", () => {
  POOL_CASES.forEach((c, i) => {
    test(`x ${c.x.join("×")} k ${c.k.join("×")}, stride ${c.s.join(",")}, pad ${JSON.stringify(c.pad)}`, async () => {
      const xData = values(size(c.x), 120 + i);
      await tf.setBackend("cpu");
      const yShape = tf.avgPool(tf.zeros(c.x) as tfc.Tensor4D, c.k, c.s, c.pad as "same" | "valid" | number).shape;
      const inputs = { dy: { data: values(size(yShape), 130 + i), shape: yShape }, input: { data: xData, shape: c.x } };
      const attrs = { filterSize: c.k, strides: c.s, pad: c.pad } as unknown as tfc.NamedAttrMap;
      const ref = await run("cpu", "AvgPoolGrad", inputs, attrs);
      assertClose(await run("wasm", "AvgPoolGrad", inputs, attrs), ref, "wasm");
      assertClose(await run("cpu-ours", "AvgPoolGrad", inputs, attrs), ref, "cpu (ours)");
    });
  });
});

describe("wasm forward kernels (Identity, Sum, Tanh)", () => {
  test("Identity shares the data and keeps it while either tensor lives", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(values(24, 140), [2, 3, 4]);
    const y = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), Array.from(values(24, 140)));
    y.dispose();
  });

  test("Sum over leading axes (column sums) and other axes", async () => {
    const shape = [5, 3, 4, 6];
    const data = values(size(shape), 150);
    const cases: { axis: number[]; keepDims: boolean }[] = [
      { axis: [0, 1, 2], keepDims: false },
      { axis: [0, 1, 2], keepDims: true },
      { axis: [0], keepDims: false },
      { axis: [1, 0], keepDims: false },
      { axis: [1, 2], keepDims: false },
      { axis: [0, 1, 2, 3], keepDims: false },
    ];
    for (const c of cases) {
      const attrs = { axis: c.axis, keepDims: c.keepDims } as unknown as tfc.NamedAttrMap;
      await tf.setBackend("wasm");
      const t = tf.tensor(data, shape);
      const out = tf.engine().runKernel("Sum", { x: t }, attrs) as tfc.Tensor;
      const got = { shape: out.shape, data: out.dataSync() };
      tf.dispose([t, out]);
      const ref = await run("cpu", "Sum", { x: { data, shape } }, attrs);
      await tf.setBackend("cpu");
      const refShape = tf.sum(tf.zeros(shape), c.axis, c.keepDims).shape;
      assert.deepEqual(got.shape, refShape, `shape for axes ${c.axis.join(",")}`);
      assertClose(got.data, ref, `sum over ${c.axis.join(",")}`);
    }
  });

  test("Tanh within 2·10⁻⁷ of tanh", async () => {
    const data = new Float32Array(4001).map((_, i) => (i - 2000) / 100);
    data[0] = -100;
    data[4000] = 100;
    const got = await run("wasm", "Tanh", { x: { data, shape: [data.length] } }, {});
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(got[i]! - Math.tanh(data[i]!)));
    assert.ok(worst <= 2e-7, `max |Δ| ${worst.toExponential(2)}`);
  });
});

describe("FusedConv2D gradient (src/trainer/model/tfjsGradients.ts)", () => {
  test("matches conv2d + bias, and skips gradients that are not needed", async () => {
    void TFJS_GRADIENTS;
    await tf.setBackend("wasm");
    const x = tf.tensor(values(2 * 7 * 6 * 3, 160), [2, 7, 6, 3]) as tfc.Tensor4D;
    const f = tf.tensor(values(3 * 3 * 3 * 4, 161), [3, 3, 3, 4]) as tfc.Tensor4D;
    const b = tf.tensor(values(4, 162), [4]);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    const r = tf.tensor(values(2 * 3 * 3 * 4, 163), [2, 3, 3, 4]);
    const attrs = { strides: [2, 2], pad, dataFormat: "NHWC", dilations: [1, 1], activation: "linear" } as unknown as tfc.NamedAttrMap;
    const fused = (xx: tfc.Tensor, ff: tfc.Tensor, bb: tfc.Tensor) =>
      tf.sum(tf.mul(tf.engine().runKernel("FusedConv2D", { x: xx, filter: ff, bias: bb }, attrs) as tfc.Tensor, r));
    const plain = (xx: tfc.Tensor, ff: tfc.Tensor, bb: tfc.Tensor) =>
      tf.sum(tf.mul(tf.add(tf.conv2d(xx as tfc.Tensor4D, ff as tfc.Tensor4D, [2, 2], pad), bb), r));
    const got = tf.grads(fused)([x, f, b]);
    const want = tf.grads(plain)([x, f, b]);
    got.forEach((g, i) => assertClose(g.dataSync(), want[i]!.dataSync(), `gradient ${["x", "filter", "bias"][i]}`));
    // Only the filter and bias gradients: no input gradient is computed.
    const calls: string[] = [];
    const kernel = tf.getKernel("Conv2DBackpropInput", "wasm")!;
    tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    tf.registerKernel({ ...kernel, kernelFunc: (a) => (calls.push("input"), kernel.kernelFunc(a)) });
    try {
      tf.dispose(tf.grads((ff: tfc.Tensor, bb: tfc.Tensor) => fused(x, ff, bb))([f, b]));
    } finally {
      tf.unregisterKernel("Conv2DBackpropInput", "wasm");
      tf.registerKernel(kernel);
    }
    assert.deepEqual(calls, []);
    tf.dispose([x, f, b, r, ...got, ...want]);
  });
});
