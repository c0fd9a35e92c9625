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
