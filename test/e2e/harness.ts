import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A real VS Code for the end-to-end test: code-server (VS Code's server and browser workbench,
 * from npm) driven by playwright-core with Debian's Chromium, following the shared vscode-e2e
 * recipe (install.sh here is a copy of it). Installs what is missing, once, into a cache folder
 * (`VSCODE_E2E_CACHE`, default `~/.cache/vscode-e2e`), or says why it cannot.
 */

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const CACHE = process.env["VSCODE_E2E_CACHE"] ?? path.join(os.homedir(), ".cache", "vscode-e2e");
export const CODE_SERVER = path.join(CACHE, "code-server", "node_modules", "code-server", "out", "node", "entry.js");
export const CODE_SERVER_STAMP = path.join(CACHE, "code-server", ".installed-4.100.3");
export const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/lib/chromium/chromium";
export const INSTALL_SCRIPT = path.join(ROOT, "test", "e2e", "install.sh");

const t0 = Date.now();
export function log(...args: unknown[]): void {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);
}

function canSudo(): boolean {
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
}

function hasApt(): boolean {
  return spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Debian packages still to install (the build tools only while code-server is not built). */
function aptMissing(codeServerBuilt: boolean): string[] {
  const packages = codeServerBuilt ? ["chromium", "ripgrep"] : ["chromium", "ripgrep", "libkrb5-dev", "pkg-config", "build-essential", "python3"];
  return packages.filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);
}

/** Why the end-to-end test cannot run on this machine, or undefined when it can (possibly after installing). */
export function whyNot(): string | undefined {
  if (process.env["CNN_STUDIO_SKIP_E2E"] === "1") return "CNN_STUDIO_SKIP_E2E=1";
  if (process.platform !== "linux") return `code-server with Debian's Chromium is set up for Linux only (this is ${process.platform})`;
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== 20 && !fs.existsSync(CODE_SERVER_STAMP))
    return `code-server 4.100.3 (the last release for Node 20) needs Node 20; this is Node ${process.versions.node}`;
  const missing = aptMissing(fs.existsSync(CODE_SERVER_STAMP));
  if (missing.length > 0) {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    if (!hasApt()) return `missing ${missing.join(", ")} and there is no apt-get to install them`;
    if (!root && !canSudo())
      return `missing Debian packages ${missing.join(", ")}; installing them needs root (or passwordless sudo): apt-get install -y ${missing.join(" ")}`;
  }
  if (!fs.existsSync(path.join(ROOT, "node_modules", "playwright-core", "package.json"))) return "playwright-core is not installed (npm ci installs it)";
  return undefined;
}

/** Installs code-server and the apt packages when missing (idempotent; seconds when done before). */
export function ensureInstalled(): void {
  const start = Date.now();
  const r = spawnSync("bash", [INSTALL_SCRIPT], { env: { ...process.env, VSCODE_E2E_CACHE: CACHE }, encoding: "utf8", maxBuffer: 1 << 28 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    throw new Error(`install.sh failed (exit ${r.status}):\n${output.split("\n").slice(-40).join("\n")}`);
  }
  log(
    `install.sh: ${((Date.now() - start) / 1000).toFixed(1)} s${Date.now() - start > 5000 ? " (installed code-server and/or packages)" : " (already installed)"}`,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready at ${url} after ${timeoutMs} ms`);
}

export interface Server {
  port: number;
  base: string;
  process: ChildProcess;
  stop(): void;
}

/** The user settings of the test profile: quiet and deterministic. */
export function userSettings(extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "workbench.welcomePage.walkthroughs.openOnInstall": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "update.mode": "none",
      "security.workspace.trust.enabled": false,
      "editor.hover.delay": 100,
      "editor.inlayHints.enabled": "on",
      "editor.minimap.enabled": false,
      "git.enabled": false,
      "typescript.tsserver.log": "normal",
      "window.commandCenter": false,
      ...extra,
    },
    null,
    2,
  );
}

export function installVsix(tmp: string, vsix: string): void {
  const r = spawnSync(
    process.execPath,
    [
      CODE_SERVER,
      "--config",
      "/dev/null",
      "--user-data-dir",
      path.join(tmp, "user-data"),
      "--extensions-dir",
      path.join(tmp, "extensions"),
      "--install-extension",
      vsix,
    ],
    { encoding: "utf8", env: { ...process.env, EXTENSIONS_GALLERY: "{}" } },
  );
  if (r.status !== 0) throw new Error(`installing the VSIX failed: ${r.stdout}${r.stderr}`);
  log(`VSIX installed: ${r.stdout.trim().split("\n").pop() ?? ""}`);
}

export async function startServer(tmp: string, workspace: string): Promise<Server> {
  const port = await freePort();
  const config = path.join(tmp, "config.yaml");
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const serverLog = fs.openSync(path.join(tmp, "server.log"), "w");
  const child = spawn(
    process.execPath,
    [
      CODE_SERVER,
      "--config",
      config,
      "--user-data-dir",
      path.join(tmp, "user-data"),
      "--extensions-dir",
      path.join(tmp, "extensions"),
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      workspace,
    ],
    { stdio: ["ignore", serverLog, serverLog], detached: true, env: { ...process.env, EXTENSIONS_GALLERY: "{}" } },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, 30_000);
  return {
    port,
    base,
    process: child,
    stop: () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        // gone already
      }
    },
  };
}

/** Every file under `dir` matching `re` (for logs of the extension host and the TS server). */
export function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
