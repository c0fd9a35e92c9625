import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cudaRuntimeMajorsFromNames, cudnnVersionsFromNames, parseCudnnHeader, parseNvccVersion, parseSmiCuda, parseSmiQuery, type GpuProbe } from "./gpuPlan";

/**
 * Looks at this machine for what tfjs-node-gpu needs (./gpuPlan.ts decides): `nvidia-smi` and
 * `nvcc` run with execFile (no shell, fixed arguments) under a timeout, and the CUDA and cuDNN
 * libraries are found by file name in the usual folders. Never throws: what cannot be read is
 * left undefined (or empty) with the reason.
 */

const TIMEOUT_MS = 5000;

interface Ran {
  stdout: string;
  problem?: string;
}

function run(file: string, args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: TIMEOUT_MS, windowsHide: true, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (!err) return resolve({ stdout: String(stdout) });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      const problem =
        e.code === "ENOENT"
          ? `${file} not found`
          : e.killed
            ? `${file} timed out after ${TIMEOUT_MS / 1000} s`
            : `${file} failed: ${e.message.split("\n")[0] ?? ""}`;
      resolve({ stdout: String(stdout ?? ""), problem });
    });
  });
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The folders where CUDA and cuDNN libraries live on this platform. */
export function libraryDirs(platform: string, env: NodeJS.ProcessEnv): string[] {
  const fromEnv = (name: string): string[] => (env[name] ?? "").split(path.delimiter).filter((d) => d !== "");
  if (platform === "win32") {
    const cudaRoots = Object.keys(env)
      .filter((k) => /^CUDA_PATH(_V\d+_\d+)?$/i.test(k))
      .map((k) => env[k] ?? "")
      .filter((d) => d !== "");
    return [...new Set([...cudaRoots.map((r) => path.join(r, "bin")), ...fromEnv("PATH")])];
  }
  const cudaDirs = listDir("/usr/local")
    .filter((d) => /^cuda(-\d+(\.\d+)?)?$/.test(d))
    .flatMap((d) => [`/usr/local/${d}/lib64`, `/usr/local/${d}/targets/x86_64-linux/lib`]);
  return [...new Set([...fromEnv("LD_LIBRARY_PATH"), ...cudaDirs, "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/opt/cuda/lib64"])];
}

function cudnnHeaderVersion(platform: string, dirs: readonly string[]): string | undefined {
  const candidates =
    platform === "win32"
      ? dirs.map((d) => path.join(d, "..", "include", "cudnn_version.h"))
      : [
          "/usr/include/cudnn_version.h",
          "/usr/include/x86_64-linux-gnu/cudnn_version_v8.h",
          "/usr/include/x86_64-linux-gnu/cudnn_version.h",
          ...dirs.map((d) => path.join(d, "..", "include", "cudnn_version.h")),
        ];
  for (const file of candidates) {
    const text = readText(file);
    const v = text === undefined ? undefined : parseCudnnHeader(text);
    if (v) return v;
  }
  return undefined;
}

export async function probeGpu(platform: string = process.platform, arch: string = process.arch, env: NodeJS.ProcessEnv = process.env): Promise<GpuProbe> {
  const dirs = platform === "darwin" ? [] : libraryDirs(platform, env);
  const names = dirs.flatMap(listDir);
  const fromHeader = platform === "darwin" ? undefined : cudnnHeaderVersion(platform, dirs);
  const cudnn = cudnnVersionsFromNames(names);
  const cudnnVersions = fromHeader ? [fromHeader, ...cudnn.filter((v) => v.split(".")[0] !== fromHeader.split(".")[0])] : cudnn;
  const base = { platform, arch, cudaRuntimeMajors: cudaRuntimeMajorsFromNames(names), cudnnVersions, searched: dirs };
  if (platform === "darwin") return { ...base, gpus: undefined, smiProblem: "macOS has no NVIDIA driver" };
  const [query, header, nvcc] = await Promise.all([
    run("nvidia-smi", ["--query-gpu=name,driver_version", "--format=csv,noheader"]),
    run("nvidia-smi", []),
    run("nvcc", ["--version"]),
  ]);
  return {
    ...base,
    gpus: query.problem ? undefined : parseSmiQuery(query.stdout),
    ...(query.problem ? { smiProblem: query.problem } : {}),
    ...(parseSmiCuda(header.stdout) ? { driverCuda: parseSmiCuda(header.stdout) } : {}),
    ...(parseNvccVersion(nvcc.stdout) ? { nvccVersion: parseNvccVersion(nvcc.stdout) } : {}),
  };
}
