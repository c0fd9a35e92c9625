import ts = require("typescript");
import type { LocationLink } from "vscode-languageserver";
import type { Location, Position } from "../shared/analysis";
import { modulesOfField } from "./hover";
import { rangeContains, rangeKey, rangeWithin } from "../shared/ranges";
import type { AnalysisSession } from "./session";
import { className, enclosingClass, fieldDefinitions, nodeAt, nodeRange, nodeSpanning, offsetAt, thisMemberName } from "./treeQueries";

/**
 * `textDocument/definition` for module calls in `forward`: from `this.conv1(x)` (or `this.conv1`
 * anywhere in the class) to the statement that stores the module in the field
 * (`this.conv1 = conv3x3(…)`, or a field initialiser), and to where the module is actually
 * constructed when that is elsewhere (inside a helper such as `conv3x3`). A call of a module held
 * in a variable (`layer(x)` in a loop) goes to where the called modules were constructed.
 */
export function definition(session: AnalysisSession, file: string, pos: Position): LocationLink[] | null {
  const snapshots = session.snapshotsFor(file);
  if (snapshots.length === 0) return null;
  const sf = session.sourceFile(file);
  if (!sf) return null;
  const node = nodeAt(sf, offsetAt(sf, pos));
  const links: LocationLink[] = [];
  const seen = new Set<string>();
  const add = (origin: ts.Node, target: Location, selection?: Location["range"]): void => {
    const key = `${target.file}@${rangeKey(target.range)}`;
    if (seen.has(key)) return;
    seen.add(key);
    links.push({
      originSelectionRange: nodeRange(sf, origin),
      targetUri: session.uriOf(target.file),
      targetRange: target.range,
      targetSelectionRange: selection ?? target.range,
    });
  };

  const access =
    ts.isIdentifier(node) && node.parent && thisMemberName(node.parent) !== undefined ? node.parent : thisMemberName(node) !== undefined ? node : undefined;
  if (access) {
    const name = thisMemberName(access)!;
    const cls = enclosingClass(access);
    const modules = cls ? modulesOfField(snapshots, className(cls), name) : [];
    if (!cls || modules.length === 0) return null; // not a module field: TypeScript's own definition covers it
    const origin = ts.isPropertyAccessExpression(access) ? access.name : access;
    const stores: Location["range"][] = [];
    for (const d of fieldDefinitions(cls, name)) {
      const whole = nodeRange(sf, d.whole);
      stores.push(whole);
      add(origin, { file, range: whole }, nodeRange(sf, d.name));
    }
    for (const m of modules) {
      const at = m.module.definedAt;
      if (at && !(at.file === file && stores.some((r) => rangeWithin(at.range, r)))) add(origin, at);
    }
    return links.length ? links : null;
  }

  // A call of a module in a variable: where the modules it called were constructed.
  for (const s of snapshots) {
    for (const f of s.index.factsAt(file, pos)) {
      if (f.kind !== "call" || !f.layer.definedAt) continue;
      const call = nodeSpanning(sf, f.range, ts.isCallExpression);
      if (!call || !rangeContains(nodeRange(sf, call.expression), pos)) continue;
      add(call.expression, f.layer.definedAt);
    }
  }
  return links.length ? links : null;
}
