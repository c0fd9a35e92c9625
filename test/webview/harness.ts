import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { makeNonce, panelHtml, type WebviewName } from "../../src/extension/panels/html";
import { THEMES, type ThemeName } from "./themes";
import { canvasInkInPage, type PageDocument, type PageMutationObserver, type PageWindow } from "./page";

// Globals of the page, for the callbacks that run there (see page.ts).
declare const document: PageDocument;
declare const window: PageWindow & Record<string, unknown>;
declare const MutationObserver: PageMutationObserver;

/**
 * Loads a panel bundle (dist/webview/<panel>.js) in headless Chromium, in a page built by the same
 * HTML generator as the extension's (same CSP, with a nonce), served from a loopback server, with
 * VS Code's theme variables and an `acquireVsCodeApi` stub that records posted messages and keeps
 * state. Every request that is not to the loopback server is aborted.
 */

export const ROOT = path.resolve(__dirname, "../../..");
export const SCREENSHOTS = path.join(ROOT, "out", "screenshots", "webview");

const CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function findChromium(): string | null {
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Debian's chromium: found, or installed with apt-get when running as root (one test file at a
 * time: a lock directory), or a reason to skip.
 */
export function ensureChromium(): { path: string } | { skip: string } {
  const found = findChromium();
  if (found) return { path: found };
  if (process.env["CNN_STUDIO_NO_CHROMIUM_INSTALL"])
    return { skip: "Chromium is not installed (and CNN_STUDIO_NO_CHROMIUM_INSTALL is set): apt-get install chromium" };
  if (process.platform !== "linux" || typeof process.getuid !== "function" || process.getuid() !== 0 || !fs.existsSync("/usr/bin/apt-get")) {
    return {
      skip: "Chromium is not installed and this is not a root Debian machine: install Debian's chromium (apt-get install chromium) to run the webview tests",
    };
  }
  const lock = path.join(os.tmpdir(), "cnn-studio-chromium-install.lock");
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (findChromium()) return { path: findChromium()! };
      if (Date.now() > deadline) return { skip: "timed out waiting for another test's Chromium installation" };
      sleep(1000);
    }
  }
  try {
    if (findChromium()) return { path: findChromium()! };
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const opts = { encoding: "utf8" as const, env, timeout: 9 * 60_000, maxBuffer: 1 << 26 };
    process.stderr.write("# webview tests: installing Debian's chromium (apt-get install chromium)…\n");
    const update = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update"], opts);
    const install = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "chromium"], opts);
    const p = findChromium();
    if (p) return { path: p };
    return { skip: `installing chromium failed: ${(update.stderr ?? "").slice(-400)} ${(install.stderr ?? "").slice(-800)}` };
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// ---- the page server ---------------------------------------------------------------------------

export interface Server {
  origin: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const dist = path.join(ROOT, "dist", "webview");
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const m = /^\/panel\/(\w+)\.html$/.exec(url.pathname);
    if (m) {
      const origin = `http://${req.headers.host}`;
      const html = panelHtml({
        panel: m[1] as WebviewName,
        title: `CNN Studio ${m[1]}`,
        scriptUri: `${origin}/dist/webview/${m[1]}.js`,
        styleUri: `${origin}/dist/webview/${m[1]}.css`,
        cspSource: origin,
        nonce: makeNonce(),
      });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
      return;
    }
    const f = /^\/dist\/webview\/([\w.-]+)$/.exec(url.pathname);
    if (f && fs.existsSync(path.join(dist, f[1]!))) {
      const type = f[1]!.endsWith(".js")
        ? "text/javascript"
        : f[1]!.endsWith(".css")
          ? "text/css"
          : f[1]!.endsWith(".map")
            ? "application/json"
            : "application/octet-stream";
      res.writeHead(200, { "content-type": type });
      res.end(fs.readFileSync(path.join(dist, f[1]!)));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

// ---- panels ------------------------------------------------------------------------------------

export interface PanelPage {
  page: Page;
  errors: string[];
  /** Requests that were not to the loopback server (all aborted). */
  blocked: string[];
  /** Messages the panel posted to the host. */
  posted(): Promise<Record<string, unknown>[]>;
  /** The panel's saved state (`setState`). */
  state(): Promise<unknown>;
  cspViolations(): Promise<{ directive: string; blocked: string; sample: string }[]>;
  /** Delivers a host message (typed arrays arrive as typed arrays, as in VS Code). */
  post(msg: unknown): Promise<void>;
  waitForPosted(type: string, count?: number): Promise<Record<string, unknown>>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Typed arrays travel through Playwright as base64 and are rebuilt in the page. */
export function encode(v: unknown): unknown {
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Uint8Array) {
    const kind = v instanceof Float32Array ? "f32" : v instanceof Float64Array ? "f64" : "u8";
    return { __typed: kind, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o["__typed"] === "string" && typeof o["b64"] === "string") {
      const b = Buffer.from(o["b64"], "base64");
      const copy = new Uint8Array(b.length);
      copy.set(b);
      return o["__typed"] === "f32" ? new Float32Array(copy.buffer) : o["__typed"] === "f64" ? new Float64Array(copy.buffer) : copy;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

/** Runs in the page before its scripts: the VS Code webview environment. */
function pageSetup(arg: { className: string; kind: string; vars: Record<string, string>; state: unknown }): void {
  const w = window as unknown as Record<string, unknown>;
  const rec = { posted: [] as unknown[], state: arg.state as unknown, csp: [] as unknown[] };
  const typed = (v: unknown): unknown => {
    if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Uint8Array) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { __typed: v instanceof Float32Array ? "f32" : v instanceof Float64Array ? "f64" : "u8", b64: btoa(s) };
    }
    if (Array.isArray(v)) return v.map(typed);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)]));
    return v;
  };
  const untyped = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(untyped);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o["__typed"] === "string" && typeof o["b64"] === "string") {
        const s = atob(o["b64"]);
        const bytes = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
        return o["__typed"] === "f32" ? new Float32Array(bytes.buffer) : o["__typed"] === "f64" ? new Float64Array(bytes.buffer) : bytes;
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untyped(x)]));
    }
    return v;
  };
  w["__cs"] = { rec, typed, untyped };
  let acquired = false;
  w["acquireVsCodeApi"] = () => {
    if (acquired) throw new Error("An instance of the VS Code API has already been acquired");
    acquired = true;
    return Object.freeze({
      postMessage: (m: unknown) => rec.posted.push(structuredClone(m)),
      getState: () => (rec.state === undefined ? undefined : JSON.parse(JSON.stringify(rec.state))),
      setState: (s: unknown) => {
        rec.state = JSON.parse(JSON.stringify(s));
        return s;
      },
    });
  };
  document.addEventListener("securitypolicyviolation", (e) => rec.csp.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
  const apply = (): boolean => {
    const html = document.documentElement;
    if (html && !html.dataset["csThemed"]) {
      for (const [k, v] of Object.entries(arg.vars)) html.style.setProperty(k, v);
      html.dataset["csThemed"] = "1";
    }
    if (document.body) {
      document.body.classList.add(arg.className);
      document.body.dataset["vscodeThemeKind"] = arg.kind;
      return true;
    }
    return false;
  };
  if (!apply()) {
    const mo = new MutationObserver(() => {
      if (apply()) mo.disconnect();
    });
    mo.observe(document, { childList: true, subtree: true });
  }
}

export async function openPanel(
  browser: Browser,
  server: Server,
  panel: WebviewName,
  theme: ThemeName,
  opts: { width?: number; height?: number; state?: unknown } = {},
): Promise<PanelPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1200, height: opts.height ?? 860 },
    deviceScaleFactor: 1,
    colorScheme: theme === "light" ? "light" : "dark",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if ((url.hostname === "127.0.0.1" || url.hostname === "localhost") && url.origin === server.origin) return route.continue();
    if (url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}: ${m.text()}`);
  });
  const t = THEMES[theme];
  await page.addInitScript(pageSetup, { className: t.className, kind: t.kind, vars: t.vars, state: opts.state });
  await page.goto(`${server.origin}/panel/${panel}.html`);
  const pp: PanelPage = {
    page,
    errors,
    blocked,
    posted: async () =>
      decode(
        await page.evaluate(() =>
          (window as unknown as { __cs: { typed(v: unknown): unknown; rec: { posted: unknown[] } } }).__cs.typed(
            (window as unknown as { __cs: { rec: { posted: unknown[] } } }).__cs.rec.posted,
          ),
        ),
      ) as Record<string, unknown>[],
    state: () => page.evaluate(() => (window as unknown as { __cs: { rec: { state: unknown } } }).__cs.rec.state),
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { __cs: { rec: { csp: { directive: string; blocked: string; sample: string }[] } } }).__cs.rec.csp),
    post: async (msg) => {
      await page.evaluate((m) => {
        const cs = (window as unknown as { __cs: { untyped(v: unknown): unknown } }).__cs;
        window.postMessage(cs.untyped(m), "*");
      }, encode(msg));
    },
    waitForPosted: async (type, count = 1) => {
      await page.waitForFunction(
        ([ty, n]) =>
          (window as unknown as { __cs: { rec: { posted: { type?: string }[] } } }).__cs.rec.posted.filter((m) => m.type === ty).length >= (n as number),
        [type, count] as const,
        { timeout: 10_000 },
      );
      const all = await pp.posted();
      return all.filter((m) => m["type"] === type)[count - 1]!;
    },
    screenshot: async (name) => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: () => context.close(),
  };
  return pp;
}

/**
 * For a describe block: one browser and one page server shared by its tests (started before them,
 * closed after them), and `open`, which opens a panel there (see `openPanel`).
 */
export function panelSession(chromium: { path: string } | { skip: string }): {
  open(panel: WebviewName, theme: ThemeName, opts?: { width?: number; height?: number; state?: unknown }): Promise<PanelPage>;
} {
  let browser: Browser;
  let server: Server;
  before(async () => {
    server = await startServer();
    browser = await launch((chromium as { path: string }).path);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return { open: (panel, theme, opts) => openPanel(browser, server, panel, theme, opts) };
}

/** Asserts a panel page is clean: no CSP violation, no unexpected console error, no blocked request, no unlabelled control. */
export async function assertCleanPage(p: PanelPage): Promise<void> {
  assert.deepEqual(await p.cspViolations(), []);
  assert.deepEqual(unexpectedErrors(p.errors), []);
  assert.deepEqual(p.blocked, []);
  assert.deepEqual(await unlabelledControls(p.page), []);
}

/** Fraction of a canvas's pixels that differ from its most common colour (0 = blank). */
export async function canvasInk(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, canvasInkInPage);
}

/** The messages a panel's tests have no business seeing in the console (none expected). */
export function unexpectedErrors(errors: readonly string[]): string[] {
  return errors.filter((e) => !/Download the React DevTools|Lit is in dev mode/.test(e));
}

/**
 * Controls and focusable elements (outside shadow roots) that have neither an aria-label, nor
 * aria-labelledby, nor text: each one is described as tag#class.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const sel =
      "vscode-button, vscode-checkbox, vscode-single-select, vscode-textfield, input, select, button, [role=button], [role=slider], [role=gridcell], [tabindex='0']";
    return [...document.querySelectorAll(sel)]
      .filter((e) => !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby") && !(e.textContent ?? "").trim())
      .map((e) => `${e.getAttribute("class") ?? ""}|${e.getAttribute("data-key") ?? ""}`);
  });
}
