import * as fs from "node:fs";

/**
 * Follows an append-only file of lines (a run's metrics.jsonl) by offset: each `read` hands over
 * the complete lines appended since the last one, reading in bounded chunks (a file of any size,
 * never one string of it); a torn last line waits for its end. A file that shrank was rewritten
 * (a resumed run rewinds metrics.jsonl): it is read again from the start. No `vscode` import.
 */

/** Bytes read at a time. */
export const LINE_CHUNK_BYTES = 4 * 1024 * 1024;
/** A line longer than this is no metrics record: it is skipped up to its end. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface TailRead {
  /** The file shrank since the last read: the lines given start again from its beginning. */
  reset: boolean;
  /** The file changed (grew or was rewritten) since the last read. */
  changed: boolean;
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class LineTail {
  private offset = 0;
  private size = -1;
  /** The bytes of the torn last line (kept as bytes: a chunk may end inside a UTF-8 sequence). */
  private partial: Buffer = EMPTY;
  /** Skipping the rest of an over-long line. */
  private skipping = false;

  constructor(
    readonly file: string,
    private readonly chunkBytes = LINE_CHUNK_BYTES,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /**
   * Reads what was appended, calling `onLine` for each complete line (and first `onReset` when the
   * file was rewritten); null when the file is missing or unreadable.
   */
  async read(onLine: (line: string) => void, onReset?: () => void): Promise<TailRead | null> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.file, "r");
    } catch {
      return null;
    }
    try {
      const size = (await fh.stat()).size;
      const reset = size < this.offset;
      if (reset) {
        this.offset = 0;
        this.partial = EMPTY;
        this.skipping = false;
        onReset?.();
      }
      const changed = reset || size !== this.size;
      this.size = size;
      const buf = Buffer.alloc(Math.min(this.chunkBytes, Math.max(size - this.offset, 0)));
      while (this.offset < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.take(buf.subarray(0, bytesRead), onLine);
      }
      return { reset, changed };
    } catch {
      return null;
    } finally {
      await fh.close();
    }
  }

  private take(chunk: Buffer, onLine: (line: string) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (!this.skipping) {
        const line = this.partial.length > 0 ? Buffer.concat([this.partial, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
        onLine(line.toString("utf8"));
      }
      this.partial = EMPTY;
      this.skipping = false;
      start = nl + 1;
    }
    if (this.skipping || start === chunk.length) return;
    if (this.partial.length + chunk.length - start > this.maxLineBytes) {
      this.partial = EMPTY;
      this.skipping = true;
    } else this.partial = Buffer.concat([this.partial, chunk.subarray(start)]);
  }
}
