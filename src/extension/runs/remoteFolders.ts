import * as fs from "node:fs";
import * as path from "node:path";
import { RUN_FILES } from "../../shared/runLayout";
import { listRunFolders } from "./runFolder";

/**
 * Remote runs folders (`cnnStudio.remoteRunsDirectories`, issue 16) without `vscode`: when a running run
 * made elsewhere is live, and the signature the Runs view polls (remoteRuns.ts). Tested directly.
 */

/** How often the remote folders are polled. */
export const REMOTE_POLL_MS = 5_000;

/** Run folders of each remote folder whose files the poll looks at (the newest ones). */
const POLLED_RUNS = 50;

/**
 * A running remote run (its process is on another machine) is live while its files keep changing:
 * train.py rewrites status.json at least every 30 s and appends to metrics.jsonl at every step.
 */
export const REMOTE_STALE_MS = 10 * 60_000;

/** Whether a remote run that says "running" was updated lately (status.json's updatedAt or the files' times). */
export function remoteRunAlive(dir: string, updatedAt: string | null, now = Date.now()): boolean {
  const times = [updatedAt === null ? NaN : Date.parse(updatedAt)];
  for (const f of [RUN_FILES.status, RUN_FILES.metrics]) {
    try {
      times.push(fs.statSync(path.join(dir, f)).mtimeMs);
    } catch {
      // not there (yet)
    }
  }
  const latest = Math.max(...times.filter(Number.isFinite));
  return Number.isFinite(latest) && now - latest < REMOTE_STALE_MS;
}

/** What changes when a remote run changes: its folders' names and their run files' sizes and times. */
export function remoteSignature(roots: readonly string[]): string {
  const parts: string[] = [];
  for (const root of roots) {
    parts.push(`#${root}`);
    for (const dir of listRunFolders(root).slice(0, POLLED_RUNS)) {
      parts.push(path.basename(dir));
      for (const f of [RUN_FILES.status, RUN_FILES.metrics, RUN_FILES.config]) {
        try {
          const st = fs.statSync(path.join(dir, f));
          parts.push(`${st.size}:${st.mtimeMs}`);
        } catch {
          parts.push("-");
        }
      }
    }
  }
  return parts.join("\n");
}
