import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ts = require("typescript");
import { LAYERS, LAYER_TYPES, isLayerType, layerNamespace, type LayerKind } from "../../src/analyzer/layers/index";
import type { ArgValue, Args, ParamSpec } from "../../src/analyzer/layers/kind";
import { factoryDeclaration, namespaceStatements } from "../helpers/typingsFiles";

/**
 * Issue 13.1: each `nn.*` factory in the typings (types/cnn-studio/nn/) against its layer kind's parameter
 * specs: positional names in order, the options object's members, optionality, and documented
 * defaults (`@defaultValue`, or "Default: `x`" in `@param`), so the two cannot drift.
 */

const nn = { statements: namespaceStatements("nn") };
assert.ok(nn.statements.length > 0, "no declarations of namespace nn");
const opsNamespace = { statements: namespaceStatements("ops") };

interface Member {
  optional: boolean;
  /** The documented default, as written; undefined when none is documented. */
  doc: string | undefined;
}

function jsDocTag(node: ts.Node, tag: string): string | undefined {
  for (const t of ts.getJSDocTags(node)) {
    if (t.tagName.text === tag) return typeof t.comment === "string" ? t.comment.trim() : ts.getTextOfJSDocComment(t.comment)?.trim();
  }
  return undefined;
}

/** An options type's members: an interface (with what it extends) or a union of interfaces. */
function members(type: ts.TypeNode): Map<string, Member> {
  if (ts.isUnionTypeNode(type)) {
    const alts = type.types.map(members);
    const out = new Map<string, Member>();
    for (const name of new Set(alts.flatMap((m) => [...m.keys()]))) {
      const found = alts.map((m) => m.get(name));
      // `size?: undefined` marks the other alternative's member: optional across the union.
      const optional = found.some((m) => !m || m.optional);
      out.set(name, { optional, doc: found.find((m) => m?.doc !== undefined)?.doc });
    }
    return out;
  }
  assert.ok(ts.isTypeReferenceNode(type), `unsupported options type ${type.getText()}`);
  return membersOf(type.typeName.getText().replace(/^nn\./, ""));
}

function membersOf(name: string): Map<string, Member> {
  const alias = nn.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name);
  if (alias) return members(alias.type);
  const decl = nn.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(decl, `no interface nn.${name}`);
  const out = new Map<string, Member>();
  for (const h of decl.heritageClauses ?? []) for (const t of h.types) for (const [k, v] of membersOf(t.expression.getText())) out.set(k, v);
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.name || !ts.isIdentifier(m.name)) continue;
    const isMarker = m.type?.kind === ts.SyntaxKind.UndefinedKeyword;
    if (isMarker && out.has(m.name.text)) continue;
    out.set(m.name.text, { optional: !!m.questionToken, doc: jsDocTag(m, "defaultValue") });
  }
  return out;
}

/** Whether the documented default is the spec's (null: nothing literal documented, e.g. "kernelSize"). */
function sameDefault(spec: ParamSpec, doc: string | undefined): boolean {
  const d = spec.default as ArgValue | ((a: Args) => ArgValue);
  if (typeof d === "function") return true;
  if (d === null || d === undefined) return doc === undefined || !/^(-?[\d.e+-]+|true|false|"[^"]*")$/.test(doc);
  if (doc === undefined) return false;
  if (typeof d === "number") return Number(doc) === d;
  if (typeof d === "string") return doc === JSON.stringify(d);
  return doc === String(d);
}

function paramDefault(fn: ts.SignatureDeclarationBase, name: string): string | undefined {
  const tag = ts.getJSDocTags(fn).find((t): t is ts.JSDocParameterTag => ts.isJSDocParameterTag(t) && t.name.getText() === name);
  const text = tag ? (typeof tag.comment === "string" ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? "")) : "";
  return /Default: `([^`]+)`/.exec(text)?.[1];
}

function check(type: string, kind: LayerKind): string[] {
  const problems: string[] = [];
  const owner = isLayerType(type) && layerNamespace(type) === "ops" ? opsNamespace : nn;
  const fn = factoryDeclaration(owner.statements, type);
  if (!fn) return [`no declaration of nn.${type}`];
  if (kind.acceptsAnyArgs)
    return fn.parameters.length === 1 && fn.parameters[0]!.dotDotDotToken ? [] : [`nn.${type} accepts any arguments: declare (...args: unknown[])`];
  const positional = kind.params.filter((p) => !p.keywordOnly);
  const declared = fn.parameters.filter((p) => p.name.getText() !== "opts");
  declared.forEach((p, i) => {
    const name = p.name.getText();
    const spec = positional[i];
    if (!spec || spec.name !== name) return problems.push(`positional ${i + 1} is '${name}', the spec has '${spec?.name}'`);
    if (!!p.questionToken !== "default" in spec) problems.push(`'${name}' is ${p.questionToken ? "optional" : "required"} in the typings, not in the spec`);
    if (!sameDefault(spec, paramDefault(fn, name)))
      problems.push(`'${name}' documents default ${paramDefault(fn, name)}, the spec has ${String(spec.default)}`);
  });
  const optsParam = fn.parameters.find((p) => p.name.getText() === "opts");
  const options = optsParam?.type ? members(optsParam.type) : new Map<string, Member>();
  const expected = new Map(kind.params.filter((s) => !declared.some((p) => p.name.getText() === s.name)).map((s) => [s.name, s]));
  for (const ignored of kind.ignoredOptions ?? []) if (!options.has(ignored)) problems.push(`option '${ignored}' (accepted and ignored) is not declared`);
  for (const [name, spec] of expected) {
    const m = options.get(name);
    if (!m) {
      problems.push(`option '${name}' is not declared`);
      continue;
    }
    if (m.optional !== "default" in spec) problems.push(`option '${name}' is ${m.optional ? "optional" : "required"} in the typings, not in the spec`);
    if (!sameDefault(spec, m.doc)) problems.push(`option '${name}' documents default ${m.doc}, the spec has ${String(spec.default)}`);
  }
  for (const name of options.keys())
    if (!expected.has(name) && !kind.ignoredOptions?.includes(name)) problems.push(`option '${name}' is declared but not a parameter`);
  return problems.map((p) => `nn.${type}: ${p}`);
}

describe("the typings match the layer kinds' parameter specs", () => {
  for (const type of LAYER_TYPES) {
    test(`nn.${type}`, () => {
      assert.deepEqual(check(type, LAYERS[type] as LayerKind), []);
    });
  }

  test("the check finds drift (a renamed option, a wrong default)", () => {
    const conv = LAYERS.Conv2d as LayerKind;
    const renamed: LayerKind = { ...conv, params: conv.params.map((p) => (p.name === "dilation" ? { ...p, name: "dilate" } : p)) };
    assert.ok(check("Conv2d", renamed).some((p) => /'dilate' is not declared/.test(p)));
    const shifted: LayerKind = { ...conv, params: conv.params.map((p) => (p.name === "groups" ? { ...p, default: 2 } : p)) };
    assert.ok(check("Conv2d", shifted).some((p) => /'groups' documents default 1/.test(p)));
  });
});
