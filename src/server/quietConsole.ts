/**
 * With the stdio transport, standard output is the LSP channel: anything else written there
 * corrupts it. Routes `console.log`/`info`/`debug` (also of libraries, and of worker threads,
 * whose stdout is piped into the process's) to standard error.
 */
export function routeConsoleToStderr(): void {
  const write = (...args: unknown[]): void => {
    try {
      process.stderr.write(`${args.map((a) => (typeof a === "string" ? a : String(a))).join(" ")}\n`);
    } catch {
      // Nowhere left to write: drop it.
    }
  };
  console.log = write;
  console.info = write;
  console.debug = write;
}
