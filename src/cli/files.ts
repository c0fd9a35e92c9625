import * as fs from "node:fs";

/** Whether `file` is a regular file this process can read. */
export function isReadableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
