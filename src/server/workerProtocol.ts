import type { MessagePort } from "node:worker_threads";
import type { BootData } from "./codeCache";

/**
 * What the supervisor (main thread) and the language-server worker tell each other besides
 * LSP messages (which travel on their own MessagePort): the worker's health and which text it
 * is analysing, so that a hung analysis can be stopped and not retried.
 */

export interface WorkerData {
  /** The worker's end of the LSP message channel. */
  rpcPort: MessagePort;
  /** `quarantineKey`s of texts whose analysis hung in an earlier worker. */
  quarantined: string[];
  /** How often to send a heartbeat (ms). */
  heartbeatMs: number;
  /** What the bootstrap loads (the server bundle) and its code cache. */
  boot: BootData;
}

export type WorkerStatus = { type: "heartbeat" } | { type: "analysis-start"; file: string; hash: string } | { type: "analysis-end" };

/** Heartbeats are frequent enough for the supervisor's hang limit to see several per period. */
export function heartbeatInterval(hangMs: number): number {
  return Math.max(10, Math.min(250, Math.floor(hangMs / 4)));
}

export function isWorkerStatus(x: unknown): x is WorkerStatus {
  if (typeof x !== "object" || x === null) return false;
  const t = (x as { type?: unknown }).type;
  return (
    t === "heartbeat" ||
    t === "analysis-end" ||
    (t === "analysis-start" && typeof (x as { file?: unknown }).file === "string" && typeof (x as { hash?: unknown }).hash === "string")
  );
}

/** Identifies one text of one file (the hash is the session's `hashText`). */
export function quarantineKey(file: string, textHash: string): string {
  return `${file}\0${textHash}`;
}
