import assert from "node:assert/strict";
import type { TrainConfig, TrainerEvent } from "../../../src/shared/training";
import { TfjsEngine, type TfjsEngineOptions } from "../../../src/trainer/engines/tfjs/tfjsEngine";
import { collect, deps } from "./env";

/** An in-process run of the TensorFlow.js engine (no child process), as the loop and segmentation tests start it. */

export type Events = ReturnType<typeof collect>;

/** Trains `c` to its end (or until `onEvent` stops it), collecting every event; the session stays open for the caller. */
export async function trainTfjs(
  c: TrainConfig,
  onEvent?: (e: TrainerEvent, s: TfjsEngine) => void,
  options: TfjsEngineOptions = {},
): Promise<{ events: Events; session: TfjsEngine }> {
  const events = collect();
  const session: TfjsEngine = new TfjsEngine(
    deps(),
    (e) => {
      events.emit(e);
      onEvent?.(e, session);
    },
    options,
  );
  await session.handle({ type: "start", config: c });
  return { events, session };
}

/** The run folder of the run's `started` event, failing with its errors when it never started. */
export function runDirOf(events: Events): string {
  const started = events.of("started")[0];
  assert.ok(started, `no started event: ${JSON.stringify(events.of("error"))}`);
  return started.runDir;
}
