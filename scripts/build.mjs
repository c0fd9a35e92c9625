// One build for everything: bundles the programs into dist/, transpiles sources, tests and
// benchmarks into out/ (for node --test). Usage: node scripts/build.mjs [--watch] [--clean]
import * as esbuild from "esbuild";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const watch = process.argv.includes("--watch");

/**
 * Programs bundled for shipping: [entry, output, banner]. Entries that do not exist yet are skipped.
 * Programs that start as processes and load the TypeScript compiler (cli, server) are bundled to
 * `<name>.bundle.js` and started by a small `<name>.js` that keeps a V8 code cache (loader-stub.cjs).
 */
const programs = [
  ["src/cli/main.ts", "dist/cli.bundle.js", "#!/usr/bin/env node"],
  ["src/server/main.ts", "dist/server.bundle.js"],
  ["src/extension/main.ts", "dist/extension.js"],
  ["src/trainer/main.ts", "dist/trainer.js"],
].filter(([entry]) => existsSync(join(root, entry)));

function writeLoaders() {
  const stub = readFileSync(join(root, "scripts/loader-stub.cjs"), "utf8");
  for (const [, outfile, banner] of programs) {
    if (!outfile.endsWith(".bundle.js")) continue;
    const name = outfile.replace(/^dist\//, "");
    const loader = join(root, outfile.replace(/\.bundle\.js$/, ".js"));
    writeFileSync(loader, `${banner ? `${banner}\n` : ""}${stub.replaceAll("__BUNDLE__", name)}`);
    chmodSync(loader, 0o755);
  }
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

const common = { absWorkingDir: root, platform: "node", target: "node20", sourcemap: true, logLevel: "warning" };
const builds = [
  ...programs.map(([entry, outfile, banner]) => ({
    ...common,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "cjs",
    external: ["vscode"],
    ...(banner ? { banner: { js: banner } } : {}),
  })),
  { ...common, entryPoints: [...walk("src"), ...walk("test"), ...walk("bench")], outdir: "out", outbase: ".", format: "cjs" },
];

await import("./build-mnist-sample.mjs"); // dist/data/mnist-sample.bin (trainer), skipped when up to date

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log("watching…");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
mkdirSync(join(root, "dist"), { recursive: true });
writeLoaders();
