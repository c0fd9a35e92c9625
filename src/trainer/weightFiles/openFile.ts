import * as fs from "node:fs";
import type { Read } from "./stateDict";

/**
 * Runs `use` on `file` opened for reading, and closes it: a file that cannot be opened, or a read
 * that throws, is an error naming the file (errors are values, even from the file system).
 */
export function withOpenFile<T>(file: string, use: (fd: number) => Read<T>): Read<T> {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    return { ok: false, error: `${file}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    return use(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, error: `${file}: cannot read (${code ?? (e instanceof Error ? e.message : String(e))})` };
  } finally {
    fs.closeSync(fd);
  }
}
