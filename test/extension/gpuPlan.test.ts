import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compareVersions,
  decisionMessage,
  cudaRuntimeMajorsFromNames,
  cudnnVersionsFromNames,
  parseCudnnHeader,
  parseNvccVersion,
  parseSmiCuda,
  parseSmiQuery,
  planGpuInstall,
  type GpuProbe,
} from "../../src/extension/commands/gpuPlan";
import { probeGpu } from "../../src/extension/commands/gpuProbe";

const OK_LINUX: GpuProbe = {
  platform: "linux",
  arch: "x64",
  gpus: [{ name: "NVIDIA GeForce RTX 3090", driverVersion: "535.104.05" }],
  driverCuda: "12.2",
  nvccVersion: "11.2",
  cudaRuntimeMajors: [11],
  cudnnVersions: ["8.1.0"],
  searched: ["/usr/local/cuda-11.2/lib64"],
};

interface Row {
  name: string;
  probe: GpuProbe;
  kind: "plan" | "refuse";
  /** A piece of text every expected reason (refusal) or the URL (plan) must contain. */
  says: RegExp[];
  platformSupported?: boolean;
}

const ROWS: Row[] = [
  {
    name: "OK: Linux x64, driver 535, CUDA 11.2, cuDNN 8.1",
    probe: OK_LINUX,
    kind: "plan",
    says: [/^https:\/\/storage\.googleapis\.com\/tensorflow\/libtensorflow\/libtensorflow-gpu-linux-x86_64-2\.9\.1\.tar\.gz$/],
  },
  {
    name: "no GPU: nvidia-smi not found",
    probe: { ...OK_LINUX, gpus: undefined, smiProblem: "nvidia-smi not found", driverCuda: undefined },
    kind: "refuse",
    says: [/No NVIDIA driver found \(nvidia-smi not found\)/],
    platformSupported: true,
  },
  {
    name: "no GPU: nvidia-smi lists none",
    probe: { ...OK_LINUX, gpus: [] },
    kind: "refuse",
    says: [/lists no NVIDIA GPU/],
    platformSupported: true,
  },
  {
    name: "driver too old (440, CUDA 10.2)",
    probe: { ...OK_LINUX, gpus: [{ name: "Tesla T4", driverVersion: "440.33.01" }], driverCuda: "10.2" },
    kind: "refuse",
    says: [/driver 440\.33\.01 is older than 450\.80\.02/, /supports CUDA up to 10\.2/],
  },
  {
    name: "CUDA 12 only (runtime 12, nvcc 12.4)",
    probe: { ...OK_LINUX, nvccVersion: "12.4", cudaRuntimeMajors: [12], cudnnVersions: ["9.1.0"] },
    kind: "refuse",
    says: [/Only CUDA 12 is installed.*libcudart\.so\.11\.0/, /Only cuDNN 9\.1\.0 is installed/],
  },
  {
    name: "CUDA 12 toolkit only, no runtime library found",
    probe: { ...OK_LINUX, nvccVersion: "12.1", cudaRuntimeMajors: [], cudnnVersions: [] },
    kind: "refuse",
    says: [/Only CUDA 12 is installed/, /No cuDNN 8 library/],
  },
  {
    name: "cuDNN 8.0 too old",
    probe: { ...OK_LINUX, cudnnVersions: ["8.0.5"] },
    kind: "refuse",
    says: [/cuDNN 8\.0\.5 is older than 8\.1/],
  },
  {
    name: "macOS",
    probe: { ...OK_LINUX, platform: "darwin", arch: "arm64", gpus: undefined },
    kind: "refuse",
    says: [/macOS has no CUDA/],
    platformSupported: false,
  },
  {
    name: "Linux arm64",
    probe: { ...OK_LINUX, arch: "arm64" },
    kind: "refuse",
    says: [/x86_64 only, not arm64/],
    platformSupported: false,
  },
  {
    name: "Windows x64 with CUDA 11 and cuDNN 8: the .zip, and a note on compiling the binding",
    probe: { ...OK_LINUX, platform: "win32", gpus: [{ name: "NVIDIA RTX A4000", driverVersion: "528.89" }], cudnnVersions: ["8"] },
    kind: "plan",
    says: [/libtensorflow-gpu-windows-x86_64-2\.9\.1\.zip$/],
  },
  {
    name: "Windows with a driver below 452.39",
    probe: { ...OK_LINUX, platform: "win32", gpus: [{ name: "GTX 1080", driverVersion: "451.48" }] },
    kind: "refuse",
    says: [/older than 452\.39/],
  },
];

for (const row of ROWS) {
  test(`planGpuInstall: ${row.name}`, () => {
    const d = planGpuInstall(row.probe);
    assert.equal(d.kind, row.kind, JSON.stringify(d));
    if (d.kind === "plan") {
      assert.equal(d.npmPackage, "@tensorflow/tfjs-node-gpu@4.22.0");
      for (const re of row.says) assert.match(d.libtensorflowUrl, re);
    } else {
      const text = d.reasons.join("\n");
      for (const re of row.says) assert.match(text, re);
      if (row.platformSupported !== undefined) assert.equal(d.platformSupported, row.platformSupported);
    }
    assert.ok(d.facts.some((f) => f.startsWith("Platform: ")));
  });
}

test("planGpuInstall: Windows plan warns that the binding may be compiled; cuDNN without a minor is a warning", () => {
  const d = planGpuInstall(ROWS[9]!.probe);
  assert.equal(d.kind, "plan");
  if (d.kind !== "plan") return;
  assert.ok(d.warnings.some((w) => /Visual Studio Build Tools/.test(w)));
  assert.ok(d.warnings.some((w) => /minor version could not be read/.test(w)));
});

test("the parsers read recorded nvidia-smi, nvcc and cuDNN outputs", () => {
  assert.deepEqual(parseSmiQuery("NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA A100-SXM4-40GB, 550.54.15\n"), [
    { name: "NVIDIA H100 80GB HBM3", driverVersion: "550.54.15" },
    { name: "NVIDIA A100-SXM4-40GB", driverVersion: "550.54.15" },
  ]);
  assert.deepEqual(parseSmiQuery("No devices were found\n"), []);
  assert.equal(parseSmiCuda("| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |"), "12.2");
  assert.equal(parseSmiCuda("garbage"), undefined);
  assert.equal(parseNvccVersion("nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 11.2, V11.2.152\n"), "11.2");
  assert.equal(parseCudnnHeader("#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 1\n"), "8.1.1");
  assert.deepEqual(cudaRuntimeMajorsFromNames(["libcudart.so.11.0", "libcudart.so.12", "cudart64_110.dll", "libcublas.so.11", "cudart64_12.dll"]), [11, 12]);
  assert.deepEqual(cudnnVersionsFromNames(["libcudnn.so.8", "libcudnn.so.8.1.0", "libcudnn_ops_infer.so.8", "libcudnn.so.9"]), ["8.1.0", "9"]);
  assert.deepEqual(cudnnVersionsFromNames(["cudnn64_8.dll"]), ["8"]);
  assert.equal(compareVersions("450.80.02", "450.80.2"), 0);
  assert.equal(compareVersions("440.33.01", "450.80.02"), -1);
});

test("probeGpu on macOS reports no driver without running anything", async () => {
  const p = await probeGpu("darwin", "arm64", {});
  assert.equal(p.gpus, undefined);
  assert.equal(planGpuInstall(p).kind, "refuse");
});

test("probeGpu on this machine returns a probe the plan can judge (never throws)", async () => {
  const p = await probeGpu();
  const d = planGpuInstall(p);
  assert.ok(d.kind === "plan" || d.reasons.length > 0);
});

test("decisionMessage: a plan names the npm package, the libtensorflow URL and the binding's host; a refusal its reasons and the PyTorch engine", () => {
  const plan = decisionMessage(planGpuInstall(OK_LINUX));
  assert.match(plan, /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
  assert.match(plan, /https:\/\/storage\.googleapis\.com\/tensorflow\/libtensorflow\/libtensorflow-gpu-linux-x86_64-2\.9\.1\.tar\.gz/);
  assert.match(plan, /storage\.googleapis\.com\/tf-builds\/pre-built-binary/);
  assert.match(plan, /GPU: NVIDIA GeForce RTX 3090, driver 535\.104\.05/);
  const refusal = decisionMessage(planGpuInstall({ ...OK_LINUX, gpus: undefined, smiProblem: "nvidia-smi not found" }));
  assert.match(refusal, /cannot work on this machine/);
  assert.match(refusal, /No NVIDIA driver found/);
  assert.match(refusal, /--backend torch/);
});
