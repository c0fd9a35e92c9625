import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";
import { PROGRESS } from "./fixtures";

/** Issue 16: the status bar's GPU memory piece of a PyTorch run on CUDA. */

const ROOT = path.resolve(__dirname, "..", "..", "..");
installFakeVscode(createFakeVscode(ROOT).api);
const { gpuMemoryText } = require("../../src/extension/train/trainingController") as typeof import("../../src/extension/train/trainingController");

test("the status bar shows the GPU memory in use and its peak when progress carries it, nothing otherwise", () => {
  assert.equal(gpuMemoryText(null), "");
  assert.equal(gpuMemoryText(PROGRESS), "");
  assert.equal(gpuMemoryText({ ...PROGRESS, gpuMemory: { allocated: 1.25 * 2 ** 30, maxAllocated: 3.4 * 2 ** 30 } }), " · GPU 1.3/3.4 GiB");
  assert.equal(gpuMemoryText({ ...PROGRESS, gpuMemory: { allocated: 40 * 2 ** 30, maxAllocated: 71.6 * 2 ** 30 } }), " · GPU 40/72 GiB");
});
