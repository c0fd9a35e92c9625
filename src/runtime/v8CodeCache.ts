import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import * as zlib from "node:zlib";

/**
 * V8 code caches for the bundled programs that load TypeScript's compiler: the CLI
 * (`dist/cli.js` starts `dist/cli.bundle.js`) and the language server's worker
 * (`dist/server-worker.js`). Compiling a bundle from source is most of a cold start; V8's cached
 * data (the bytecode of the functions a previous run compiled) skips it.
 *
 * The cache lives in a per-user directory (never a shared temporary one: cached bytecode is code),
 * one file per bundle, keyed by the bundle's path, size and mtime, the Node version and the
 * architecture. A file holds a magic string, the CRC-32 of the payload and V8's data: a damaged
 * file is ignored (V8 itself only checks lengths and versions). Any failure means no cache, never
 * a failed start; data V8 rejects (other flags, another V8) is rewritten.
 *
 * `CNN_STUDIO_CODE_CACHE=0` turns it off; `CNN_STUDIO_CODE_CACHE_DIR` (or the server's
 * `--codeCacheDir=DIR`) chooses the directory.
 */

const MAGIC = Buffer.from("CNNV8C1\n", "latin1");
const HEADER_BYTES = MAGIC.length + 4;
/** Cache files of other builds of a bundle older than this are removed when a new one is written. */
const STALE_MS = 7 * 24 * 3600 * 1000;

type Env = Readonly<Record<string, string | undefined>>;

/** zlib.crc32 (Node ≥ 20.15); without it there is no way to check a file, so no cache. */
function crc32(data: Uint8Array): number | undefined {
  const f = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  return typeof f === "function" ? f(data) : undefined;
}

/** The cache directory, or undefined when caching is off. */
export function codeCacheDir(env: Env = process.env, argv: readonly string[] = []): string | undefined {
  if (env["CNN_STUDIO_CODE_CACHE"] === "0") return undefined;
  const arg = argv.find((a) => a.startsWith("--codeCacheDir="));
  if (arg) return arg.slice("--codeCacheDir=".length) || undefined;
  if (env["CNN_STUDIO_CODE_CACHE_DIR"]) return env["CNN_STUDIO_CODE_CACHE_DIR"];
  try {
    return path.join(env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache"), "cnn-studio");
  } catch {
    return undefined;
  }
}

/** The cache file for `bundle` (named `name-…`), or undefined when there is no directory or bundle. */
export function codeCacheFile(name: string, bundle: string, dir: string | undefined): string | undefined {
  if (!dir || crc32(new Uint8Array(0)) === undefined) return undefined;
  try {
    const st = fs.statSync(bundle);
    const where = crc32(Buffer.from(path.resolve(bundle)))!.toString(16);
    return path.join(dir, `${name}-${process.version}-${process.arch}-${where}-${st.size}-${Math.round(st.mtimeMs)}.v8cache`);
  } catch {
    return undefined;
  }
}

/** V8's data from a cache file, or undefined when there is none or it is damaged. */
export function readCodeCache(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    const data = fs.readFileSync(file);
    if (data.length <= HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const payload = data.subarray(HEADER_BYTES);
    return crc32(payload) === data.readUInt32LE(MAGIC.length) ? payload : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a cache file (atomically) and removes stale ones of the same bundle; false when it could not. */
export function writeCodeCache(file: string, data: Uint8Array): boolean {
  try {
    const sum = crc32(data);
    if (sum === undefined) return false;
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header.writeUInt32LE(sum, MAGIC.length);
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
    removeStale(dir, file);
    return true;
  } catch {
    return false;
  }
}

/** The language server's files before this format (`server-<16 hex digits>.v8cache`, one per build). */
const LEGACY_FILE = /^server-[0-9a-f]{16}\.v8cache$/;

/** Other builds' files of the same bundle (same name, Node, architecture and path), and legacy files, when old. */
function removeStale(dir: string, file: string): void {
  const prefix = path.basename(file).replace(/-\d+-\d+\.v8cache$/, "-");
  const now = Date.now();
  for (const f of fs.readdirSync(dir)) {
    if (!(f.startsWith(prefix) || LEGACY_FILE.test(f)) || f === path.basename(file)) continue;
    try {
      const p = path.join(dir, f);
      if (now - fs.statSync(p).mtimeMs > STALE_MS) fs.rmSync(p, { force: true });
    } catch {
      // another process's file: leave it
    }
  }
}

/**
 * A bundle's source: an ASCII file (what the build writes) is read as Latin-1, a one-byte string
 * made without UTF-8 decoding. A `#!` line becomes a comment of the same length.
 */
export function readBundleSource(bundle: string): string {
  const buf = fs.readFileSync(bundle);
  const isAscii = (require("node:buffer") as { isAscii?: (b: Uint8Array) => boolean }).isAscii;
  const text = typeof isAscii === "function" && isAscii(buf) ? buf.toString("latin1") : buf.toString("utf8");
  return text.startsWith("#!") ? `//${text.slice(2)}` : text;
}

/** The CommonJS wrapper's function a compiled bundle evaluates to. */
type ModuleFunction = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

/** Compiles a bundle as a CommonJS module body, with `cachedData` when given. */
export function compileBundle(bundle: string, cachedData: Buffer | undefined): vm.Script {
  const wrapped = (require("node:module") as { wrap(s: string): string }).wrap(readBundleSource(bundle));
  return new vm.Script(wrapped, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
}

/**
 * Runs `bundle` as the module `mod` (so that `require.main === module` holds inside it when `mod`
 * is the main module), compiled with the code cache; the cache is written at exit when there was
 * none or V8 rejected it. Any failure of the cache machinery falls back to a plain `require`;
 * an error the program itself throws is the program's.
 */
export function runWithCodeCache(name: string, bundle: string, mod: NodeJS.Module, req: NodeJS.Require, env: Env = process.env): void {
  let fn: ModuleFunction;
  try {
    const file = codeCacheFile(name, bundle, codeCacheDir(env));
    const cached = readCodeCache(file);
    const script = compileBundle(bundle, cached);
    fn = script.runInThisContext() as ModuleFunction;
    if (file && (!cached || script.cachedDataRejected === true)) {
      process.once("exit", () => writeCodeCache(file, script.createCachedData()));
    }
  } catch {
    req(bundle);
    return;
  }
  fn.call(mod.exports, mod.exports, req, mod, bundle, path.dirname(bundle));
}
