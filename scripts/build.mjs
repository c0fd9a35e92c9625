// One build for everything: bundles the programs into dist/, transpiles sources, tests and
// benchmarks into out/ (for node --test). Usage: node scripts/build.mjs [--watch] [--clean]
import * as esbuild from "esbuild";
import { isAscii } from "node:buffer";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const watch = process.argv.includes("--watch");

/**
 * Programs bundled for shipping: [entry, output, banner]. Entries that do not exist yet are skipped.
 * The CLI and the trainer are small launchers (dist/cli.js, dist/trainer.js) that start the program
 * proper (dist/cli.bundle.js, dist/trainer.bundle.js) with a V8 code cache (src/runtime/v8CodeCache.ts).
 */
const programs = [
  ["src/cli/launcher.ts", "dist/cli.js", "#!/usr/bin/env node"],
  ["src/cli/main.ts", "dist/cli.bundle.js"],
  // The language server: a small supervisor (main thread) that starts the server proper in a worker
  // thread from server-worker.js, which it loads with its own V8 code cache (src/server/codeCache.ts).
  ["src/server/main.ts", "dist/server.js"],
  ["src/server/workerMain.ts", "dist/server-worker.js"],
  ["src/extension/main.ts", "dist/extension.js"],
  // The language client library is most of the extension's code; kept out of extension.js so that
  // activation does not compile it (extension.js requires it when the first model file opens).
  ["src/extension/languageClient.ts", "dist/languageClient.js"],
  // The trainer (and the panels' inspector): a launcher that starts the trainer proper with the code cache.
  ["src/trainer/launcher.ts", "dist/trainer.js"],
  ["src/trainer/main.ts", "dist/trainer.bundle.js"],
  // The trainer's decoding worker (src/trainer/data/prefetch.ts) for augmented image batches.
  ["src/trainer/data/batchWorker.ts", "dist/trainer-batch-worker.js"],
  // Issue 17: the gradient worker of data-parallel training (--workers N, src/trainer/train/dataParallel.ts).
  ["src/trainer/train/shardWorker.ts", "dist/trainer-shard-worker.js"],
].filter(([entry]) => existsSync(join(root, entry)));

/**
 * Bundles a start-up reads whole (TypeScript's compiler is most of each): whitespace and syntax
 * minified (no renaming: names stay as in the sources), so that there are fewer bytes to read and
 * hold. Kept ASCII, which the loader reads without UTF-8 decoding (src/runtime/v8CodeCache.ts).
 */
const STARTUP_BUNDLES = ["dist/cli.bundle.js", "dist/server-worker.js", "dist/trainer.bundle.js"];

/** The launchers are executables; a start-up bundle that is not ASCII is only slower to load: say so. */
function checkOutputs() {
  for (const [, outfile, banner] of programs) if (banner && existsSync(join(root, outfile))) chmodSync(join(root, outfile), 0o755);
  for (const f of STARTUP_BUNDLES.filter((f) => existsSync(join(root, f)))) {
    if (!isAscii(readFileSync(join(root, f)))) console.warn(`build: ${f} is not ASCII; it loads with UTF-8 decoding`);
  }
}

/** The WebAssembly backend's binaries beside the trainer bundle (dist/wasm/; see src/trainer/model/backend.ts). */
function copyWasmBinaries() {
  const from = join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  if (!programs.some(([, out]) => out === "dist/trainer.js") || !existsSync(from)) return;
  mkdirSync(join(root, "dist/wasm"), { recursive: true });
  // tfjs disables wasm threads in Node, so the threaded binary is never loaded.
  for (const f of readdirSync(from).filter((f) => f.endsWith(".wasm") && !f.includes("threaded"))) copyFileSync(join(from, f), join(root, "dist/wasm", f));
}

function walk(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return /(^|\/)(fixtures|typings|golden)$/.test(rel) ? [] : walk(rel);
    return rel.endsWith(".ts") && !rel.endsWith(".d.ts") ? [rel] : [];
  });
}

if (process.argv.includes("--clean")) rmSync(join(root, "out"), { recursive: true, force: true });

// Python programs are .py files imported as text (src/pythonSource.d.ts).
const common = { absWorkingDir: root, platform: "node", target: "node20", sourcemap: true, logLevel: "warning", loader: { ".py": "text" } };
/**
 * Sources bundled on their own in out/: those importing ES-module-only files (see
 * src/trainer/model/tfjsGradients.ts) and those importing .py files as text.
 */
const BUNDLED_IN_OUT = [
  "src/trainer/model/tfjsGradients.ts",
  "src/export/checkpointPy.ts",
  "src/trainer/engines/torch/script.ts",
  "src/export/trainer/scripts.ts",
].filter((f) => existsSync(join(root, f)));
const builds = [
  ...programs.map(([entry, outfile, banner]) => ({
    ...common,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "cjs",
    // tfjs-node(-gpu) are optional, installed by the user and loaded with require when present.
    external: ["vscode", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"],
    ...(banner ? { banner: { js: banner } } : {}),
    ...(STARTUP_BUNDLES.includes(outfile) ? { minifyWhitespace: true, minifySyntax: true } : {}),
  })),
  {
    ...common,
    entryPoints: [...walk("src"), ...walk("test"), ...walk("bench")].filter((f) => !BUNDLED_IN_OUT.includes(f)),
    outdir: "out",
    outbase: ".",
    format: "cjs",
  },
  // Modules that import ES-module-only files (tfjs-core's gradients) are bundled even in out/,
  // sharing the one CommonJS tfjs-core of out/ (only the bare package name stays external).
  ...BUNDLED_IN_OUT.map((f) => ({
    ...common,
    entryPoints: [f],
    outfile: join("out", f.replace(/\.ts$/, ".js")),
    bundle: true,
    format: "cjs",
    plugins: [{ name: "tfjs-core-external", setup: (b) => b.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, (a) => ({ path: a.path, external: true })) }],
  })),
];

// ---- Webview panels ----------------------------------------------------------------------------
// Each webview/<panel>/main.ts is bundled for the browser into dist/webview/<panel>.js; the CSS it
// imports (its style.css, webview/common/*.css, uPlot's) becomes dist/webview/<panel>.css. The
// Train view's page (webview/train) is built the same way.
const webviewPanels = ["curves", "featureMaps", "filters", "receptiveField", "graph", "train", "evaluation"].filter((p) =>
  existsSync(join(root, "webview", p, "main.ts")),
);
builds.push(
  ...webviewPanels.map((p) => ({
    absWorkingDir: root,
    entryPoints: { [p]: `webview/${p}/main.ts` },
    outdir: "dist/webview",
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["chrome120"],
    minify: !watch,
    sourcemap: true,
    legalComments: "eof",
    logLevel: "warning",
  })),
);
// ---- end of webview panels ------------------------------------------------------------------

await import("./build-mnist-sample.mjs"); // dist/data/mnist-sample.bin (trainer), skipped when up to date

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log("watching…");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
mkdirSync(join(root, "dist"), { recursive: true });
copyWasmBinaries();
checkOutputs();
