/**
 * The webview's side of a panel's message channel: `acquireVsCodeApi` once, messages checked in
 * both directions with the panel's validators, `ready` sent on load (the host answers with a
 * snapshot), state kept with `getState`/`setState` so the panel comes back as it was when hidden
 * and shown again, and uncaught errors reported to the host's log.
 */
import type { Checked } from "../../src/shared/validate";
import type { RestoreInfo } from "../../src/shared/webview/common";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export interface Channel<Out, S> {
  post(msg: Out): void;
  /** The panel's saved state (restored on load), with `restore` for the host's serializer. */
  readonly state: S & { restore: RestoreInfo };
  /** Merges `patch` into the state and saves it. */
  save(patch: Partial<S & { restore: RestoreInfo }>): void;
}

export interface ChannelOptions<In, Out, S> {
  validateIn(v: unknown): Checked<In>;
  validateOut(v: unknown): Checked<Out>;
  onMessage(msg: In): void;
  /** Checks a saved state (from an older version, or absent) and fills what is missing. */
  restoreState(saved: unknown): S;
}

export function connect<In, Out extends { type: string }, S extends object>(o: ChannelOptions<In, Out, S>): Channel<Out, S> {
  const vs = vscodeApi();
  const saved = vs.getState();
  const restore = (saved as { restore?: RestoreInfo } | undefined)?.restore ?? { model: null, runs: null };
  const state = { ...o.restoreState(saved), restore } as S & { restore: RestoreInfo };
  const post = (msg: Out): void => {
    const r = o.validateOut(msg);
    if (!r.ok) {
      console.error(`CNN Studio: refusing to send an invalid message: ${r.error}`);
      vs.postMessage({ type: "log", level: "error", message: `webview tried to send an invalid message: ${r.error}` });
      return;
    }
    vs.postMessage(r.value);
  };
  window.addEventListener("message", (e: MessageEvent<unknown>) => {
    const r = o.validateIn(e.data);
    if (!r.ok) {
      vs.postMessage({ type: "log", level: "warning", message: `ignored a message from the host: ${r.error}` });
      return;
    }
    try {
      o.onMessage(r.value);
    } catch (err) {
      report(err);
    }
  });
  const report = (err: unknown): void => {
    const message = err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err);
    vs.postMessage({ type: "log", level: "error", message });
  };
  window.addEventListener("error", (e) => report(e.error ?? e.message));
  window.addEventListener("unhandledrejection", (e) => report(e.reason));
  const channel: Channel<Out, S> = {
    post,
    state,
    save(patch) {
      Object.assign(state, patch);
      vs.setState(state);
    },
  };
  vs.setState(state);
  return channel;
}

/** Posts `ready` (after the panel has set itself up, so the snapshot finds it listening). */
export function sendReady(): void {
  vscodeApi().postMessage({ type: "ready" });
}
