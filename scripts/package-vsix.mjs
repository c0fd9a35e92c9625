// Builds the VSIX: `npm run package` (= build, then this). Usage:
//   node scripts/package-vsix.mjs [--out FILE.vsix] [--stage DIR]
// Stages exactly what the extension needs at run time in out/vsix-stage/ (bundles without source
// maps or the CLI, media, typings, examples, the TypeScript server plugin as
// node_modules/cnn-studio-ts-plugin, the @vscode-elements bundle for the Train view), packages it
// with @vscode/vsce, then prints the VSIX's size and contents.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { zipEntries } from "./zip.cjs";

const root = new URL("..", import.meta.url).pathname;
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const out = arg("--out") ?? join(root, `${pkg.name}-${pkg.version}.vsix`);
const stage = arg("--stage") ?? join(root, "out", "vsix-stage");

const required = ["dist/extension.js", "dist/languageClient.js", "dist/server.js", "types/cnn-studio.d.ts", "media/icon.png"];
const missing = required.filter((f) => !existsSync(join(root, f)));
if (missing.length) {
  console.error(`package-vsix: missing ${missing.join(", ")}; run \`npm run build\` first (or \`npm run package\`).`);
  process.exit(2);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const copy = (from, to = from, filter = () => true) =>
  cpSync(join(root, from), join(stage, to), { recursive: true, filter: (src) => filter(relative(join(root, from), src)) });

// dist/: everything but source maps and the command line (not used by the extension).
copy("dist", "dist", (rel) => !rel.endsWith(".map") && !/^cli(\.bundle)?\.js$/.test(rel));
copy("media", "media", (rel) => !rel.startsWith("marketplace") && !/(^|\/)\./.test(rel));
copy("types/cnn-studio.d.ts");
copy("types/cnn-studio", "types/cnn-studio", (rel) => rel === "" || !rel.includes(".") || rel.endsWith(".d.ts"));
mkdirSync(join(stage, "examples"));
for (const f of readdirSync(join(root, "examples"))) if (f.endsWith(".ts")) copy(join("examples", f));
copy("LICENSE");
copy(".vscodeignore");
// The Marketplace README (the repository's README is for developers).
copy("media/marketplace/README.md", "README.md");
// The TypeScript server plugin must be a package in the extension's node_modules.
copy("src/extension/ts-plugin", "node_modules/cnn-studio-ts-plugin");
const plugin = JSON.parse(readFileSync(join(root, "src/extension/ts-plugin/package.json"), "utf8"));

// The manifest as published: no development fields; the plugin as the only dependency (so that
// vsce's `npm list` includes it and nothing else).
const KEEP = [
  "name",
  "displayName",
  "description",
  "version",
  "publisher",
  "license",
  "engines",
  "categories",
  "keywords",
  "icon",
  "galleryBanner",
  "repository",
  "homepage",
  "bugs",
  "main",
  "activationEvents",
  "capabilities",
  "contributes",
  "extensionKind",
];
const manifest = Object.fromEntries(KEEP.filter((k) => pkg[k] !== undefined).map((k) => [k, pkg[k]]));
manifest.engines = { vscode: pkg.engines.vscode };
manifest.dependencies = { [plugin.name]: plugin.version };
writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

const vsce = join(root, "node_modules/@vscode/vsce/vsce");
if (!existsSync(vsce)) {
  console.error("package-vsix: @vscode/vsce is not installed (npm ci installs it as a dev dependency).");
  process.exit(2);
}
mkdirSync(dirname(out), { recursive: true });
execFileSync(process.execPath, [vsce, "package", "--allow-missing-repository", "--allow-star-activation", "--out", out], {
  cwd: stage,
  stdio: ["ignore", "inherit", "inherit"],
});

// ---- size and contents, read back from the VSIX (a zip) ----
const buf = readFileSync(out);
const entries = zipEntries(buf).filter((e) => !e.name.endsWith("/"));
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
console.log(
  `\nVSIX ${relative(process.cwd(), out) || out}: ${mb(statSync(out).size)} (${entries.length} files, ${mb(entries.reduce((a, e) => a + e.size, 0))} unpacked)`,
);
for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) console.log(`  ${e.name.padEnd(72)} ${String(e.size).padStart(10)}`);
