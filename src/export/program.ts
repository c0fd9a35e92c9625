import * as fs from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import { diskHost, MODULE_NAME, type AnalyzerHost } from "../analyzer/analyze";
import { guardAgainstScannerHang } from "../analyzer/parseGuard";
import { MINI_LIB, MINI_LIB_NAME } from "./minilib";
import { readTypings } from "./typingsFolder";

/**
 * A TypeScript program over a model file and the model files it imports, with the `cnn-studio`
 * typings and a small standard library, for the exporter's type questions (is this an object
 * literal or a class instance? which function does this call reach?). Nothing is emitted and
 * type errors are irrelevant: the analyzer reports the model's problems.
 */

/** The typings of this installation: the entry file and every file of `types/` by path. */
interface Typings {
  file: string;
  texts: ReadonlyMap<string, string>;
}

/** Where the model language's API is declared: which files, and the namespace (`nn`, `F`, `torch`) each one's top level is. */
export interface TypingsLayout {
  /** `nn` for `types/cnn-studio/nn/conv.d.ts`, "" for the entry and `tensor.d.ts`, undefined outside the typings. */
  namespaceOf(file: string): string | undefined;
}

/**
 * The entry's `export * as nn from "./cnn-studio/nn/index"` lines: a namespace is a file, or the
 * folder of an `index.d.ts` with every file in it.
 */
export function typingsLayout(entry: string, texts: ReadonlyMap<string, string>): TypingsLayout {
  const scopes: [string, string][] = [];
  for (const m of (texts.get(entry) ?? "").matchAll(/^export \* as (\w+) from "(\.[^"]+)";$/gm)) {
    const target = path.resolve(path.dirname(entry), `${m[2]}.d.ts`);
    scopes.push([path.basename(target) === "index.d.ts" ? path.dirname(target) + path.sep : target, m[1] ?? ""]);
  }
  return {
    namespaceOf(file) {
      if (!texts.has(file) && file !== entry) return undefined;
      return scopes.find(([scope]) => file === scope || (scope.endsWith(path.sep) && file.startsWith(scope)))?.[1] ?? "";
    },
  };
}

let typingsCache: Typings | null | undefined;

/**
 * `types/cnn-studio.d.ts` of this installation (beside dist/ when bundled, the repository in
 * development) and the files it imports from `types/cnn-studio/`.
 */
function findTypings(): Typings | null {
  if (typingsCache !== undefined) return typingsCache;
  typingsCache = null;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const types = path.join(dir, "types");
    const file = path.join(types, "cnn-studio.d.ts");
    if (fs.existsSync(file)) {
      typingsCache = { file, texts: readTypings(types) };
      break;
    }
    dir = path.dirname(dir);
  }
  return typingsCache;
}

export interface ExportProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The typings' entry file in the program. */
  typingsFile: string;
  /** The typings' files (declarations there are the model language's API) and their namespaces. */
  typings: TypingsLayout;
  /** Resolves a relative import of `from` to a file of the program. */
  resolveImport(spec: string, from: string): string | undefined;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  strict: true,
  noUncheckedIndexedAccess: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

function candidates(spec: string, dir: string): string[] {
  const base = path.resolve(dir, spec);
  if (/\.ts$/.test(base)) return [base];
  if (/\.js$/.test(base)) return [base.replace(/\.js$/, ".ts"), base];
  return [`${base}.ts`, path.join(base, "index.ts"), base];
}

export function createExportProgram(rootFile: string, host: AnalyzerHost = diskHost): ExportProgram {
  const typings = findTypings();
  const typingsFile = typings?.file ?? "/__cnn_studio_export__/cnn-studio.d.ts";
  const texts = new Map<string, string | undefined>();
  const read = (file: string): string | undefined => {
    if (file === MINI_LIB_NAME) return MINI_LIB;
    if (file === typingsFile) return typings?.texts.get(file) ?? "export {};";
    const declaration = typings?.texts.get(file);
    if (declaration !== undefined) return declaration;
    if (!texts.has(file)) texts.set(file, host.readFile(file));
    return texts.get(file);
  };
  const resolveImport = (spec: string, from: string): string | undefined => {
    if (spec === MODULE_NAME) return typingsFile;
    if (!spec.startsWith(".")) return undefined;
    if (from.endsWith(".d.ts")) return [`${path.resolve(path.dirname(from), spec)}.d.ts`].find((f) => typings?.texts.has(f));
    return candidates(spec, path.dirname(from)).find((f) => read(f) !== undefined);
  };
  const compilerHost: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const text = read(fileName);
      if (text === undefined) return undefined;
      // User files may hold what hangs TypeScript's JSDoc scanner (`/**a-*/`, an unterminated `/** ResNet-50`).
      const safe = fileName === MINI_LIB_NAME || fileName === typingsFile || typings?.texts.has(fileName) ? text : guardAgainstScannerHang(text);
      return ts.createSourceFile(fileName, safe, languageVersion, true);
    },
    getDefaultLibFileName: () => MINI_LIB_NAME,
    writeFile: () => undefined,
    getCurrentDirectory: () => path.dirname(rootFile),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => read(f) !== undefined,
    readFile: (f) => read(f),
    resolveModuleNameLiterals(literals, containingFile) {
      return literals.map((lit) => {
        const file = resolveImport(lit.text, containingFile);
        if (file === undefined) return { resolvedModule: undefined };
        return {
          resolvedModule: { resolvedFileName: file, extension: file.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: false },
        };
      });
    },
  };
  const program = ts.createProgram({ rootNames: [rootFile], options: OPTIONS, host: compilerHost });
  const layout = typingsLayout(typingsFile, typings?.texts ?? new Map());
  return { program, checker: program.getTypeChecker(), typingsFile, typings: layout, resolveImport };
}
