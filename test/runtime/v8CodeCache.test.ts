import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { codeCacheDir, codeCacheFile, compileBundle, readBundleSource, readCodeCache, writeCodeCache } from "../../src/runtime/v8CodeCache";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-v8cache-"));
}

/** A small CommonJS "bundle" and the V8 data of a run of it. */
function bundleWithData(dir: string): { bundle: string; data: Buffer } {
  const bundle = path.join(dir, "bundle.js");
  fs.writeFileSync(bundle, "#!/usr/bin/env node\nfunction twice(x) { return 2 * x; }\nmodule.exports = { value: twice(21) };\n");
  const script = compileBundle(bundle, undefined);
  const mod = { exports: {} as { value?: number } };
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown) => void)(mod.exports, require, mod);
  assert.equal(mod.exports.value, 42);
  return { bundle, data: script.createCachedData() };
}

/**
 * Compiles and runs `bundle` with the cache file's data in a fresh process (an isolate that has
 * compiled the source before answers from its own cache and never looks at the data).
 */
function runInChild(bundle: string, file: string): { rejected: boolean | undefined; value: number } {
  const module = path.join(__dirname, "..", "..", "src", "runtime", "v8CodeCache.js");
  const program = `
    const c = require(${JSON.stringify(module)});
    const script = c.compileBundle(${JSON.stringify(bundle)}, c.readCodeCache(${JSON.stringify(file)}));
    const mod = { exports: {} };
    script.runInThisContext()(mod.exports, require, mod);
    process.stdout.write(JSON.stringify({ rejected: script.cachedDataRejected, value: mod.exports.value }));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", program], { encoding: "utf8" })) as { rejected: boolean | undefined; value: number };
}

describe("V8 code cache files", () => {
  test("a written cache reads back and V8 accepts it", () => {
    const dir = tempDir();
    const { bundle, data } = bundleWithData(dir);
    const file = codeCacheFile("t", bundle, path.join(dir, "cache"))!;
    assert.ok(file.includes(process.version), "keyed by the Node version");
    assert.equal(writeCodeCache(file, data), true);
    const back = readCodeCache(file);
    assert.deepEqual(back, data);
    assert.deepEqual(runInChild(bundle, file), { rejected: false, value: 42 });
  });

  test("a damaged, truncated or foreign file is no cache", () => {
    const dir = tempDir();
    const { bundle, data } = bundleWithData(dir);
    const file = codeCacheFile("t", bundle, dir)!;
    writeCodeCache(file, data);
    const whole = fs.readFileSync(file);
    const flipped = Buffer.from(whole);
    flipped[whole.length >> 1] = flipped[whole.length >> 1]! ^ 0xff;
    for (const damaged of [flipped, whole.subarray(0, whole.length - 7), whole.subarray(0, 5), Buffer.from("not a cache at all")]) {
      fs.writeFileSync(file, damaged);
      assert.equal(readCodeCache(file), undefined);
    }
    assert.equal(readCodeCache(path.join(dir, "missing.v8cache")), undefined);
    assert.equal(readCodeCache(undefined), undefined);
  });

  test("data of another V8 version is rejected by V8, and the bundle still runs", () => {
    const dir = tempDir();
    const { bundle, data } = bundleWithData(dir);
    const other = Buffer.from(data);
    other.writeUInt32LE((other.readUInt32LE(4) ^ 0x5a5a5a5a) >>> 0, 4); // V8's version hash
    const file = codeCacheFile("t", bundle, dir)!;
    writeCodeCache(file, other);
    assert.deepEqual(runInChild(bundle, file), { rejected: true, value: 42 });
  });

  test("an unwritable directory is no error", () => {
    const dir = tempDir();
    const { bundle, data } = bundleWithData(dir);
    // A directory below a plain file cannot be made (whoever runs the test, root included).
    const file = codeCacheFile("t", bundle, path.join(bundle, "cache"))!;
    assert.equal(writeCodeCache(file, data), false);
    assert.equal(readCodeCache(file), undefined);
  });

  test("a rebuilt bundle gets another file; stale files of old builds (and of the old format) are removed", () => {
    const dir = tempDir();
    const { bundle, data } = bundleWithData(dir);
    const cache = path.join(dir, "cache");
    const before = codeCacheFile("t", bundle, cache)!;
    writeCodeCache(before, data);
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    fs.utimesSync(before, old, old);
    const legacy = path.join(cache, "server-0123456789abcdef.v8cache");
    fs.writeFileSync(legacy, "old format");
    fs.utimesSync(legacy, old, old);
    fs.appendFileSync(bundle, "// rebuilt\n");
    const after = codeCacheFile("t", bundle, cache)!;
    assert.notEqual(after, before);
    writeCodeCache(after, data);
    assert.deepEqual(fs.readdirSync(cache), [path.basename(after)]);
  });

  test("the directory: off, chosen, or the user's cache", () => {
    assert.equal(codeCacheDir({ CNN_STUDIO_CODE_CACHE: "0", CNN_STUDIO_CODE_CACHE_DIR: "/x" }), undefined);
    assert.equal(codeCacheDir({ CNN_STUDIO_CODE_CACHE_DIR: "/x" }), "/x");
    assert.equal(codeCacheDir({ CNN_STUDIO_CODE_CACHE_DIR: "/x" }, ["--codeCacheDir=/y"]), "/y");
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/home/u/.c" }), path.join("/home/u/.c", "cnn-studio"));
    assert.equal(codeCacheDir({}), path.join(os.homedir(), ".cache", "cnn-studio"));
  });

  test("bundle source: an ASCII file reads as it is; a #! line becomes a comment of its length; UTF-8 decodes", () => {
    const dir = tempDir();
    const f = path.join(dir, "b.js");
    fs.writeFileSync(f, "#!/usr/bin/env node\nx = 1;\n");
    assert.equal(readBundleSource(f), "///usr/bin/env node\nx = 1;\n");
    fs.writeFileSync(f, 'x = "µ·é";\n');
    assert.equal(readBundleSource(f), 'x = "µ·é";\n');
  });
});
