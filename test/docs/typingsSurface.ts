import ts = require("typescript");
import { TYPINGS } from "../helpers/paths";
import { factoryDeclaration, typingsFiles } from "../helpers/typingsFiles";

/**
 * The user-facing surface of `types/cnn-studio.d.ts`, read with the TypeScript compiler: every
 * factory, function and tensor method as the signature a reader sees (`nn.Conv2d(inChannels,
 * outChannels, kernelSize, opts?)`), the options each one takes with their `@defaultValue`, the
 * attributes of each module, and the exported types. docs/model-language.md is checked against it.
 */

export interface OptionSpec {
  name: string;
  /** The `@defaultValue` tag's text, or undefined when the option has none. */
  defaultValue: string | undefined;
}

export interface CallableSpec {
  /** `nn`, `F`, `torch`, `Tensor` or `Module`-like receivers (`m`). */
  owner: string;
  name: string;
  /** As written in the doc: `nn.Conv2d(inChannels, outChannels, kernelSize, opts?)`, or `x.shape` for a property. */
  signature: string;
  options: OptionSpec[];
  /** Readable attributes of the module a factory returns (`inChannels`, `stride`, …). */
  attributes: string[];
}

export interface Surface {
  callables: CallableSpec[];
  /** Every `nn.*`, `F.*`, `torch.*`, `ops.*` name, for checking names the doc mentions. */
  names: Map<string, Set<string>>;
  /** Exported type aliases (`Size2d`, …). */
  types: string[];
}

/** Receivers the doc writes member signatures on: `x.add(other)`, `m.addModule(name, module)`, … */
export const RECEIVERS: Record<string, string> = {
  Tensor: "x",
  Module: "m",
  Sequential: "seq",
  ModuleList: "list",
  ModuleDictBase: "dict",
};

function paramText(p: ts.ParameterDeclaration): string {
  const name = p.name.getText();
  return p.dotDotDotToken ? `...${name}` : p.questionToken || p.initializer ? `${name}?` : name;
}

function signatureOf(prefix: string, name: string, decl: ts.SignatureDeclarationBase): string {
  return `${prefix}.${name}(${decl.parameters.map(paramText).join(", ")})`;
}

function defaultTag(sym: ts.Symbol, checker: ts.TypeChecker): string | undefined {
  const tag = sym.getJsDocTags(checker).find((t) => t.name === "defaultValue");
  return tag ? ts.displayPartsToString(tag.text).trim() : undefined;
}

/** The options of an `opts` parameter: the properties of its type (of every member of a union), minus `?: undefined` ones. */
function optionsOf(decl: ts.SignatureDeclarationBase, checker: ts.TypeChecker): OptionSpec[] {
  const opts = decl.parameters.find((p) => p.name.getText() === "opts");
  if (!opts?.type) return [];
  const type = checker.getNonNullableType(checker.getTypeFromTypeNode(opts.type));
  const members = type.isUnion() ? type.types : [type];
  const out = new Map<string, OptionSpec>();
  for (const t of members) {
    for (const prop of t.getProperties()) {
      const propType = checker.getTypeOfSymbol(prop);
      if (propType.flags & ts.TypeFlags.Undefined) continue; // `scaleFactor?: undefined` in the size form
      if (!out.has(prop.name)) out.set(prop.name, { name: prop.name, defaultValue: defaultTag(prop, checker) });
    }
  }
  return [...out.values()];
}

function ownMembers(iface: ts.InterfaceDeclaration): ts.TypeElement[] {
  return iface.members.filter((m) => m.name !== undefined && !ts.isComputedPropertyName(m.name));
}

function memberSpecs(owner: string, iface: ts.InterfaceDeclaration): CallableSpec[] {
  const receiver = RECEIVERS[owner] ?? owner;
  return ownMembers(iface).map((m) => {
    const name = m.name!.getText();
    const signature = ts.isMethodSignature(m) ? signatureOf(receiver, name, m) : `${receiver}.${name}`;
    return { owner, name, signature, options: [], attributes: [] };
  });
}

export function readSurface(): Surface {
  const program = ts.createProgram([TYPINGS], { noEmit: true, strict: true, types: [], lib: ["lib.es2022.d.ts"] });
  const checker = program.getTypeChecker();
  const callables: CallableSpec[] = [];
  const names = new Map<string, Set<string>>([
    ["nn", new Set()],
    ["F", new Set()],
    ["torch", new Set()],
    ["ops", new Set()],
  ]);
  const types: string[] = [];
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const isExported = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

  for (const { file, namespace } of typingsFiles()) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`the typings program lacks ${file}`);
    const nsNames = names.get(namespace);
    for (const stmt of source.statements) {
      if (ts.isTypeAliasDeclaration(stmt) && isExported(stmt) && namespace === "") types.push(stmt.name.text);
      if (ts.isInterfaceDeclaration(stmt)) {
        if (namespace === "" && stmt.name.text === "Tensor") callables.push(...memberSpecs("Tensor", stmt));
        if (namespace !== "") interfaces.set(`${namespace}.${stmt.name.text}`, stmt);
      }
      if (!nsNames) continue;
      if (ts.isVariableStatement(stmt) && isExported(stmt))
        for (const d of stmt.declarationList.declarations) {
          const name = d.name.getText();
          nsNames.add(name);
          // a factory that is also a class (`export const LayerNorm: LayerNormClass`): its call signature
          const call = factoryDeclaration(source.statements, name);
          if (call)
            callables.push({ owner: namespace, name, signature: signatureOf(namespace, name, call), options: optionsOf(call, checker), attributes: [] });
        }
      if (ts.isFunctionDeclaration(stmt) && stmt.name) {
        nsNames.add(stmt.name.text);
        callables.push({
          owner: namespace,
          name: stmt.name.text,
          signature: signatureOf(namespace, stmt.name.text, stmt),
          options: optionsOf(stmt, checker),
          attributes: [],
        });
      }
    }
  }
  // Attributes of the modules the nn factories return: the interface of the same name, minus forward.
  for (const c of callables) {
    const iface = c.owner === "nn" || c.owner === "ops" ? interfaces.get(`${c.owner}.${c.name}`) : undefined;
    if (iface)
      c.attributes = ownMembers(iface)
        .map((m) => m.name!.getText())
        .filter((n) => n !== "forward");
  }
  for (const owner of ["Module", "Sequential", "ModuleList", "ModuleDictBase"]) {
    const iface = interfaces.get(`nn.${owner}`);
    if (iface) callables.push(...memberSpecs(owner, iface).filter((m) => m.name !== "forward"));
  }
  return { callables, names, types };
}
