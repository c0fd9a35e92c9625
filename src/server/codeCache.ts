import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * V8 code cache for the worker: the server bundle (TypeScript's compiler, which the analyzer parses
 * with, is most of it) takes ~3× longer to load compiled from source than from a code cache. The
 * worker is started from a small bootstrap that compiles the bundle with the cached data when there
 * is some, and writes fresh data once the server has done its first analysis (so the cache holds
 * the functions that loading and analysing compile). The cache lives in a per-user directory, is
 * keyed by the bundle's path, size, mtime and the Node version, and V8 rejects data that does not
 * match the source; any failure just means no cache.
 *
 * `CNN_STUDIO_CODE_CACHE=0` disables it; `CNN_STUDIO_CODE_CACHE_DIR` (or `--codeCacheDir=DIR`)
 * chooses the directory (the extension passes its global storage).
 */

export interface BootData {
  entry: string;
  cacheFile: string | undefined;
}

/** The bootstrap a worker runs (`eval: true`): compile the bundle with the cache and run it as a module. */
export const WORKER_BOOTSTRAP = `
const fs = require("node:fs"), vm = require("node:vm"), path = require("node:path"), Module = require("node:module");
const { workerData } = require("node:worker_threads");
const { entry, cacheFile } = workerData.boot;
let cachedData;
try { if (cacheFile) cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(entry, "utf8")), { filename: entry, cachedData });
globalThis.__cnnStudioCodeCache = { script, cacheFile, write: !cachedData || script.cachedDataRejected === true };
const mod = { exports: {}, filename: entry, id: entry, loaded: false, children: [], paths: [] };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(entry), mod, entry, path.dirname(entry));
`;

function cacheDir(argv: readonly string[]): string | undefined {
  const arg = argv.find((a) => a.startsWith("--codeCacheDir="));
  if (arg) return arg.slice("--codeCacheDir=".length);
  const env = process.env["CNN_STUDIO_CODE_CACHE_DIR"];
  if (env) return env;
  const base = process.env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
  return path.join(base, "cnn-studio");
}

/** Where the cache for this bundle goes, or undefined when caching is off or impossible. */
export function codeCacheFile(entry: string, argv: readonly string[]): string | undefined {
  if (process.env["CNN_STUDIO_CODE_CACHE"] === "0") return undefined;
  try {
    const dir = cacheDir(argv);
    if (!dir) return undefined;
    const st = fs.statSync(entry);
    const key = createHash("sha1").update(`${entry}|${st.size}|${st.mtimeMs}|${process.version}|${process.arch}`).digest("hex").slice(0, 16);
    return path.join(dir, `server-${key}.v8cache`);
  } catch {
    return undefined;
  }
}

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
    const data = s.script.createCachedData();
    fs.mkdirSync(path.dirname(s.cacheFile), { recursive: true, mode: 0o700 });
    const tmp = `${s.cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, s.cacheFile);
  } catch {
    // No cache this time.
  }
}
