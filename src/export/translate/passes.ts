import type { Reporter } from "../../analyzer/location";
import type { ExportProgram } from "../program";
import { apiArg, callExpr, kwargs, newExpr } from "./apiCalls";
import { classDef, fieldAssignment, functionDef, functionValue, superCall } from "./classes";
import { Translator, type Passes } from "./context";
import { argItems, expr, orderedDict } from "./expressions";
import { block, condExpr, objectPattern } from "./statements";

/**
 * The translator of one export, with its table of recursive entry points (context.ts's Passes)
 * bound to it. This is the one file that imports the translation's files side by side: they reach
 * one another only through `cx.passes`.
 */
export function createTranslator(prog: ExportProgram, reporter: Reporter): Translator {
  return new Translator(prog, reporter, (cx): Passes => ({
    expr: (e, ctx) => expr(cx, e, ctx),
    argItems: (args, ctx) => argItems(cx, args, ctx),
    orderedDict: (o, ctx) => orderedDict(cx, o, ctx),
    callExpr: (e, ctx) => callExpr(cx, e, ctx),
    newExpr: (e, ctx) => newExpr(cx, e, ctx),
    kwargs: (arg, ctx) => kwargs(cx, arg, ctx, true),
    intArg: (arg, isInt, ctx) => apiArg(cx, arg, ctx, isInt, false),
    block: (stmts, ctx) => block(cx, stmts, ctx),
    condExpr: (node, ctx) => condExpr(cx, node, ctx),
    objectPattern: (p, source, type, ctx) => objectPattern(cx, p, source, type, ctx),
    functionDef: (fn, pyName, ctx, docNode, opts) => functionDef(cx, fn, pyName, ctx, docNode, opts),
    functionValue: (fn, ctx) => functionValue(cx, fn, ctx),
    classDef: (c, ctx) => classDef(cx, c, ctx),
    fieldAssignment: (ctx, recv, key, value, valueNode) => fieldAssignment(cx, ctx, recv, key, value, valueNode),
    superCall: (e, ctx) => superCall(cx, e, ctx),
  }));
}
