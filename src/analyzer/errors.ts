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
export class BudgetError extends EvalError {}
