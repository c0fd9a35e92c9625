import ts = require("typescript");

/**
 * TypeScript 5.5–6.0's JSDoc scanner loops forever when a `/**` comment's text ends right after a
 * `-` (microsoft/TypeScript#63580, fixed on main by #63581 but in no 5.x/6.x release): `/**a-*​/`,
 * or `/** ResNet-50` left unterminated while typing. This neutralises the trigger without moving
 * any offset: such a `-` becomes a space, and an unterminated comment gets its `*​/` appended at the
 * very end of the text. Only comments change, so the parse of the code is the same.
 */
export function guardAgainstScannerHang(text: string): string {
  if (!text.includes("/*")) return text;
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, /*skipTrivia*/ false, ts.LanguageVariant.Standard, text);
  let out: string[] | undefined;
  let appended = "";
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();
    const closed = text.startsWith("*/", end - 2) && end - start >= 4;
    // An unterminated comment runs to the end of the text: close it there (reusing a final '*').
    const reuseStar = !closed && end - start >= 3 && text.endsWith("*");
    if (!closed) appended = reuseStar ? "/" : "*/";
    // Every '-' directly before where the comment's text ends.
    let i = closed ? end - 3 : reuseStar ? end - 2 : end - 1;
    while (i > start + 1 && text[i] === "-") {
      out ??= [...text];
      out[i] = " ";
      i--;
    }
  }
  if (!out && !appended) return text;
  return (out ? out.join("") : text) + appended;
}
