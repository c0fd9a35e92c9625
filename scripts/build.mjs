// One build for everything: bundles the programs into dist/, transpiles sources, tests and
// benchmarks into out/ (for node --test). Usage: node scripts/build.mjs [--watch]
import * as esbuild from "esbuild";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const watch = process.argv.includes("--watch");

/** Programs bundled for shipping: [entry, output, banner]. Entries that do not exist yet are skipped. */
const programs = [
  ["src/cli/main.ts", "dist/cli.js", "#!/usr/bin/env node"],
  ["src/server/main.ts", "dist/server.js"],
  ["src/extension/main.ts", "dist/extension.js"],
  ["src/trainer/main.ts", "dist/trainer.js"],
].filter(([entry]) => existsSync(join(root, entry)));

function walk(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return /(^|\/)(fixtures|typings|golden)$/.test(rel) ? [] : walk(rel);
    return rel.endsWith(".ts") && !rel.endsWith(".d.ts") ? [rel] : [];
  });
}

rmSync(join(root, "out"), { recursive: true, force: true });

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

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log("watching…");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
