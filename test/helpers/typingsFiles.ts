import * as path from "node:path";
import ts = require("typescript");
import { typingsLayout } from "../../src/export/program";
import { readTypings } from "../../src/export/typingsFolder";
import { TYPINGS } from "./paths";

/** One file of the typings, parsed, with the namespace its top level declares (`nn`, `F`, `torch`, or "" for the package's top level). */
export interface TypingsFile {
  file: string;
  namespace: string;
  source: ts.SourceFile;
}

/** Every file of `types/` (the entry `cnn-studio.d.ts` and `cnn-studio/**`), as the exporter reads them. */
export function typingsFiles(): TypingsFile[] {
  const texts = readTypings(path.dirname(TYPINGS));
  const layout = typingsLayout(TYPINGS, texts);
  return [...texts].map(([file, text]) => ({
    file,
    namespace: layout.namespaceOf(file) ?? "",
    source: ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true),
  }));
}

/** The top-level statements of every file that declares namespace `name`. */
export function namespaceStatements(name: string): ts.Statement[] {
  return typingsFiles()
    .filter((f) => f.namespace === name)
    .flatMap((f) => [...f.source.statements]);
}

/**
 * A factory's declaration: `export function Conv2d(...)`, or the call signature of a factory that is
 * also a class (`export const LayerNorm: LayerNormClass` with `interface LayerNormClass { (...): LayerNorm; new (...): LayerNorm }`).
 */
export function factoryDeclaration(statements: readonly ts.Statement[], name: string): ts.SignatureDeclarationBase | undefined {
  const fn = statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
  if (fn) return fn;
  const constant = statements
    .filter(ts.isVariableStatement)
    .flatMap((s) => [...s.declarationList.declarations])
    .find((d) => d.name.getText() === name);
  const typeName = constant?.type && ts.isTypeReferenceNode(constant.type) ? constant.type.typeName.getText() : undefined;
  if (typeName !== `${name}Class`) return undefined; // `nn.Sequential` and the containers have their own constructor types
  const iface = statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === typeName);
  return iface?.members.find(ts.isCallSignatureDeclaration);
}
