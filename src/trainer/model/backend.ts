import * as fs from "node:fs";
import * as path from "node:path";
import * as tfc from "@tensorflow/tfjs-core";
// Named imports, used below: the packages declare no side effects, so bundlers drop bare imports.
import { version_cpu } from "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths, version_wasm } from "@tensorflow/tfjs-backend-wasm";
import type { BackendChoice, BackendName, BackendRejection } from "../../shared/training";
import { installGradKernels, restoreGradKernels } from "./gradKernels";
import { TFJS_GRADIENTS } from "./tfjsGradients";
import type { TF } from "./types";

/**
 * Picks the TensorFlow.js backend to train on, fastest first: CUDA through
 * `@tensorflow/tfjs-node-gpu`, native CPU through `@tensorflow/tfjs-node` (neither is a dependency:
 * they are loaded with `require` when installed, and are external to the bundle), WebAssembly
 * (bundled; SIMD where the runtime has it; tfjs disables wasm threads in Node) with the fast
 * gradient kernels of ./gradKernels, then the plain JavaScript CPU backend (also with those
 * kernels unless `fastCpuKernels` is false: its own filter gradient is ~100× slower than its
 * forward convolution).
 *
 * A choice is where the search starts: `native` tries native, then wasm, then js. Every backend
 * not used is reported with the reason (not installed, failed to load, not requested, ...).
 */

export interface SelectBackendOptions {
  /** Folder holding the tfjs-backend-wasm `.wasm` files (default: `wasm/` beside the bundle, else the package's `dist/`). */
  wasmDir?: string;
  /** Extra folders to resolve `@tensorflow/tfjs-node(-gpu)` from (e.g. a workspace's node_modules parent). */
  nodeModulePaths?: string[];
  /** Install the fast convolution gradient kernels on the plain CPU backend too (default true; false restores tfjs's own). */
  fastCpuKernels?: boolean;
  /** Do not fall back past the chosen backend (default false). */
  strict?: boolean;
  /** Keep tfjs's console notices (default false: production mode, no "install tfjs-node" banner). */
  verbose?: boolean;
}

export type BackendSelection =
  | {
      ok: true;
      tf: TF;
      backend: BackendName;
      /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
      tfBackend: string;
      /** A human-readable description, e.g. "wasm (SIMD, fast gradient kernels)". */
      detail: string;
      notUsed: BackendRejection[];
    }
  | { ok: false; error: string; notUsed: BackendRejection[] };

const ORDER: readonly BackendName[] = ["gpu", "native", "wasm", "js"];

const errorText = (e: unknown): string =>
  (e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)).split(
    "\n",
  )[0]!;

type Attempt = { ok: true; tf: TF; tfBackend: string; detail: string } | { ok: false; reason: string };

/** Loads a tfjs-node package: its own tfjs instance with the `tensorflow` backend. */
function loadNodePackage(name: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node", paths: readonly string[] | undefined): TF | string {
  let resolved: string;
  try {
    // Literal names so that bundlers can mark them external (scripts/build.mjs).
    resolved =
      name === "@tensorflow/tfjs-node-gpu"
        ? require.resolve("@tensorflow/tfjs-node-gpu", paths?.length ? { paths: [...paths] } : undefined)
        : require.resolve("@tensorflow/tfjs-node", paths?.length ? { paths: [...paths] } : undefined);
  } catch {
    return `${name} is not installed`;
  }
  try {
    return require(resolved) as TF;
  } catch (e) {
    return `${name} failed to load: ${errorText(e)}`;
  }
}

async function tryNode(kind: "gpu" | "native", options: SelectBackendOptions, gpuTried: { loaded: TF | null }): Promise<Attempt> {
  let tf: TF | string;
  if (kind === "native" && gpuTried.loaded)
    tf = gpuTried.loaded; // tfjs-node-gpu without a GPU runs on the CPU
  else tf = loadNodePackage(kind === "gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node", options.nodeModulePaths);
  if (typeof tf === "string") return { ok: false, reason: tf };
  try {
    if (!(await tf.setBackend("tensorflow"))) return { ok: false, reason: "the tensorflow backend did not initialise" };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `the tensorflow backend failed: ${errorText(e)}` };
  }
  if (kind === "gpu") {
    gpuTried.loaded = tf;
    const usesGpu = (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice;
    if (usesGpu === false) return { ok: false, reason: "@tensorflow/tfjs-node-gpu loaded but TensorFlow found no CUDA device" };
  }
  if (!options.verbose) tf.env().set("PROD", true);
  return {
    ok: true,
    tf,
    tfBackend: "tensorflow",
    detail: kind === "gpu" ? "TensorFlow with CUDA (@tensorflow/tfjs-node-gpu)" : "TensorFlow native CPU (@tensorflow/tfjs-node)",
  };
}

const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];

/** Where the .wasm files are: an explicit folder, `wasm/` beside this (bundled) file, or the package. */
export function findWasmDir(explicit?: string): string | null {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  candidates.push(path.join(__dirname, "wasm"));
  try {
    candidates.push(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")));
  } catch {
    // not resolvable from here (a bundle shipped without node_modules)
  }
  return candidates.find((d) => WASM_FILES.every((f) => fs.existsSync(path.join(d, f)))) ?? null;
}

let wasmPathsSet = false;

async function tryWasm(options: SelectBackendOptions): Promise<Attempt> {
  const tf = tfc;
  if (!wasmPathsSet) {
    const dir = findWasmDir(options.wasmDir);
    if (!dir)
      return {
        ok: false,
        reason: `the tfjs-backend-wasm binaries (${WASM_FILES.join(", ")}) were not found${options.wasmDir ? ` in ${options.wasmDir}` : ""}`,
      };
    try {
      setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
      wasmPathsSet = true;
    } catch (e) {
      return { ok: false, reason: `could not set the wasm path: ${errorText(e)}` };
    }
  }
  try {
    if (!(await tf.setBackend("wasm"))) return { ok: false, reason: "the WebAssembly backend did not initialise" };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `the WebAssembly backend failed: ${errorText(e)}` };
  }
  installGradKernels(tf, "wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return {
    ok: true,
    tf,
    tfBackend: "wasm",
    detail: `WebAssembly ${version_wasm} (${simd ? "SIMD" : "no SIMD"}, 1 thread, fast gradient kernels; ${TFJS_GRADIENTS})`,
  };
}

async function tryCpu(options: SelectBackendOptions): Promise<Attempt> {
  const tf = tfc;
  try {
    if (!(await tf.setBackend("cpu"))) return { ok: false, reason: "the CPU backend did not initialise" };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `the CPU backend failed: ${errorText(e)}` };
  }
  const fast = options.fastCpuKernels !== false;
  if (fast) installGradKernels(tf, "cpu");
  else restoreGradKernels("cpu");
  return { ok: true, tf, tfBackend: "cpu", detail: `plain JavaScript CPU ${version_cpu}${fast ? " (fast gradient kernels)" : ""}; ${TFJS_GRADIENTS}` };
}

export async function selectBackend(choice: BackendChoice, options: SelectBackendOptions = {}): Promise<BackendSelection> {
  if (!options.verbose) tfc.env().set("PROD", true);
  const start = choice === "auto" ? 0 : ORDER.indexOf(choice);
  const notUsed: BackendRejection[] = [];
  for (let i = 0; i < start; i++) notUsed.push({ backend: ORDER[i]!, reason: `not requested (backend '${choice}' chosen)` });
  const gpuTried = { loaded: null as TF | null };
  for (let i = start; i < ORDER.length; i++) {
    const backend = ORDER[i]!;
    if (options.strict && i > start) break;
    const attempt =
      backend === "gpu" || backend === "native"
        ? await tryNode(backend, options, gpuTried)
        : backend === "wasm"
          ? await tryWasm(options)
          : await tryCpu(options);
    if (attempt.ok) {
      for (let j = i + 1; j < ORDER.length; j++) notUsed.push({ backend: ORDER[j]!, reason: `slower than ${backend}` });
      return { ok: true, tf: attempt.tf, backend, tfBackend: attempt.tfBackend, detail: attempt.detail, notUsed };
    }
    notUsed.push({ backend, reason: attempt.reason });
  }
  return { ok: false, error: `no backend from '${choice}' on could be used`, notUsed };
}
