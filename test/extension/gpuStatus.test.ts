import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";

/** Issue 16: the status bar's GPU memory piece of a PyTorch run on CUDA. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
installFakeVscode(createFakeVscode(ROOT).api);
const { gpuMemoryText } = require("../../src/extension/train/trainingController") as typeof import("../../src/extension/train/trainingController");

test("the status bar shows the GPU memory in use and its peak when progress carries it, nothing otherwise", () => {
  const progress = {
    type: "progress" as const,
    epoch: 2,
    epochs: 5,
    step: 10,
    stepsPerEpoch: 100,
    globalStep: 110,
    loss: 0.3,
    accuracy: 0.912,
    imagesPerSecond: 1234.4,
    etaSeconds: 30,
    lr: 0.001,
  };
  assert.equal(gpuMemoryText(null), "");
  assert.equal(gpuMemoryText(progress), "");
  assert.equal(gpuMemoryText({ ...progress, gpuMemory: { allocated: 1.25 * 2 ** 30, maxAllocated: 3.4 * 2 ** 30 } }), " · GPU 1.3/3.4 GiB");
  assert.equal(gpuMemoryText({ ...progress, gpuMemory: { allocated: 40 * 2 ** 30, maxAllocated: 71.6 * 2 ** 30 } }), " · GPU 40/72 GiB");
});
