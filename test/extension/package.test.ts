import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { zipEntries, zipRead } from "./zip";

/**
 * `npm run package`'s packaging step (scripts/package-vsix.mjs, after the build `npm test` has
 * done): the VSIX holds what the extension runs and nothing else, under 15 MB. Prints its size
 * and contents.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");

test(
  "the VSIX contains the bundles, typings, media, examples and the TS server plugin, and no sources, tests or unused dependencies",
  { timeout: 180_000 },
  () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-vsix-"));
    try {
      const out = path.join(tmp, "cnn-studio.vsix");
      const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "package-vsix.mjs"), "--out", out, "--stage", path.join(tmp, "stage")], {
        encoding: "utf8",
        cwd: ROOT,
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      // The size and contents, as the packaging step printed them.
      console.log(r.stdout.slice(r.stdout.indexOf("\nVSIX ") + 1));
      const size = fs.statSync(out).size;
      assert.ok(size < 15e6, `the VSIX is ${(size / 1e6).toFixed(2)} MB`);

      const buf = fs.readFileSync(out);
      const entries = zipEntries(buf);
      const names = entries.map((e) => e.name).filter((n) => !n.endsWith("/"));
      const has = (n: string): boolean => names.includes(`extension/${n}`);
      const required = [
        "package.json",
        "readme.md",
        "LICENSE.txt",
        "dist/extension.js",
        "dist/languageClient.js",
        "dist/server.js",
        "dist/webview/train.js",
        "types/cnn-studio.d.ts",
        "media/icon.png",
        "media/cnn-studio.svg",
        "node_modules/cnn-studio-ts-plugin/package.json",
        "node_modules/cnn-studio-ts-plugin/index.js",
        "examples/lenet5.ts",
        "examples/resnet.ts",
      ];
      // Whatever else the build put in dist/ (the server's worker, the trainer and its data and
      // WebAssembly files, the panels' bundles) ships too.
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
          .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
      const typings = walk("types").filter((f) => f.endsWith(".d.ts"));
      const built = walk("dist").filter((f) => !f.endsWith(".map") && !/^dist\/cli(\.bundle)?\.js$/.test(f) && !/^dist\/server\.bundle\.js$/.test(f));
      for (const f of [...required, ...typings, ...built]) assert.ok(has(f), `the VSIX has ${f}`);
      const forbidden = names.filter(
        (n) =>
          /\.map$|^extension\/(src|test|out|bench|scripts|webview)\/|\/tsconfig\.json$|package-lock\.json$|^extension\/dist\/cli/.test(n) ||
          (n.startsWith("extension/node_modules/") && !n.startsWith("extension/node_modules/cnn-studio-ts-plugin/")),
      );
      assert.deepEqual(forbidden, []);

      const manifestEntry = entries.find((e) => e.name === "extension/package.json");
      assert.ok(manifestEntry);
      const manifest = JSON.parse(zipRead(buf, manifestEntry).toString("utf8")) as Record<string, unknown> & {
        contributes: { walkthroughs: { steps: { media: { markdown?: string } }[] }[]; viewsContainers: { activitybar: { icon: string }[] } };
      };
      assert.equal(manifest["devDependencies"], undefined);
      assert.equal(manifest["scripts"], undefined);
      assert.deepEqual(manifest["dependencies"], { "cnn-studio-ts-plugin": "0.1.0" });
      // Every file the manifest names is in the package.
      const named = [
        String(manifest["main"]).replace(/^\.\//, ""),
        String(manifest["icon"]),
        ...manifest.contributes.viewsContainers.activitybar.map((c) => c.icon),
        ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown ?? "")),
      ];
      for (const f of named) assert.ok(has(f), `the manifest names ${f}, and the VSIX has it`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
);
