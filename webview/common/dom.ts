/** Tiny DOM helpers: elements are built with properties and attributes, never from HTML strings. */

export interface Props {
  class?: string;
  text?: string;
  /** Attributes (aria-*, role, tabindex, data-*, ...). Never `style`: the CSP forbids inline styles. */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

function apply(el: Element, props: Props): void {
  if (props.class) el.setAttribute("class", props.class);
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const [k, f] of Object.entries(props.on ?? {})) el.addEventListener(k, f as EventListener);
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | undefined> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

/** A visually hidden live region that screen readers announce. */
export function liveRegion(): HTMLElement {
  return h("div", { class: "cs-sr-only", attrs: { role: "status", "aria-live": "polite" } });
}

/** A notice: "not available", an error, or a hint. */
export function notice(kind: "info" | "warning" | "error", title: string, body?: string): HTMLElement {
  return h(
    "div",
    { class: `cs-notice cs-notice-${kind}`, attrs: { role: kind === "error" ? "alert" : "note" } },
    h("strong", { text: title }),
    body ? h("p", { text: body }) : null,
  );
}

/** The app root (`<main id="app">`), emptied and marked loaded. */
export function appRoot(): HTMLElement {
  const root = byId("app");
  clear(root);
  root.removeAttribute("aria-busy");
  return root;
}

/** A downloadable name: letters, digits, dot, dash and underscore. */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "export";
}
