import * as path from "node:path";
import ts = require("typescript");
import { readDeclarations, typingsLayout } from "../../src/export/program";
import { TYPINGS } from "./paths";

/** One file of the typings, parsed, with the namespace its top level declares (`nn`, `F`, `torch`, or "" for the package's top level). */
export interface TypingsFile {
  file: string;
  namespace: string;
  source: ts.SourceFile;
}

/** Every file of `types/` (the entry `cnn-studio.d.ts` and `cnn-studio/**`), as the exporter reads them. */
export function typingsFiles(): TypingsFile[] {
  const texts = new Map<string, string>();
  readDeclarations(path.dirname(TYPINGS), texts);
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
