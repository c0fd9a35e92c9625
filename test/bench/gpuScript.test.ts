import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

/**
 * bench/gpu.sh (issue 16's GPU check) without a GPU: the skip when nvidia-smi lists none, and a
 * CPU dry run (--cpu-dry-run) through the script's whole path: export, the engine's run with
 * --backend torch, the plain PyTorch reference, the table and the JSON rows. Needs the build
 * (dist/) and Debian's torch at /usr/bin/python3 (CNN_STUDIO_TEST_PYTHON), else skipped.
 */

const ROOT = path.resolve(__dirname, "../../..");
const SCRIPT = path.join(ROOT, "bench", "gpu.sh");
const PYTHON = process.env["CNN_STUDIO_TEST_PYTHON"] ?? "/usr/bin/python3";

function torchSkip(): string | undefined {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found: install python3-torch (Debian)`;
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `PyTorch is not installed for ${PYTHON}`;
}

test("bench/gpu.sh says 'no CUDA GPU: skipped' and exits 0 where nvidia-smi lists no GPU", () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-fake-smi-"));
  fs.writeFileSync(path.join(bin, "nvidia-smi"), "#!/bin/sh\necho 'No devices were found'\nexit 6\n", { mode: 0o755 });
  const r = spawnSync("bash", [SCRIPT], { encoding: "utf8", env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}` } });
  fs.rmSync(bin, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^no CUDA GPU: skipped \(nvidia-smi lists no GPU\)$/m);
});

const LONG = process.env["CNN_STUDIO_LONG_TESTS"] === "1";

// 30-80 s (two Python starts with `import torch`, the CLI's run): only with CNN_STUDIO_LONG_TESTS=1.
test(
  "bench/gpu.sh --cpu-dry-run trains LeNet-5 with the engine and the plain PyTorch loop and prints their ratio (CNN_STUDIO_LONG_TESTS=1)",
  { timeout: 180_000 },
  (t) => {
    if (!LONG) return t.skip("set CNN_STUDIO_LONG_TESTS=1 to run the CPU dry run of bench/gpu.sh (30-80 s)");
    const skip = torchSkip();
    if (skip) return t.skip(skip);
    if (!fs.existsSync(path.join(ROOT, "dist", "cli.bundle.js"))) return t.skip("dist/cli.bundle.js missing: run node scripts/build.mjs");
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-gpu-dry-")), "rows.json");
    const r = spawnSync("bash", [SCRIPT, "--cpu-dry-run", "--no-build", "--models", "lenet5", "--precisions", "fp32", "--procs", "1", "--json-out", json], {
      encoding: "utf8",
      env: { ...process.env, PYTHON },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /PyTorch engine vs plain PyTorch: images\/s/);
    const rows = (JSON.parse(fs.readFileSync(json, "utf8")) as { rows: { model: string; engine?: number; reference?: number; ratio?: number }[] }).rows;
    fs.rmSync(path.dirname(json), { recursive: true, force: true });
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row?.model, "lenet5");
    assert.ok((row?.engine ?? 0) > 0 && (row?.reference ?? 0) > 0 && (row?.ratio ?? 0) > 0, JSON.stringify(row));
  },
);
