/**
 * Which documents are model files: TypeScript files that import "cnn-studio" (for the language
 * server and the extension's Models view). Checked on every change, so it must be cheap: a
 * substring test, then one regular expression.
 */

const IMPORT = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*)["']cnn-studio["']/;

export function importsCnnStudio(text: string): boolean {
  return text.includes("cnn-studio") && IMPORT.test(text);
}

export function isTypeScriptDocument(uri: string, languageId: string): boolean {
  return languageId === "typescript" || /\.[cm]?ts$/i.test(uri.split(/[?#]/)[0] ?? "");
}

/**
 * Whether a document may be a model file at all, whatever it imports (issue 19.6): declaration
 * files (the extension's own typings among them) and anything under `node_modules` never are, nor
 * is a `file:` document outside the workspace's folders when the workspace has any (`folders`:
 * their URIs). Other schemes (an unsaved buffer) may be.
 */
export function isModelFileLocation(uri: string, folders: readonly string[] = []): boolean {
  const p = decodeURIComponent(uri.split(/[?#]/)[0] ?? "");
  if (/\.d\.[cm]?ts$/i.test(p) || /(^|[\\/])node_modules([\\/]|$)/.test(p)) return false;
  if (!uri.startsWith("file:") || folders.length === 0) return true;
  return folders.some((f) => {
    const root = f.replace(/\/+$/, "");
    return uri === root || uri.startsWith(`${root}/`);
  });
}
