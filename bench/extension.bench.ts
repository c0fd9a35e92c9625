import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ms, summarize } from "./stats";

/**
 * The extension's activation and package: `dist/extension.js` required and activated in fresh
 * processes with a stand-in `vscode` module (test/extension/activationProbe.ts), 20 times; the
 * bundles' sizes; and the VSIX's size (packaged into a temporary folder). Budget: activation
 * ≤ 50 ms, VSIX < 15 MB.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const PROBE = path.join(ROOT, "out", "test", "extension", "activationProbe.js");
const RUNS = Number(process.env["BENCH_RUNS"] ?? 20);

interface Probe {
  requireMs: number;
  activateMs: number;
  totalMs: number;
}

function probe(): Probe {
  const r = spawnSync(process.execPath, [PROBE, "--probe", ROOT], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`activation probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

probe();
const samples = Array.from({ length: RUNS }, probe);
const total = summarize(samples.map((s) => s.totalMs));
const req = summarize(samples.map((s) => s.requireMs));
const act = summarize(samples.map((s) => s.activateMs));
console.log(
  `activation (${RUNS} fresh processes): p50 ${ms(total.p50)}, p95 ${ms(total.p95)}, best ${ms(total.min)} — require ${ms(req.p50)} + activate ${ms(act.p50)} (p50); budget 50 ms`,
);
for (const f of ["extension.js", "languageClient.js", "server.js", "server-worker.js", "trainer.js"]) {
  const p = path.join(ROOT, "dist", f);
  if (fs.existsSync(p)) console.log(`  dist/${f.padEnd(20)} ${(fs.statSync(p).size / 1024).toFixed(0).padStart(7)} KB`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-bench-vsix-"));
try {
  const out = path.join(tmp, "cnn-studio.vsix");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "package-vsix.mjs"), "--out", out, "--stage", path.join(tmp, "stage")], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`packaging failed: ${r.stderr}`);
  console.log(`VSIX: ${(fs.statSync(out).size / 1e6).toFixed(2)} MB (budget 15 MB), packaged in ${ms(performance.now() - t0)}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
