/**
 * The Train view's page (src/extension/train/trainView.ts) in headless Chromium, with its own
 * Content-Security-Policy: the panels' nonce-only policy (no extension script without the nonce, no
 * inline style without it), and the view still works under it: the @vscode-elements components
 * upgrade with their styles, the nonce'd <style> applies, the form script runs and posts `ready`.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { createFakeVscode, installFakeVscode } from "../helpers/fakeVscode";
import { ensureChromium, launch, ROOT } from "./harness";

const fake = createFakeVscode(ROOT);
installFakeVscode(fake.api);
const { TrainViewProvider } = require("../../src/extension/train/trainView") as typeof import("../../src/extension/train/trainView");

const none = { dispose: () => undefined };

/** The view's HTML as the extension makes it, with resources under `origin`. */
function trainViewHtml(origin: string): string {
  const store = { onDidChange: () => none, ensureScanned: async () => undefined, entries: () => [] };
  const training = { onDidChange: () => none };
  const provider = new TrainViewProvider(fake.context as never, store as never, training as never);
  const webview = {
    options: {},
    html: "",
    cspSource: origin,
    asWebviewUri: (u: { fsPath: string }) => ({ toString: () => `${origin}/${path.relative(ROOT, u.fsPath)}` }),
    onDidReceiveMessage: () => none,
    postMessage: async () => true,
  };
  provider.resolveWebviewView({ webview, onDidDispose: () => none, onDidChangeVisibility: () => none, visible: true } as never);
  provider.dispose();
  return webview.html;
}

const INIT = `
  window.__posted = []; window.__csp = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: (s) => s });
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
`;

const chromium = ensureChromium();
let browser: Browser | undefined;
let server: http.Server | undefined;
let origin = "";

before(async () => {
  if ("skip" in chromium) return;
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/train.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(trainViewHtml(origin));
      return;
    }
    const file = path.join(ROOT, decodeURIComponent(url.pathname));
    if (file.startsWith(path.join(ROOT, "node_modules", "@vscode-elements")) && fs.existsSync(file)) {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(fs.readFileSync(file));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch(chromium.path);
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

describe("Train view (Chromium)", { skip: "skip" in chromium ? chromium.skip : false, timeout: 120_000 }, () => {
  it("has the panels' nonce-only policy and still works under it", async () => {
    const html = trainViewHtml(origin);
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "").replace(/&#39;/g, "'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
    assert.ok(nonce.length >= 16, csp);
    assert.match(csp, new RegExp(`^default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin.replace(/[.]/g, "\\.")} 'nonce-${nonce}';`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, /\sstyle="/, "no inline style attributes");
    for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) assert.match(tag, new RegExp(`nonce="${nonce}"`), tag);

    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript({ content: INIT });
    await page.goto(`${origin}/train.html`);
    await page.waitForFunction("window.__posted.some((m) => m.type === 'ready')", undefined, { timeout: 20_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate("window.__csp"), []);
    // the nonce'd <style> applies, the components are defined and styled (constructed stylesheets)
    assert.equal(await page.evaluate("getComputedStyle(document.body).paddingLeft"), "12px");
    assert.equal(await page.evaluate("!!customElements.get('vscode-textfield') && !!customElements.get('vscode-single-select')"), true);
    assert.ok(((await page.evaluate("document.getElementById('epochs').shadowRoot.adoptedStyleSheets.length")) as number) > 0);
    const ready = ((await page.evaluate("window.__posted")) as { type: string; state: Record<string, unknown> }[]).find((m) => m.type === "ready")!;
    assert.match(String(ready.state["epochs"]), /^\d+$/, "the form's values are read from the upgraded elements");
    await page.close();
  });
});
