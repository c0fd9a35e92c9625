import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { REMOTE_POLL_MS, remoteSignature } from "./remoteFolders";

/**
 * Runs made on other machines (issue 16): the folders of `cnnStudio.remoteRunsDirectories`, a synced
 * (rsync) or mounted (sshfs, NFS) copy of a cluster's runs folder, written there by the standalone
 * trainer of `cnn-studio export --with-trainer` (src/export/trainer/train.py). The Runs view shows
 * each folder as a "Remote" group. File events do not reach network mounts, so the folders are also
 * polled: a cheap signature (names, sizes and times of the run files) is compared, and the view
 * re-reads only when it changed; the view's RunStore then reads just the metrics lines appended.
 */

/** A remote runs folder, as a group of the Runs view. */
export interface RemoteGroupNode {
  kind: "remote";
  root: string;
}

/** Watches and polls the remote folders; `onChange` when any of their runs changed. */
export class RemoteRunsWatcher implements vscode.Disposable {
  private roots: string[] = [];
  private watchers: vscode.FileSystemWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private signature = "";

  constructor(
    private readonly onChange: () => void,
    private readonly pollMs = REMOTE_POLL_MS,
  ) {}

  /** Follows these folders (a no-op when they are the ones followed). */
  follow(roots: readonly string[]): void {
    if (roots.length === this.roots.length && roots.every((r, i) => r === this.roots[i])) return;
    this.stop();
    this.roots = [...roots];
    if (this.roots.length === 0) return;
    for (const root of this.roots) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), "*/{status.json,config.json,metrics.jsonl}"));
      w.onDidCreate(() => this.onChange());
      w.onDidChange(() => this.onChange());
      w.onDidDelete(() => this.onChange());
      this.watchers.push(w);
    }
    this.signature = remoteSignature(this.roots);
    this.timer = setInterval(() => this.poll(), this.pollMs);
  }

  /** Compares the folders with the last poll; `onChange` when they differ. */
  poll(): void {
    const now = remoteSignature(this.roots);
    if (now === this.signature) return;
    this.signature = now;
    this.onChange();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.stop();
    this.roots = [];
  }
}

/** The Runs view's item of a remote folder. */
export function remoteGroupItem(node: RemoteGroupNode): vscode.TreeItem {
  const exists = fs.existsSync(node.root);
  const item = new vscode.TreeItem(`Remote: ${path.basename(node.root) || node.root}`, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `remote:${node.root}`;
  item.description = exists ? node.root : `${node.root} · not found`;
  item.iconPath = new vscode.ThemeIcon("remote");
  item.contextValue = "runs.remote";
  item.tooltip = `Runs made elsewhere, read from ${node.root} (cnnStudio.remoteRunsDirectories); followed every ${REMOTE_POLL_MS / 1000} s`;
  return item;
}
