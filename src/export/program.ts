import * as fs from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import { diskHost, MODULE_NAME, type AnalyzerHost } from "../analyzer/analyze";
import { guardAgainstScannerHang } from "../analyzer/parseGuard";
import { MINI_LIB, MINI_LIB_NAME } from "./minilib";

/**
 * A TypeScript program over a model file and the model files it imports, with the `cnn-studio`
 * typings and a small standard library, for the exporter's type questions (is this an object
 * literal or a class instance? which function does this call reach?). Nothing is emitted and
 * type errors are irrelevant: the analyzer reports the model's problems.
 */

let typingsCache: { file: string; text: string } | null | undefined;

/** `types/cnn-studio.d.ts` of this installation (beside dist/ when bundled, the repository in development). */
function findTypings(): { file: string; text: string } | null {
  if (typingsCache !== undefined) return typingsCache;
  typingsCache = null;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, "types", "cnn-studio.d.ts");
    try {
      typingsCache = { file, text: fs.readFileSync(file, "utf8") };
      break;
    } catch {
      // keep looking upwards
    }
    dir = path.dirname(dir);
  }
  return typingsCache;
}

export interface ExportProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The typings file's path in the program (declarations there are the model language's API). */
  typingsFile: string;
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
    if (file === typingsFile) return typings?.text ?? "export {};";
    if (!texts.has(file)) texts.set(file, host.readFile(file));
    return texts.get(file);
  };
  const resolveImport = (spec: string, from: string): string | undefined => {
    if (spec === MODULE_NAME) return typingsFile;
    if (!spec.startsWith(".")) return undefined;
    return candidates(spec, path.dirname(from)).find((f) => read(f) !== undefined);
  };
  const compilerHost: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const text = read(fileName);
      if (text === undefined) return undefined;
      // User files may hold what hangs TypeScript's JSDoc scanner (`/**a-*/`, an unterminated `/** ResNet-50`).
      const safe = fileName === MINI_LIB_NAME || fileName === typingsFile ? text : guardAgainstScannerHang(text);
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
  return { program, checker: program.getTypeChecker(), typingsFile, resolveImport };
}
