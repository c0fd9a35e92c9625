import type { PanelKind } from "../../shared/webview/common";

/**
 * The HTML of a CNN Studio webview panel: a pure function (no `vscode` import), so the host and the
 * browser tests build exactly the same page. The page loads one script and one stylesheet, both
 * from the extension's `dist/webview/` folder; the Content-Security-Policy allows nothing else: no
 * inline script, no remote resource, no `eval`, no network.
 */

/** What a page of dist/webview/ shows: a panel, or the Train view (a webview view in the sidebar). */
export type WebviewName = PanelKind | "train";

export interface PanelHtmlOptions {
  panel: WebviewName;
  title: string;
  /** `dist/webview/<panel>.js` as the webview sees it (`webview.asWebviewUri(...)`). */
  scriptUri: string;
  /** `dist/webview/<panel>.css` as the webview sees it. */
  styleUri: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce for every page (`makeNonce()`). */
  nonce: string;
}

/** The policy for one page: scripts only with the nonce; styles, images and fonts only from the extension. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    "connect-src 'none'",
    "worker-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "media-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function panelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error("panelHtml: the nonce must be at least 16 base64 characters");
  const csp = contentSecurityPolicy(o.cspSource, o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<link rel="stylesheet" nonce="${o.nonce}" href="${escapeHtml(o.styleUri)}">
</head>
<body data-panel="${o.panel}">
<main id="app" aria-busy="true"><p class="cs-loading">Loading…</p></main>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random base64url characters (Node's and the browser's Web Crypto). */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_");
}
