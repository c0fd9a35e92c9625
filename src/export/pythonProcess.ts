import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Finding the user's Python with PyTorch: an explicit interpreter (the Python extension's
 * selected one, or `--python`), then `$CNN_STUDIO_PYTHON`, then `python3` and `python` on the
 * PATH. What is missing is said plainly, with what to install.
 */

export const INSTALL_HINT =
  "Install PyTorch for that interpreter (https://pytorch.org/get-started/locally/, e.g. `pip install torch`; on Debian or Ubuntu `sudo apt install python3-torch`), or choose another interpreter (--python PATH, $CNN_STUDIO_PYTHON, or the Python extension's interpreter).";

/** Interpreters to try, best first (an explicit one alone: the user chose it). */
export function pythonCandidates(explicit?: string | null): string[] {
  if (explicit) return [explicit];
  const out: string[] = [];
  const env = process.env["CNN_STUDIO_PYTHON"];
  if (env) out.push(env);
  out.push("python3", "python");
  return [...new Set(out)];
}

/**
 * How every Python we start runs. `-I` (isolated mode, Python 3.4 and later): neither the current
 * folder, the script's folder, `PYTHONPATH` nor the other `PYTHON*` variables reach `sys.path`, so
 * a `torch.py` beside a model file or in the current folder is never imported. The process also
 * starts in a private empty folder (pythonWorkDir), and our own paths are passed absolute.
 */
export const PYTHON_ISOLATED = ["-I"] as const;

/**
 * The first lines of every script we run: `-I` also leaves out the user's own site-packages
 * (`pip install --user torch`), which lies in the user's home, not in a model's folder; it is put
 * back as Python would (not inside a virtual environment, whose own site-packages stay).
 */
export const USER_SITE_PY = `import os as _os, site as _site, sys as _sys
if _sys.prefix == _sys.base_prefix and _os.path.isdir(_site.getusersitepackages()):
    _site.addsitedir(_site.getusersitepackages())
`;

/** A private empty folder to start Python in (remove it afterwards). */
export function pythonWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-python-"));
}

export type PythonRun = { ok: true; python: string; stdout: string; stderr: string; status: number } | { ok: false; error: string };

/**
 * Runs a Python script (`-I -c SCRIPT args...`, isolated, in a private empty folder; paths in
 * `args` must be absolute) with the first interpreter of `candidates` that exists. A script that
 * fails on `import torch` is reported as PyTorch missing, with what to install.
 */
export function runPython(candidates: readonly string[], script: string, args: readonly string[]): PythonRun {
  const cwd = pythonWorkDir();
  try {
    return runIn(cwd, candidates, USER_SITE_PY + script, args);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

function runIn(cwd: string, candidates: readonly string[], script: string, args: readonly string[]): PythonRun {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, [...PYTHON_ISOLATED, "-c", script, ...args], { cwd, encoding: "utf8", timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
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
  return {
    ok: false,
    error: `No Python interpreter found (tried ${tried.join(", ")}). Install Python 3 and PyTorch (https://pytorch.org/get-started/locally/), or name an interpreter with --python PATH or $CNN_STUDIO_PYTHON.`,
  };
}
