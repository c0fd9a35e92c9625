/**
 * Types for the code the tests run inside the page (`page.evaluate` callbacks, init scripts): the
 * repository's root tsconfig has no DOM library (it type-checks Node code), so each test file
 * declares the few page globals it uses with these minimal shapes, module-scoped:
 *   declare const document: PageDocument;
 */

export interface PageEvent {
  readonly type: string;
}

export interface PageElement {
  textContent: string | null;
  value: string;
  width: number;
  height: number;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { add(...names: string[]): void; contains(name: string): boolean };
  readonly style: { setProperty(name: string, value: string): void };
  getAttribute(name: string): string | null;
  dispatchEvent(e: PageEvent): boolean;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

export interface PageDocument {
  readonly body: PageElement;
  readonly documentElement: PageElement | null;
  readonly activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  addEventListener(type: "securitypolicyviolation", f: (e: { violatedDirective: string; blockedURI: string; sample: string }) => void): void;
}

export interface PageWindow {
  postMessage(message: unknown, origin: string): void;
}

export type PageEventConstructor = new (type: string) => PageEvent;

export type PageMutationObserver = new (f: () => void) => {
  observe(target: unknown, options: { childList: boolean; subtree: boolean }): void;
  disconnect(): void;
};

/**
 * Runs inside the page (pass it to `evaluate`/`$eval`; it reads nothing outside itself): the share
 * of a canvas's pixels that differ from its most common colour (0: blank).
 */
export function canvasInkInPage(el: unknown): number {
  const c = el as PageElement;
  const ctx = c.getContext("2d");
  if (!ctx || c.width === 0 || c.height === 0) return 0;
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const counts = new Map<number, number>();
  for (let i = 0; i < d.length; i += 4) {
    const k = (d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return 1 - Math.max(...counts.values()) / (d.length / 4);
}
