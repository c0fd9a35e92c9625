import { writeCodeCache } from "../runtime/v8CodeCache";

/**
 * V8 code cache for the worker (src/runtime/v8CodeCache.ts has the cache files): the server bundle
 * (TypeScript's compiler, which the analyzer parses with, is most of it) takes ~3× longer to load
 * compiled from source than from a code cache. The supervisor reads and checks the cache and
 * hands it to the worker's bootstrap, which compiles the bundle with it; the worker writes fresh
 * data once the server has done its first analysis (so the cache holds the functions that loading
 * and analysing compile). Any failure just means no cache.
 *
 * `CNN_STUDIO_CODE_CACHE=0` disables it; `CNN_STUDIO_CODE_CACHE_DIR` (or `--codeCacheDir=DIR`)
 * chooses the directory.
 */

export interface BootData {
  entry: string;
  /** Where the worker writes the cache when `cachedData` is missing or rejected. */
  cacheFile: string | undefined;
  /** The checked cache, read by the supervisor. */
  cachedData?: Uint8Array | undefined;
}

/**
 * The bootstrap a worker runs (`eval: true`): compile the bundle with the cache and run it as a
 * module. An ASCII bundle (what the build writes) is read as Latin-1, without UTF-8 decoding.
 */
export const WORKER_BOOTSTRAP = `
const fs = require("node:fs"), vm = require("node:vm"), path = require("node:path"), Module = require("node:module");
const { isAscii } = require("node:buffer");
const { workerData } = require("node:worker_threads");
const { entry, cacheFile, cachedData } = workerData.boot;
const buf = fs.readFileSync(entry);
const source = typeof isAscii === "function" && isAscii(buf) ? buf.toString("latin1") : buf.toString("utf8");
const script = new vm.Script(Module.wrap(source), cachedData ? { filename: entry, cachedData } : { filename: entry });
globalThis.__cnnStudioCodeCache = { script, cacheFile, write: !cachedData || script.cachedDataRejected === true };
const mod = { exports: {}, filename: entry, id: entry, loaded: false, children: [], paths: [] };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(entry), mod, entry, path.dirname(entry));
`;

interface CodeCacheState {
  script: { createCachedData(): Buffer };
  cacheFile: string | undefined;
  write: boolean;
}

function state(): CodeCacheState | undefined {
  const s: unknown = (globalThis as { __cnnStudioCodeCache?: unknown }).__cnnStudioCodeCache;
  if (typeof s !== "object" || s === null) return undefined;
  const c = s as Partial<CodeCacheState>;
  return c.script && typeof c.script.createCachedData === "function" && typeof c.write === "boolean" ? (c as CodeCacheState) : undefined;
}

/** In the worker, after its first analysis: writes the code cache if the bootstrap had none (once). */
export function writeCodeCacheOnce(): void {
  const s = state();
  if (!s || !s.write || !s.cacheFile) return;
  s.write = false;
  try {
    writeCodeCache(s.cacheFile, s.script.createCachedData());
  } catch {
    // No cache this time.
  }
}
