import type { TrainerEvent, TrainerState } from "../../../shared/training";
import { alreadyStarted } from "../../runSetup";
import type { Engine, EngineRequest } from "../engine";
import { TorchTrainingSession } from "./pythonRun";

/**
 * The PyTorch engine inside the trainer process (src/trainer/process.ts creates it when the start
 * request names the engine `torch`): the same requests and events as the TensorFlow.js engine,
 * so src/trainer/trainerClient.ts, the extension's TrainingController, the status bar, the Runs view and
 * the panels drive it unchanged. Its run (pythonRun.ts) checks the model and loads the data in
 * this process and trains in the user's Python, which it starts as its child: the interpreter the
 * start request names (the Python extension's, or --python), else `$CNN_STUDIO_PYTHON`, else
 * `python3`, then `python`. It computes no feature maps while it trains (the panels compute from
 * checkpoints, which both engines write alike).
 */
export class TorchEngine implements Engine {
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

  async handle(req: EngineRequest): Promise<void> {
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
        this.emit({
          type: "error",
          requestId: req.requestId,
          phase: "request",
          message: "the PyTorch engine's run computes no feature maps while it trains; open the Feature Maps panel on its checkpoints",
          diagnostics: [],
          runDir: this.dir,
          logTail: [],
        });
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
