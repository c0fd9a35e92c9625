// Runs every benchmark (out/bench/*.bench.js) in turn; each prints its own figures and ratios.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = new URL("../out/bench", import.meta.url).pathname;
const only = process.argv[2];
let failed = 0;
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith(".bench.js"))
  .sort()) {
  if (only && !f.includes(only)) continue;
  console.log(`\n=== ${f.replace(".bench.js", "")} ===`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
