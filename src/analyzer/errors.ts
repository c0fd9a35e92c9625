import type * as ts from "typescript";

/** Why evaluation of a statement or model stopped: reported as one diagnostic at `node`. */
export class EvalError extends Error {
  constructor(
    readonly node: ts.Node,
    message: string,
    readonly code: string,
    readonly related: readonly { node: ts.Node; message: string }[] = [],
  ) {
    super(message);
  }
}

/** The evaluation budget (steps or call depth) ran out: a runaway loop or recursion. */
export class BudgetError extends EvalError {
  constructor(
    node: ts.Node,
    message: string,
    code: string,
    related: readonly { node: ts.Node; message: string }[] = [],
    /** Already moved to the innermost loop. */
    readonly atLoop = false,
    /** Call depth (recursion) rather than steps. */
    readonly depth = false,
  ) {
    super(node, message, code, related);
  }
}

/** A statement used a value whose definition already failed: stop quietly, the cause is reported. */
export class PoisonError extends EvalError {}

/** An import closes a cycle: reported at the import that started it (`origin`), in the first file. */
export class CircularImportError extends EvalError {
  constructor(
    node: ts.Node,
    message: string,
    code: string,
    related: readonly { node: ts.Node; message: string }[],
    readonly origin: ts.Node,
  ) {
    super(node, message, code, related);
  }
}
