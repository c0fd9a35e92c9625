/**
 * Whether `@tensorflow/tfjs-node-gpu` can work on this machine, decided from what the probe
 * (./gpuProbe.ts) found: the platform, the NVIDIA driver (`nvidia-smi`), the CUDA runtime libraries
 * and cuDNN. Pure: no process, no file system, so every case is a table row in
 * test/extension/gpuPlan.test.ts.
 *
 * The facts, from tfjs-node 4.22.0 (`scripts/deps-constants.js`, `scripts/install.js` and its
 * README): the package's install script downloads libtensorflow 2.9.1 (GPU build) from
 * `https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-gpu-<os>-x86_64-2.9.1.<tar.gz|zip>`
 * (only `gpu-linux-x86_64` and `gpu-windows-x86_64` exist; `TFJS_NODE_CDN_STORAGE` /
 * `TFJS_NODE_BASE_URI` override the host), then node-pre-gyp fetches the prebuilt N-API binding
 * from `storage.googleapis.com/tf-builds/pre-built-binary/` or compiles it with node-gyp.
 * libtensorflow 2.9 is built against CUDA 11.2 and cuDNN 8.1: it loads `libcudart.so.11.0` and
 * `libcudnn.so.8`, and needs an NVIDIA driver of at least 450.80.02 (Linux) / 452.39 (Windows).
 * CUDA 12 libraries or cuDNN 9 alone do not satisfy it: TensorFlow then finds no GPU.
 */

export const TFJS_VERSION = "4.22.0";
export const LIBTENSORFLOW_VERSION = "2.9.1";
export const LIBTENSORFLOW_BASE = "https://storage.googleapis.com/tensorflow/libtensorflow/";
export const BINDING_HOST = "https://storage.googleapis.com/tf-builds/pre-built-binary/";
/** Lowest driver of CUDA 11.x's minor-version compatibility, per OS. */
export const MIN_DRIVER: Readonly<Record<"linux" | "win32", string>> = { linux: "450.80.02", win32: "452.39" };
export const NEEDED_CUDA = "11.2";
export const NEEDED_CUDNN = "8.1";

export interface GpuInfo {
  name: string;
  driverVersion: string;
}

/** What the probe found; a field is undefined where the probe could not tell. */
export interface GpuProbe {
  platform: string;
  arch: string;
  /** The GPUs `nvidia-smi --query-gpu` listed; undefined when nvidia-smi is missing or failed. */
  gpus: readonly GpuInfo[] | undefined;
  /** Why nvidia-smi gave nothing (not found, timed out, its error). */
  smiProblem?: string;
  /** The highest CUDA version the driver supports (nvidia-smi's header). */
  driverCuda?: string;
  /** The CUDA toolkit's version from `nvcc --version`. */
  nvccVersion?: string;
  /** Major versions of the CUDA runtime libraries found (libcudart.so.11.0 → 11, cudart64_110.dll → 11). */
  cudaRuntimeMajors: readonly number[];
  /** cuDNN versions found (from cudnn_version.h or the libraries' file names), e.g. "8.1.0", "9". */
  cudnnVersions: readonly string[];
  /** Where the libraries were looked for, to show the user. */
  searched: readonly string[];
}

export interface InstallPlan {
  kind: "plan";
  /** The npm package and version installed. */
  npmPackage: string;
  /** The libtensorflow archive its install script downloads. */
  libtensorflowUrl: string;
  bindingHost: string;
  /** The facts found, one line each. */
  facts: string[];
  /** Things that work but deserve a word (a fallback build of the binding, several GPUs). */
  warnings: string[];
}

export interface InstallRefusal {
  kind: "refuse";
  facts: string[];
  /** Why it cannot work, one sentence each. */
  reasons: string[];
  /** Whether the platform could run tfjs-node-gpu at all (then "Install anyway" makes sense). */
  platformSupported: boolean;
}

export type GpuInstallDecision = InstallPlan | InstallRefusal;

/** Compares dotted versions numerically ("450.80.02" < "535.104.05"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const majorOf = (v: string): number => Number.parseInt(v, 10);

export function libtensorflowUrl(platform: "linux" | "win32"): string {
  const os = platform === "win32" ? "windows" : "linux";
  const ext = platform === "win32" ? "zip" : "tar.gz";
  return `${LIBTENSORFLOW_BASE}libtensorflow-gpu-${os}-x86_64-${LIBTENSORFLOW_VERSION}.${ext}`;
}

export function probeFacts(p: GpuProbe): string[] {
  const facts = [`Platform: ${p.platform} ${p.arch}`];
  if (p.gpus === undefined) facts.push(`NVIDIA driver: not found (${p.smiProblem ?? "nvidia-smi gave no answer"})`);
  else if (p.gpus.length === 0) facts.push("NVIDIA GPUs: none listed by nvidia-smi");
  else for (const g of p.gpus) facts.push(`GPU: ${g.name}, driver ${g.driverVersion}`);
  if (p.driverCuda) facts.push(`Driver supports CUDA up to ${p.driverCuda}`);
  facts.push(`CUDA toolkit (nvcc): ${p.nvccVersion ?? "not found"}`);
  const runtimes = p.cudaRuntimeMajors.length ? p.cudaRuntimeMajors.map((m) => `CUDA ${m}`).join(", ") : "none found";
  facts.push(`CUDA runtime libraries: ${runtimes}`);
  facts.push(`cuDNN: ${p.cudnnVersions.length ? p.cudnnVersions.join(", ") : "not found"}`);
  return facts;
}

function platformReasons(p: GpuProbe): string[] {
  if (p.platform === "darwin") return ["macOS has no CUDA: tfjs-node-gpu exists only for Linux and Windows with an NVIDIA GPU."];
  if (p.platform !== "linux" && p.platform !== "win32") return [`tfjs-node-gpu has no build for ${p.platform}.`];
  if (p.arch !== "x64") return [`tfjs-node-gpu's libtensorflow is built for x86_64 only, not ${p.arch}.`];
  return [];
}

function driverReasons(p: GpuProbe, os: "linux" | "win32"): string[] {
  if (p.gpus === undefined) return [`No NVIDIA driver found (${p.smiProblem ?? "nvidia-smi gave no answer"}).`];
  if (p.gpus.length === 0) return ["nvidia-smi lists no NVIDIA GPU."];
  const min = MIN_DRIVER[os];
  const old = p.gpus.filter((g) => compareVersions(g.driverVersion, min) < 0);
  const reasons = old.length ? [`The NVIDIA driver ${old[0]?.driverVersion ?? "?"} is older than ${min}, the least that CUDA 11 runs on.`] : [];
  if (p.driverCuda && compareVersions(p.driverCuda, "11.0") < 0)
    reasons.push(`The driver supports CUDA up to ${p.driverCuda}; libtensorflow ${LIBTENSORFLOW_VERSION} needs CUDA 11.`);
  return reasons;
}

function libraryReasons(p: GpuProbe): string[] {
  const reasons: string[] = [];
  const nvccMajor = p.nvccVersion ? majorOf(p.nvccVersion) : undefined;
  if (!p.cudaRuntimeMajors.includes(11)) {
    const other = p.cudaRuntimeMajors.length ? p.cudaRuntimeMajors : nvccMajor !== undefined ? [nvccMajor] : [];
    reasons.push(
      other.length
        ? `Only CUDA ${other.join(", ")} is installed; libtensorflow ${LIBTENSORFLOW_VERSION} loads the CUDA 11 runtime (libcudart.so.11.0, CUDA ${NEEDED_CUDA} or a later 11.x).`
        : `No CUDA 11 runtime library (libcudart.so.11.0 / cudart64_110.dll) was found; libtensorflow ${LIBTENSORFLOW_VERSION} needs CUDA ${NEEDED_CUDA} or a later 11.x.`,
    );
  }
  const cudnn8 = p.cudnnVersions.filter((v) => majorOf(v) === 8);
  if (cudnn8.length === 0) {
    reasons.push(
      p.cudnnVersions.length
        ? `Only cuDNN ${p.cudnnVersions.join(", ")} is installed; libtensorflow ${LIBTENSORFLOW_VERSION} loads cuDNN 8 (${NEEDED_CUDNN} or later 8.x).`
        : `No cuDNN 8 library (libcudnn.so.8 / cudnn64_8.dll) was found; libtensorflow ${LIBTENSORFLOW_VERSION} needs cuDNN ${NEEDED_CUDNN} or a later 8.x.`,
    );
  } else if (cudnn8.every((v) => v.includes(".") && compareVersions(v, NEEDED_CUDNN) < 0)) {
    reasons.push(`cuDNN ${cudnn8.join(", ")} is older than ${NEEDED_CUDNN}, which libtensorflow ${LIBTENSORFLOW_VERSION} is built against.`);
  }
  return reasons;
}

/** The decision: a plan naming what is downloaded from where, or a refusal with every reason. */
export function planGpuInstall(p: GpuProbe): GpuInstallDecision {
  const facts = probeFacts(p);
  const platform = platformReasons(p);
  if (platform.length) return { kind: "refuse", facts, reasons: platform, platformSupported: false };
  const os = p.platform === "win32" ? "win32" : "linux";
  const reasons = [...driverReasons(p, os), ...(p.gpus?.length ? libraryReasons(p) : [])];
  if (reasons.length) return { kind: "refuse", facts, reasons, platformSupported: true };
  const warnings: string[] = [];
  if (p.cudnnVersions.some((v) => majorOf(v) === 8 && !v.includes(".")))
    warnings.push("cuDNN 8's minor version could not be read; libtensorflow needs 8.1 or later.");
  if (os === "win32")
    warnings.push("On Windows, where no prebuilt binding matches the Node.js version, npm compiles it: that needs Python and the Visual Studio Build Tools.");
  return {
    kind: "plan",
    npmPackage: `@tensorflow/tfjs-node-gpu@${TFJS_VERSION}`,
    libtensorflowUrl: libtensorflowUrl(os),
    bindingHost: BINDING_HOST,
    facts,
    warnings,
  };
}

/** The modal's text: the facts found, then the plan or the reasons it cannot work. */
export function decisionMessage(d: GpuInstallDecision): string {
  const facts = d.facts.map((f) => `• ${f}`).join("\n");
  if (d.kind === "refuse")
    return [
      "The GPU backend cannot work on this machine:",
      ...d.reasons.map((r) => `• ${r}`),
      "",
      "Found:",
      facts,
      "",
      "Train on the GPU with the PyTorch engine instead (the Train view's backend “torch (PyTorch, your Python)”, or “cnn-studio train … --backend torch”): it uses the Python interpreter selected in the Python extension and whatever CUDA its PyTorch was built for.",
    ].join("\n");
  return [
    "Found:",
    facts,
    "",
    `“Install” runs npm install ${d.npmPackage} in the extension's storage. Its install script downloads:`,
    `• libtensorflow, the GPU build (an archive of several hundred MB): ${d.libtensorflowUrl}`,
    `• the prebuilt Node binding from ${d.bindingHost} (compiled locally if none matches)`,
    ...(d.warnings.length ? ["", ...d.warnings.map((w) => `Note: ${w}`)] : []),
  ].join("\n");
}

// ---- parsers of the probe's raw outputs (pure, tested with recorded outputs) ----

/** `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader`: one "name, version" per line. */
export function parseSmiQuery(stdout: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const cut = line.lastIndexOf(",");
    if (cut < 0) continue;
    const name = line.slice(0, cut).trim();
    const driverVersion = line.slice(cut + 1).trim();
    if (name && /^\d+(\.\d+)*$/.test(driverVersion)) gpus.push({ name, driverVersion });
  }
  return gpus;
}

/** "CUDA Version: 12.2" in nvidia-smi's header. */
export function parseSmiCuda(stdout: string): string | undefined {
  return /CUDA Version:\s*(\d+\.\d+)/.exec(stdout)?.[1];
}

/** "Cuda compilation tools, release 11.2, V11.2.152" from `nvcc --version`. */
export function parseNvccVersion(stdout: string): string | undefined {
  return /release (\d+\.\d+)/.exec(stdout)?.[1];
}

/** cudnn_version.h (cuDNN ≥ 8) or cudnn.h: the CUDNN_MAJOR/MINOR/PATCHLEVEL defines. */
export function parseCudnnHeader(text: string): string | undefined {
  const get = (k: string): string | undefined => new RegExp(`#define\\s+CUDNN_${k}\\s+(\\d+)`).exec(text)?.[1];
  const major = get("MAJOR");
  if (major === undefined) return undefined;
  return `${major}.${get("MINOR") ?? "0"}.${get("PATCHLEVEL") ?? "0"}`;
}

/** CUDA runtime majors from library file names: libcudart.so.11.0, libcudart.so.12, cudart64_110.dll, cudart64_12.dll. */
export function cudaRuntimeMajorsFromNames(names: readonly string[]): number[] {
  const majors = new Set<number>();
  for (const n of names) {
    const so = /^libcudart\.so\.(\d+)/.exec(n);
    const dll = /^cudart64_(\d+)\.dll$/i.exec(n);
    if (so?.[1]) majors.add(Number(so[1]));
    else if (dll?.[1]) majors.add(Number(dll[1].length === 3 ? dll[1].slice(0, 2) : dll[1]));
  }
  return [...majors].sort((a, b) => a - b);
}

/** cuDNN versions from library file names: libcudnn.so.8.1.0 → "8.1.0", libcudnn.so.9 → "9", cudnn64_8.dll → "8". */
export function cudnnVersionsFromNames(names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const n of names) {
    const v = /^libcudnn\.so\.(\d+(?:\.\d+)*)$/.exec(n)?.[1] ?? /^cudnn64_(\d+)\.dll$/i.exec(n)?.[1];
    if (v) found.add(v);
  }
  // Keep the most precise spelling of each major ("8.1.0" over "8").
  const list = [...found];
  return list.filter((v) => v.includes(".") || !list.some((w) => w !== v && majorOf(w) === majorOf(v) && w.includes("."))).sort(compareVersions);
}
