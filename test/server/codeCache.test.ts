import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { EXAMPLES, FIXTURES, LspClient, PATIENT } from "./lspClient";

/** A model file with an error: its diagnostics are what the starts must agree on. */
const MODEL = path.join(FIXTURES, "batchnorm-mismatch.ts");

/** The worker's cache files in `dir`. */
function cacheFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith("server-worker-") && f.endsWith(".v8cache")) : [];
}

/** A server start to the first diagnostics of MODEL; their messages. */
async function firstDiagnostics(env: Record<string, string>): Promise<string[]> {
  const client = await LspClient.start({ env: { ...PATIENT, ...env } });
  try {
    const uri = client.open(MODEL);
    const p = await client.waitForDiagnostics(uri, 1, 60_000);
    return p.diagnostics.map((d) => JSON.stringify(d.message));
  } finally {
    await client.stop();
  }
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the language server's code cache", () => {
  test("written after the first analysis, used by the next start; a damaged or unwritable cache changes nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-server-cache-"));
    const cache = path.join(dir, "cache");
    const reference = await firstDiagnostics({ CNN_STUDIO_CODE_CACHE: "0" });
    assert.ok(reference.length > 0);
    assert.deepEqual(await firstDiagnostics({ CNN_STUDIO_CODE_CACHE_DIR: cache }), reference);
    // The worker writes the cache a moment after its first analysis; stop() may come first.
    if (cacheFiles(cache).length === 0) {
      const client = await LspClient.start({ env: { ...PATIENT, CNN_STUDIO_CODE_CACHE_DIR: cache } });
      try {
        await client.waitForDiagnostics(client.open(MODEL), 1, 60_000);
        await until("the worker's code cache", () => cacheFiles(cache).length > 0);
      } finally {
        await client.stop();
      }
    }
    const [file] = cacheFiles(cache);
    assert.ok(file);
    const written = fs.statSync(path.join(cache, file)).mtimeMs;
    assert.deepEqual(await firstDiagnostics({ CNN_STUDIO_CODE_CACHE_DIR: cache }), reference, "with the cache");
    assert.equal(fs.statSync(path.join(cache, file)).mtimeMs, written, "an accepted cache is not rewritten");

    const damaged = fs.readFileSync(path.join(cache, file));
    for (let i = 64; i < damaged.length; i += 991) damaged[i] = damaged[i]! ^ 0x3c;
    fs.writeFileSync(path.join(cache, file), damaged);
    assert.deepEqual(await firstDiagnostics({ CNN_STUDIO_CODE_CACHE_DIR: cache }), reference, "with a damaged cache");
    assert.deepEqual(await firstDiagnostics({ CNN_STUDIO_CODE_CACHE_DIR: path.join(EXAMPLES, "lenet5.ts", "x") }), reference, "unwritable");
  });
});
