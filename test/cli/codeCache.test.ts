import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { CLI, ROOT } from "../helpers/paths";

/** `cnn-studio summary` in a fresh process with the given code-cache environment. */
function summary(env: Record<string, string>, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, "summary", "examples/lenet5.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cacheFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith("cli-") && f.endsWith(".v8cache")) : [];
}

describe("the CLI's code cache", () => {
  test("output is byte-identical without, with a fresh, a damaged, a rejected and an unwritable cache", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-cli-cache-"));
    const cache = path.join(dir, "cache");
    for (const args of [["--json"], []]) {
      const reference = summary({ CNN_STUDIO_CODE_CACHE: "0" }, ...args);
      assert.equal(reference.code, 0, reference.stderr);
      assert.ok(reference.stdout.length > 100);
      const same = (what: string, r: ReturnType<typeof summary>): void => {
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        assert.equal(r.stdout, reference.stdout, what);
        assert.equal(r.stderr, reference.stderr, what);
      };
      fs.rmSync(cache, { recursive: true, force: true });
      same("first run, no cache", summary({ CNN_STUDIO_CODE_CACHE_DIR: cache }, ...args));
      const [file] = cacheFiles(cache);
      assert.ok(file, "the first run wrote a cache");
      const written = fs.statSync(path.join(cache, file)).mtimeMs;
      same("with the cache", summary({ CNN_STUDIO_CODE_CACHE_DIR: cache }, ...args));
      assert.equal(fs.statSync(path.join(cache, file)).mtimeMs, written, "an accepted cache is not rewritten");

      const whole = fs.readFileSync(path.join(cache, file));
      const damaged = Buffer.from(whole);
      for (let i = 64; i < damaged.length; i += 997) damaged[i] = damaged[i]! ^ 0xa5;
      fs.writeFileSync(path.join(cache, file), damaged);
      same("damaged cache", summary({ CNN_STUDIO_CODE_CACHE_DIR: cache }, ...args));
      assert.notDeepEqual(fs.readFileSync(path.join(cache, file)), damaged, "a damaged cache is rewritten");

      fs.writeFileSync(path.join(cache, file), whole.subarray(0, 100));
      same("truncated cache", summary({ CNN_STUDIO_CODE_CACHE_DIR: cache }, ...args));

      same("unwritable directory", summary({ CNN_STUDIO_CODE_CACHE_DIR: path.join(CLI, "no-such-dir") }, ...args));
    }
  });
});
