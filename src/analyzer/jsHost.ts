import type * as ts from "typescript";
import type { CallSite, Value } from "./values";

/** What the JavaScript standard library (jsBuiltins.ts, collections.ts) needs of the interpreter. */
export interface JsHost {
  call(callee: Value, args: Value[], site: CallSite): Value;
  fail(site: CallSite, message: string): never;
  truthy(v: Value): boolean;
  display(v: Value): string;
  /** Named entries of objects, arrays and module containers, for Object.keys/values/entries. */
  entries(v: Value): [string, Value][] | undefined;
  /** The items a `for…of` runs over (arrays, strings, Sets, Maps, containers), or a diagnostic. */
  iterate(v: Value, node: ts.Node): Value[];
}
