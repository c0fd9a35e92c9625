import ts = require("typescript");
import { toLocation } from "./location";

/**
 * A fix written in the form the code writes the value (issue 19.9): where the code multiplies
 * (`nn.Linear(16 * 5 * 5, 120)`) and the input was flattened from `[N, 16, 4, 4]`, the product of
 * the flattened sizes (`16 * 4 * 4`), not the literal `256`.
 */
export function fixInForm(
  param: string,
  value: number | string,
  node: ts.Node,
  note: string | undefined,
): { title: string; location: ReturnType<typeof toLocation>; newText: string } {
  let text = String(value);
  const flattened = /^from \[([^\]]+)\] flattened$/.exec(note ?? "")?.[1];
  if (flattened && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const dims = flattened
      .split(",")
      .slice(1)
      .map((d) => Number(d.trim()));
    if (dims.length > 1 && dims.every((d) => Number.isInteger(d) && d > 0) && dims.reduce((a, b) => a * b, 1) === Number(value)) text = dims.join(" * ");
  }
  return { title: `Change ${param} to ${text === String(value) ? text : `${text} (${value})`}`, location: toLocation(node), newText: text };
}
