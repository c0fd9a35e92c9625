import { spawnSync } from "node:child_process";

/**
 * Finding the user's Python with PyTorch: an explicit interpreter (the Python extension's
 * selected one, or `--python`), then `$CNN_STUDIO_PYTHON`, then `python3` and `python` on the
 * PATH. What is missing is said plainly, with what to install.
 */

export interface PythonInfo {
  /** The interpreter command or path. */
  python: string;
  /** `3.11.2`. */
  version: string;
  /** `torch.__version__`, e.g. `2.3.1+cu121`. */
  torch: string;
  cuda: boolean;
  /** `NVIDIA H100 80GB HBM3`, or null without CUDA. */
  device: string | null;
}

export type PythonProbe = { ok: true; info: PythonInfo } | { ok: false; error: string };

export const INSTALL_HINT =
  "Install PyTorch for that interpreter (https://pytorch.org/get-started/locally/, e.g. `pip install torch`; on Debian or Ubuntu `sudo apt install python3-torch`), or choose another interpreter (--python PATH, $CNN_STUDIO_PYTHON, or the Python extension's interpreter).";

const PROBE = [
  "import json, sys",
  "info = {'version': '.'.join(map(str, sys.version_info[:3]))}",
  "try:",
  "    import torch",
  "    info['torch'] = torch.__version__",
  "    info['cuda'] = bool(torch.cuda.is_available())",
  "    info['device'] = torch.cuda.get_device_name(0) if info['cuda'] else None",
  "except Exception as e:",
  "    info['error'] = f'{type(e).__name__}: {e}'",
  "print(json.dumps(info))",
].join("\n");

/** Interpreters to try, best first (an explicit one alone: the user chose it). */
export function pythonCandidates(explicit?: string | null): string[] {
  if (explicit) return [explicit];
  const out: string[] = [];
  const env = process.env["CNN_STUDIO_PYTHON"];
  if (env) out.push(env);
  out.push("python3", "python");
  return [...new Set(out)];
}

const cache = new Map<string, PythonProbe>();

/** The first interpreter (of `candidates`) that runs; whether it has PyTorch and CUDA. */
export function probePython(candidates: readonly string[] = pythonCandidates()): PythonProbe {
  const key = candidates.join("\0");
  const hit = cache.get(key);
  if (hit) return hit;
  const tried: string[] = [];
  let result: PythonProbe | undefined;
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", PROBE], { encoding: "utf8", timeout: 120_000 });
    if (r.error || r.status !== 0) {
      tried.push(`${python} (${r.error ? ((r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : r.error.message) : `exit ${r.status}: ${r.stderr.trim().split("\n").pop() ?? ""}`})`);
      continue;
    }
    let info: { version?: string; torch?: string; cuda?: boolean; device?: string | null; error?: string };
    try {
      info = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as typeof info;
    } catch {
      tried.push(`${python} (unexpected output)`);
      continue;
    }
    if (!info.torch) {
      result = { ok: false, error: `PyTorch is not available in ${python} (Python ${info.version ?? "?"}): ${info.error ?? "import torch failed"}. ${INSTALL_HINT}` };
      break;
    }
    result = { ok: true, info: { python, version: info.version ?? "?", torch: info.torch, cuda: !!info.cuda, device: info.device ?? null } };
    break;
  }
  result ??= { ok: false, error: `No Python interpreter found (tried ${tried.join(", ")}). Install Python 3 and PyTorch (https://pytorch.org/get-started/locally/), or name an interpreter with --python PATH or $CNN_STUDIO_PYTHON.` };
  cache.set(key, result);
  return result;
}

export type PythonRun = { ok: true; python: string; stdout: string; stderr: string; status: number } | { ok: false; error: string };

/**
 * Runs a Python script (`-c SCRIPT args...`) with the first interpreter of `candidates` that
 * exists. A script that fails on `import torch` is reported as PyTorch missing, with what to install.
 */
export function runPython(candidates: readonly string[], script: string, args: readonly string[], options: { timeoutMs?: number; input?: string } = {}): PythonRun {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", script, ...args], { encoding: "utf8", timeout: options.timeoutMs ?? 600_000, maxBuffer: 256 * 1024 * 1024, ...(options.input !== undefined ? { input: options.input } : {}) });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
      tried.push(`${python} (not found)`);
      continue;
    }
    if (r.error) return { ok: false, error: `${python} failed to run: ${r.error.message}` };
    if (r.status !== 0 && /ModuleNotFoundError: No module named 'torch'|ImportError: .*torch/.test(r.stderr)) {
      return { ok: false, error: `PyTorch is not available in ${python}. ${INSTALL_HINT}` };
    }
    return { ok: true, python, stdout: r.stdout, stderr: r.stderr, status: r.status ?? 1 };
  }
  return { ok: false, error: `No Python interpreter found (tried ${tried.join(", ")}). Install Python 3 and PyTorch (https://pytorch.org/get-started/locally/), or name an interpreter with --python PATH or $CNN_STUDIO_PYTHON.` };
}
