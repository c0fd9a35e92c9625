/** `CNN_STUDIO_TRACE=1`: startup milestones on stderr, in ms since the process started. */
const enabled = process.env["CNN_STUDIO_TRACE"] === "1";

export function trace(what: string): void {
  if (enabled) process.stderr.write(`[cnn-studio +${(process.uptime() * 1000).toFixed(0)} ms] ${what}\n`);
}
