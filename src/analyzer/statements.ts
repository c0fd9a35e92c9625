import ts = require("typescript");
import { BudgetError, EvalError } from "./errors";
import { NORMAL, unsupported, type Completion, type Evaluator } from "./evaluator";
import { mapPairs } from "./collections";
import { ArrayValue, Closure, Env, MapValue, ModuleValue, ObjectValue, SetValue, typeName, type Value } from "./values";

/** Statements of the abstract interpreter: blocks, control flow and loops. */

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

/** Binds function declarations of a block before its statements run (JS hoisting). */
export function hoist(statements: readonly ts.Statement[], env: Env): void {
  for (const s of statements) {
    if (ts.isFunctionDeclaration(s) && s.name && s.body) env.declare(s.name.text, new Closure(s, env, undefined, undefined));
  }
}

export function execBlock(ip: Evaluator, statements: readonly ts.Statement[], env: Env): Completion {
  hoist(statements, env);
  for (const s of statements) {
    const c = ip.exec(s, env);
    if (c.type !== "normal") return c;
  }
  return NORMAL;
}

export function exec(ip: Evaluator, node: ts.Statement, env: Env): Completion {
  ip.tick(node);
  switch (node.kind) {
    case SK.VariableStatement:
      ip.declareList((node as ts.VariableStatement).declarationList, env);
      return NORMAL;
    case SK.ExpressionStatement:
      ip.eval((node as ts.ExpressionStatement).expression, env);
      return NORMAL;
    case SK.Block:
      return ip.execBlock((node as ts.Block).statements, new Env(env));
    case SK.IfStatement: {
      const s = node as ts.IfStatement;
      const cond = ip.eval(s.expression, env);
      ip.poisoned(cond, s.expression);
      if (ip.truthy(cond)) return ip.exec(s.thenStatement, env);
      return s.elseStatement ? ip.exec(s.elseStatement, env) : NORMAL;
    }
    case SK.ReturnStatement: {
      const s = node as ts.ReturnStatement;
      const value = s.expression ? ip.eval(s.expression, env) : undefined;
      if (s.expression) ip.torch.noteTensor("return", s.expression, value);
      return { type: "return", value };
    }
    case SK.ForStatement:
    case SK.ForOfStatement:
    case SK.ForInStatement:
    case SK.WhileStatement:
    case SK.DoStatement:
      return atLoop(node, () => execLoop(ip, node, env));
    default:
      return execSimple(ip, node, env);
  }
}

/** A budget running out inside a loop is reported on the loop (the innermost one), not wherever the count ended. */
function atLoop(node: ts.Statement, run: () => Completion): Completion {
  try {
    return run();
  } catch (e) {
    // Only the step count is a loop's doing; a call-depth error stays at the recursive call.
    if (e instanceof BudgetError && !e.atLoop && !e.depth) throw new BudgetError(node, e.message, e.code, e.related, true);
    throw e;
  }
}

function execLoop(ip: Evaluator, node: ts.Statement, env: Env): Completion {
  switch (node.kind) {
    case SK.ForStatement:
      return execFor(ip, node as ts.ForStatement, env);
    case SK.ForOfStatement:
      return execForOf(ip, node as ts.ForOfStatement, env);
    case SK.ForInStatement: {
      const s = node as ts.ForInStatement;
      const obj = ip.eval(s.expression, env);
      const keys = obj instanceof ObjectValue ? [...obj.props.keys()] : obj instanceof ArrayValue ? obj.items.map((_, i) => String(i)) : [];
      return loop(ip, node, keys, s.initializer, s.statement, env);
    }
    case SK.WhileStatement: {
      const s = node as ts.WhileStatement;
      while (ip.truthy(ip.eval(s.expression, env))) {
        const c = ip.exec(s.statement, new Env(env));
        if (c.type === "break") break;
        if (c.type === "return") return c;
      }
      return NORMAL;
    }
    default: {
      const s = node as ts.DoStatement;
      do {
        const c = ip.exec(s.statement, new Env(env));
        if (c.type === "break") break;
        if (c.type === "return") return c;
      } while (ip.truthy(ip.eval(s.expression, env)));
      return NORMAL;
    }
  }
}

function execSimple(ip: Evaluator, node: ts.Statement, env: Env): Completion {
  switch (node.kind) {
    case SK.BreakStatement:
      return { type: "break" };
    case SK.ContinueStatement:
      return { type: "continue" };
    case SK.ThrowStatement: {
      const s = node as ts.ThrowStatement;
      const v = ip.eval(s.expression, env);
      const msg = v instanceof ObjectValue && typeof v.props.get("message") === "string" ? (v.props.get("message") as string) : ip.display(v);
      throw new EvalError(node, msg, "user-throw");
    }
    case SK.SwitchStatement:
      return execSwitch(ip, node as ts.SwitchStatement, env);
    case SK.FunctionDeclaration:
      return NORMAL; // hoisted
    case SK.ClassDeclaration: {
      const c = node as ts.ClassDeclaration;
      if (c.name) env.declare(c.name.text, ip.defineClass(c, env), false);
      return NORMAL;
    }
    case SK.EmptyStatement:
    case SK.TypeAliasDeclaration:
    case SK.InterfaceDeclaration:
    case SK.ImportDeclaration:
    case SK.ExportDeclaration:
      return NORMAL;
    default:
      throw unsupported(node, STATEMENT_NAMES[node.kind] ?? `'${ts.SyntaxKind[node.kind]}' statements are`);
  }
}

const STATEMENT_NAMES: Partial<Record<ts.SyntaxKind, string>> = {
  [SK.TryStatement]: "try/catch is",
  [SK.LabeledStatement]: "Labeled statements are",
  [SK.WithStatement]: "'with' is",
  [SK.EnumDeclaration]: "Enums are",
  [SK.ModuleDeclaration]: "Namespaces are",
  [SK.DebuggerStatement]: "'debugger' is",
};

function execSwitch(ip: Evaluator, s: ts.SwitchStatement, env: Env): Completion {
  const v = ip.eval(s.expression, env);
  const inner = new Env(env);
  let matched = false;
  for (const clause of s.caseBlock.clauses) {
    if (!matched) {
      matched = ts.isDefaultClause(clause) || ip.eval(clause.expression, inner) === v;
      if (!matched) continue;
    }
    const c = execClause(ip, clause, inner);
    if (c) return c;
  }
  if (!matched) {
    const def = s.caseBlock.clauses.find(ts.isDefaultClause);
    if (def) {
      const c = execClause(ip, def, inner);
      if (c) return c;
    }
  }
  return NORMAL;
}

/** Runs a switch clause's statements; returns how the switch ends, or undefined to fall through. */
function execClause(ip: Evaluator, clause: ts.CaseOrDefaultClause, env: Env): Completion | undefined {
  for (const st of clause.statements) {
    const c = ip.exec(st, env);
    if (c.type === "break") return NORMAL;
    if (c.type !== "normal") return c;
  }
  return undefined;
}

function execFor(ip: Evaluator, s: ts.ForStatement, env: Env): Completion {
  const loopEnv = new Env(env);
  if (s.initializer) {
    if (ts.isVariableDeclarationList(s.initializer)) ip.declareList(s.initializer, loopEnv);
    else ip.eval(s.initializer, loopEnv);
  }
  for (;;) {
    ip.tick(s);
    if (s.condition && !ip.truthy(ip.eval(s.condition, loopEnv))) break;
    // Declarations in the body are scoped to one iteration.
    const iterEnv = new Env(loopEnv);
    const c = ip.exec(s.statement, iterEnv);
    if (c.type === "break") break;
    if (c.type === "return") return c;
    if (s.incrementor) ip.eval(s.incrementor, loopEnv);
  }
  return NORMAL;
}

function execForOf(ip: Evaluator, s: ts.ForOfStatement, env: Env): Completion {
  const it = ip.eval(s.expression, env);
  return loop(ip, s, ip.iterate(it, s.expression), s.initializer, s.statement, env);
}

function loop(ip: Evaluator, node: ts.Node, items: readonly Value[], init: ts.ForInitializer, body: ts.Statement, env: Env): Completion {
  for (const item of items) {
    ip.tick(node);
    const iterEnv = new Env(env);
    if (ts.isVariableDeclarationList(init)) {
      const decl = init.declarations[0];
      if (!decl) throw unsupported(init, "Empty loop declarations are");
      ip.bindName(decl.name, item, iterEnv, (init.flags & ts.NodeFlags.Const) === 0);
    } else ip.assign(init, item, iterEnv);
    const c = ip.exec(body, iterEnv);
    if (c.type === "break") break;
    if (c.type === "return") return c;
  }
  return NORMAL;
}

/** The items a `for…of` or a spread runs over. */
export function iterate(ip: Evaluator, v: Value, node: ts.Node): Value[] {
  ip.poisoned(v, node);
  if (v instanceof ArrayValue) return [...v.items];
  if (typeof v === "string") return [...v];
  if (v instanceof ModuleValue) return ip.torch.iterate(v, node);
  if (v instanceof SetValue) return [...v.items.values()];
  if (v instanceof MapValue) return mapPairs(v);
  throw new EvalError(node, `Cannot iterate over ${ip.display(v)} (${typeName(v)})`, "type-error");
}
