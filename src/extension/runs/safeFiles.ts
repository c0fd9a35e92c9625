import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Reading files that a run folder or a webview message names, without trusting the name: a run
 * folder may come from a cloned repository (Restricted Mode too), and a webview's messages are
 * checked like any other input. Paths are taken by their base name inside a folder the host
 * listed and must stay inside it after resolving symbolic links; sizes are checked against the
 * file before anything is allocated. No `vscode` import (tested directly).
 */

export type Json = Record<string, unknown>;

/** The largest JSON file (config.json, status.json, a checkpoint index) read: real ones are a few kB. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

function jsonObject(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

/** A JSON object file; null when missing, unreadable, larger than `maxBytes` or not an object. */
export function readJsonSync(file: string, maxBytes = MAX_JSON_BYTES): Json | null {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > maxBytes) return null;
    return jsonObject(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** `readJsonSync`, asynchronously. */
export async function readJson(file: string, maxBytes = MAX_JSON_BYTES): Promise<Json | null> {
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile() || st.size > maxBytes) return null;
    return jsonObject(await fs.promises.readFile(file, "utf8"));
  } catch {
    return null;
  }
}

/** Whether `child` is `root` or lies below it (both already resolved). */
export function isWithin(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * The real path of `dir/<basename of name>` when it exists and, links resolved, lies inside the
 * real path of `root`; null otherwise. `name` may be anything a file says (`../../etc/passwd`,
 * an absolute path): only its last component is used.
 */
export async function fileInside(root: string, dir: string, name: string): Promise<string | null> {
  const base = path.basename(name);
  if (base === "" || base === "." || base === "..") return null;
  try {
    const [realRoot, real] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(path.join(dir, base))]);
    return isWithin(realRoot, real) ? real : null;
  } catch {
    return null;
  }
}

/** Whether `dir` is a folder directly inside `runsDir` (links resolved): a run folder the host lists. */
export function isListedRun(runsDir: string, dir: string): boolean {
  try {
    return path.dirname(fs.realpathSync(dir)) === fs.realpathSync(runsDir) && fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
