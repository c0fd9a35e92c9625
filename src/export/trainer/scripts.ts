import RUN_FOLDER_PY from "./run_folder.py";
import TRAIN_PY from "./train.py";

/**
 * The standalone trainer's Python (`cnn-studio export --with-trainer`): train.py, which runs the
 * PyTorch engine (src/trainer/engines/torch/trainer.py) and writes the run folder with run_folder.py,
 * a port of src/trainer/runFiles.ts. Bundled as text by the build's `.py` loader.
 */
export const STANDALONE_TRAIN_PY: string = TRAIN_PY;

/** run_folder.py, written next to train.py, which imports it. */
export const STANDALONE_RUN_FOLDER_PY: string = RUN_FOLDER_PY;
