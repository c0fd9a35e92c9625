import ts = require("typescript");

/** Does the statement or declaration carry the modifier (`export`, `default`, `declare`, `static`, ...)? */
export function hasModifier(node: ts.Node, kind: ts.ModifierSyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** The `@input` tags of a model's declaration, with their text (`[N, 3, 224, 224]`). */
export function inputTags(docNode: ts.Node | undefined): { tag: ts.JSDocTag; text: string }[] {
  if (!docNode) return [];
  return ts
    .getJSDocTags(docNode)
    .filter((t) => t.tagName.text === "input")
    .map((tag) => ({ tag, text: ts.getTextOfJSDocComment(tag.comment) ?? "" }));
}
