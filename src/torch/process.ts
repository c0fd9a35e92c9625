import type { TrainerEvent, TrainerRequest, TrainerState } from "../shared/training";
import { alreadyStarted } from "../trainer/session";
import { TorchTrainingSession } from "./engine";

/**
 * The PyTorch engine inside the trainer process (src/trainer/process.ts starts it instead of the
 * TensorFlow.js session when `$CNN_STUDIO_ENGINE` is `torch`): the same requests and events, so
 * src/trainer/client.ts, the extension's TrainingController, the status bar, the Runs view and
 * the panels drive it unchanged. The engine (src/torch/engine.ts) checks the model and loads the
 * data in this process and trains in the user's Python, which it starts as its child: the
 * interpreter is `$CNN_STUDIO_PYTHON` when set (the extension sets it to the Python extension's
 * interpreter), else `python3`, then `python`. `featureMaps` requests are the TensorFlow.js
 * session's (the panels compute from checkpoints, which both engines write alike).
 */
export class TorchProcessSession {
  private state: TrainerState = "idle";
  private dir: string | null = null;
  private readonly engine: TorchTrainingSession;

  constructor(
    python: string | null,
    log: (line: string) => void,
    private readonly emit: (e: TrainerEvent) => void,
  ) {
    this.engine = new TorchTrainingSession({ python, log }, (e) => {
      if (e.type === "started") {
        this.state = "training";
        this.dir = e.runDir;
      } else if (e.type === "error") this.dir = e.runDir ?? this.dir;
      emit(e);
    });
  }

  get runDir(): string | null {
    return this.dir;
  }

  async handle(req: Exclude<TrainerRequest, { type: "inspect" }>): Promise<void> {
    switch (req.type) {
      case "start":
        if (this.state !== "idle") {
          this.emit(alreadyStarted(this.state, this.dir));
          return;
        }
        this.state = "preparing";
        try {
          await this.engine.start(req.config);
        } finally {
          this.state = "finished";
        }
        return;
      case "stop":
      case "shutdown":
        this.stop();
        return;
      case "ping":
        this.emit({ type: "pong", requestId: req.requestId, state: this.state });
        return;
      case "featureMaps":
        this.emit({ type: "error", requestId: req.requestId, phase: "request", message: "the PyTorch engine's run computes no feature maps while it trains; open the Feature Maps panel on its checkpoints", diagnostics: [], runDir: this.dir, logTail: [] });
        return;
    }
  }

  stop(): void {
    if (this.state === "preparing" || this.state === "training") this.state = "stopping";
    this.engine.stop();
  }

  dispose(): void {
    this.engine.kill();
  }
}
