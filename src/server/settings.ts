import { DEFAULT_SETTINGS, type ServerSettings } from "../shared/lsp";

/**
 * Settings arrive from the client as untrusted JSON (`initializationOptions.settings`, or the
 * `cnnStudio` section of `workspace/didChangeConfiguration`): every field is checked, anything
 * missing or malformed keeps its current value.
 */

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function bool(x: unknown, fallback: boolean): boolean {
  return typeof x === "boolean" ? x : fallback;
}

/** Applies whatever is valid in `raw` on top of `base`. */
export function resolveSettings(raw: unknown, base: ServerSettings = DEFAULT_SETTINGS): ServerSettings {
  const out: ServerSettings = { inlayHints: { ...base.inlayHints }, debounceMs: base.debounceMs };
  if (!isRecord(raw)) return out;
  const hints = raw["inlayHints"];
  if (typeof hints === "boolean") out.inlayHints.enabled = hints;
  else if (isRecord(hints)) {
    out.inlayHints.enabled = bool(hints["enabled"], out.inlayHints.enabled);
    out.inlayHints.sequentialEntries = bool(hints["sequentialEntries"], out.inlayHints.sequentialEntries);
    out.inlayHints.forwardStatements = bool(hints["forwardStatements"], out.inlayHints.forwardStatements);
  }
  const debounce = raw["debounceMs"];
  if (typeof debounce === "number" && Number.isFinite(debounce)) out.debounceMs = Math.min(2000, Math.max(0, Math.round(debounce)));
  return out;
}

/** The `cnnStudio` section of a `workspace/didChangeConfiguration` payload, if it has one. */
export function settingsSection(payload: unknown, section: string): unknown {
  if (!isRecord(payload)) return undefined;
  const settings = payload["settings"];
  return isRecord(settings) ? settings[section] : undefined;
}
