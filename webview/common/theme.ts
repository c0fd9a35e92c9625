/**
 * Colours come only from VS Code's `--vscode-*` CSS variables (set by VS Code on the webview's
 * `<html>`), so the light, dark and high-contrast themes all read well. Canvas drawings read them
 * here and redraw when the theme changes.
 */

export type ThemeKind = "light" | "dark" | "high-contrast" | "high-contrast-light";

export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains("vscode-high-contrast-light")) return "high-contrast-light";
  if (c.contains("vscode-high-contrast")) return "high-contrast";
  if (c.contains("vscode-light")) return "light";
  return "dark";
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export interface Theme {
  kind: ThemeKind;
  foreground: string;
  muted: string;
  background: string;
  border: string;
  grid: string;
  focus: string;
  error: string;
  warning: string;
  link: string;
  fontFamily: string;
  fontSize: number;
  monoFamily: string;
  /** Distinct series colours (VS Code's chart colours first). */
  palette: string[];
  /** A contrast border (high-contrast themes), or "". */
  contrastBorder: string;
}

export function theme(): Theme {
  const kind = themeKind();
  const dark = kind === "dark" || kind === "high-contrast";
  const foreground = cssVar("--vscode-foreground", dark ? "#cccccc" : "#3b3b3b");
  return {
    kind,
    foreground,
    muted: cssVar("--vscode-descriptionForeground", dark ? "#9d9d9d" : "#717171"),
    background: cssVar("--vscode-editor-background", dark ? "#1f1f1f" : "#ffffff"),
    border: cssVar("--vscode-panel-border", dark ? "#2b2b2b" : "#e5e5e5"),
    grid: withAlpha(cssVar("--vscode-editorLineNumber-foreground", "#6e7681"), 0.3),
    focus: cssVar("--vscode-focusBorder", "#0078d4"),
    error: cssVar("--vscode-errorForeground", dark ? "#f85149" : "#e51400"),
    warning: cssVar("--vscode-editorWarning-foreground", "#cca700"),
    link: cssVar("--vscode-textLink-foreground", dark ? "#4daafc" : "#005fb8"),
    fontFamily: cssVar("--vscode-font-family", "system-ui, sans-serif"),
    fontSize: parseFloat(cssVar("--vscode-font-size", "13px")) || 13,
    monoFamily: cssVar("--vscode-editor-font-family", "monospace"),
    palette: [
      cssVar("--vscode-charts-blue", "#3794ff"),
      cssVar("--vscode-charts-orange", "#d18616"),
      cssVar("--vscode-charts-green", "#89d185"),
      cssVar("--vscode-charts-purple", "#b180d7"),
      cssVar("--vscode-charts-red", "#f14c4c"),
      cssVar("--vscode-charts-yellow", "#cca700"),
      cssVar("--vscode-terminal-ansiCyan", "#11a8cd"),
      cssVar("--vscode-terminal-ansiMagenta", "#bc3fbc"),
    ],
    contrastBorder: cssVar("--vscode-contrastBorder", ""),
  };
}

/** Calls `f` when VS Code switches theme (it changes `<body>`'s class and `<html>`'s variables). */
export function onThemeChange(f: () => void): void {
  let last = `${document.body.className}|${document.documentElement.getAttribute("style") ?? ""}`;
  const check = (): void => {
    const now = `${document.body.className}|${document.documentElement.getAttribute("style") ?? ""}`;
    if (now !== last) {
      last = now;
      f();
    }
  };
  const mo = new MutationObserver(check);
  mo.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
}

/** `#rrggbb` or `#rgb` or `rgb(...)` with an alpha. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const m = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (m) {
    let hex = m[1]!;
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((x) => x + x).join("");
    const r = parseInt(hex.slice(0, 2), 16);
    const g = parseInt(hex.slice(2, 4), 16);
    const b = parseInt(hex.slice(4, 6), 16);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(c);
  if (rgb) {
    const [r, g, b] = rgb[1]!.split(",").map((x) => x.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return c;
}
