import * as fs from "node:fs";
import { MAX_JSON_BYTES, type Json } from "./safeFiles";

/**
 * The header of a checkpoint's model file (`e0003-s000125.safetensors`, src/trainer/checkpointSafetensors.ts),
 * read without trusting it: its length is checked against the file and a bound before anything is
 * allocated, and no tensor data is read. The entries are checked when a tensor is read
 * (panels/runMetrics.ts). No `vscode` import.
 */

/** A tensor of a model file: where its bytes lie in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets in the file (the header's data_offsets plus the data's start). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Json;
  entries: SafetensorsEntry[];
  /** Where the data (the bytes after the header) starts in the file. */
  dataStart: number;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The header of `file`, or null when it is not a safetensors file whose header fits the file and MAX_JSON_BYTES. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader | null> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, "r");
  } catch {
    return null;
  }
  try {
    const size = (await fh.stat()).size;
    if (size < 8) return null;
    const lengthBytes = Buffer.alloc(8);
    await fh.read(lengthBytes, 0, 8, 0);
    const n = lengthBytes.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_JSON_BYTES, size - 8))) return null;
    const text = Buffer.alloc(Number(n));
    const { bytesRead } = await fh.read(text, 0, text.length, 8);
    if (bytesRead !== text.length) return null;
    const json: unknown = JSON.parse(text.toString("utf8"));
    if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
    const dataStart = 8 + Number(n);
    const entries: SafetensorsEntry[] = [];
    let metadata: Json = {};
    for (const [name, raw] of Object.entries(json as Json)) {
      const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
      if (name === "__metadata__") {
        if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) metadata = raw as Json;
        continue;
      }
      const offsets = r?.data_offsets;
      if (
        typeof r?.dtype !== "string" ||
        !Array.isArray(r.shape) ||
        !r.shape.every(count) ||
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every(count)
      )
        return null;
      entries.push({
        name,
        dtype: r.dtype,
        shape: [...(r.shape as number[])],
        begin: dataStart + (offsets[0] as number),
        end: dataStart + (offsets[1] as number),
      });
    }
    return { metadata, entries, dataStart };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
