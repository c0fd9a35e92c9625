"use strict";
// Starts __BUNDLE__ with a V8 code cache (Node 20 has no module.enableCompileCache): most of a
// cold start is compiling the bundled TypeScript compiler, and the cache skips that on later
// starts. Any problem with the cache falls back to a plain require.
const fs = require("fs");
const path = require("path");
const bundle = path.join(__dirname, "__BUNDLE__");
/** Compiles the bundle with the cached code; undefined when the cache machinery fails. */
function compile() {
  try {
    const vm = require("vm");
    const os = require("os");
    const stat = fs.statSync(bundle);
    const dir = path.join(os.tmpdir(), "cnn-studio-code-cache");
    const cacheFile = path.join(dir, `__BUNDLE__-${stat.size}-${Math.round(stat.mtimeMs)}-${process.version}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {}
    const source = fs.readFileSync(bundle, "utf8").replace(/^#!.*/, "");
    const script = new vm.Script(require("module").wrap(source), { filename: bundle, cachedData });
    if (!cachedData || script.cachedDataRejected) {
      process.once("exit", () => {
        try {
          fs.mkdirSync(dir, { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, script.createCachedData());
          fs.renameSync(tmp, cacheFile);
        } catch {}
      });
    }
    return script.runInThisContext();
  } catch {
    return undefined;
  }
}
const fn = compile();
// The bundle runs as this (main) module, so `require.main === module` holds inside it.
if (fn) fn.call(module.exports, module.exports, require, module, bundle, __dirname);
else require(bundle);
