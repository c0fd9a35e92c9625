import * as fs from "node:fs";
import * as path from "node:path";
import { exportPyTorch } from "../../../export/pytorch";
import { STANDALONE_RUN_FOLDER_PY, STANDALONE_TRAIN_PY } from "../../../export/trainer/scripts";
import type { FileAnalysis } from "../../../shared/analysis";
import { dataConfigOf, describeData, randomResizedCrop } from "../../../shared/trainConfigData";
import { describeDataset, type TrainConfig } from "../../../shared/training";
import { classCoverageWarning, type ImageDataset } from "../../data/index";
import { describeNormalization, loadTrainingData, modelToTrain } from "../../runSetup";
import { resolveWeightsSource } from "../../weightFiles/weightsSource";
import { TORCH_DISTRIBUTED_PY, TORCH_SEGMENTATION_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "./script";
import { preparedBytes, writePreparedData } from "./preparedData";

/**
 * `cnn-studio export --with-trainer`: a folder that trains the model anywhere Python and PyTorch are,
 * with no CNN Studio and no Node: the exported model (model.py), the PyTorch engine as it is
 * (engine/trainer.py and the files it loads: transfer.py, distributed.py, segmentation.py), train.py, which runs the engine and writes the run folder
 * the Runs view reads (run_folder.py), the run's config.json (what `cnn-studio train --backend torch`
 * saves), the dataset prepared as the engine reads it (data/), and slurm.sbatch / torchrun.sh
 * examples with a README.txt. Failures are values with a message naming what is wrong.
 */

export interface StandaloneOptions {
  config: TrainConfig;
  out: string;
  analyze?: (file: string) => FileAnalysis;
}

export interface StandaloneResult {
  files: string[];
  /** Bytes of the prepared data (data/). */
  dataBytes: number;
  trainCount: number;
  validationCount: number;
  /** Warnings and notes of loading the data, for the user. */
  notes: string[];
}

type Outcome = { ok: true; value: StandaloneResult } | { ok: false; error: string };

export function writeStandaloneTrainer(options: StandaloneOptions): Outcome {
  let config = options.config;
  const augment = dataConfigOf(config).augment;
  if (randomResizedCrop(augment))
    return { ok: false, error: `--augment ${augment} (random resized crops from the image files) is not in the PyTorch engine yet; use --augment flip` };
  const found = modelToTrain(config.file, config.model, options.analyze);
  if (!found.ok) return { ok: false, error: found.error };
  const exported = exportPyTorch(config.file, { models: [found.model.name] });
  if (!exported.ok) {
    const errors = exported.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    return { ok: false, error: `${found.model.name} cannot be exported to PyTorch: ${errors.join("; ")}` };
  }
  let weightsFile: string | null = null;
  if (config.transfer?.weights) {
    const source = resolveWeightsSource(config.transfer.weights);
    if (!source.ok) return { ok: false, error: `--weights: ${source.error}` };
    weightsFile = source.value;
    config = { ...config, transfer: { ...config.transfer, weights: source.value } };
  }
  const loaded = loadTrainingData(config, found.spec);
  if (!loaded.ok) return { ok: false, error: loaded.error };
  const { dataset, normalization } = loaded.value;
  const notes = [...(dataset.notes ?? [])];
  const coverage = classCoverageWarning(found.model.name, found.spec.classes, dataset);
  if (coverage !== null) notes.unshift(`warning: ${coverage}`);

  const out = options.out;
  const files: string[] = [];
  const write = (rel: string, data: string | Uint8Array, mode?: number): void => {
    const file = path.join(out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, mode === undefined ? {} : { mode });
    files.push(rel);
  };
  try {
    write("model.py", exported.code);
    write("engine/trainer.py", TORCH_TRAINER_PY);
    write("engine/transfer.py", TORCH_TRANSFER_PY);
    write("engine/distributed.py", TORCH_DISTRIBUTED_PY);
    write("engine/segmentation.py", TORCH_SEGMENTATION_PY);
    write("train.py", STANDALONE_TRAIN_PY, 0o755);
    write("run_folder.py", STANDALONE_RUN_FOLDER_PY);
    write("config.json", JSON.stringify({ ...config, engine: "torch" }, null, 2) + "\n");
    if (weightsFile !== null) write(`weights/${path.basename(weightsFile)}`, fs.readFileSync(weightsFile));
    const dataBytes = writeData(dataset, write, {
      normalization,
      datasetText: describeDataset(config.dataset),
      normalizationText: describeNormalization(normalization),
      dataText: config.data ? describeData(config.data) : null,
    });
    write("slurm.sbatch", slurmScript(found.model.name), 0o755);
    write("torchrun.sh", torchrunScript(), 0o755);
    write("README.txt", readme(found.model.name, config, dataset, dataBytes));
    return { ok: true, value: { files, dataBytes, trainCount: dataset.train.count, validationCount: dataset.validation.count, notes } };
  } catch (e) {
    return { ok: false, error: `cannot write ${out}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** data/: each split's images (uint8, CHW per image) and labels (int32, little-endian), as trainer.py read_split reads them, and data.json. */
function writeData(d: ImageDataset, write: (rel: string, data: string | Uint8Array) => void, described: Record<string, unknown>): number {
  const data = writePreparedData(d, (name, bytes) => {
    write(`data/${name}`, bytes);
    return name;
  });
  write("data/data.json", JSON.stringify({ name: d.name, classNames: d.classNames, data, ...described }, null, 2) + "\n");
  return preparedBytes(d);
}

function slurmScript(model: string): string {
  return `#!/bin/bash
# One node, 4 GPUs: sbatch slurm.sbatch  (adapt the partition, the counts and the environment).
#SBATCH --job-name=${model.replace(/[^A-Za-z0-9_.-]/g, "_")}
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=4
#SBATCH --gpus-per-node=4
#SBATCH --cpus-per-task=8
#SBATCH --time=04:00:00
#SBATCH --signal=TERM@120
# module load pytorch        # or: source ~/venv/bin/activate

# PyTorch's env:// rendezvous from SLURM's variables: one task per GPU, rank 0 writes the run folder.
export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
export MASTER_PORT=\${MASTER_PORT:-29500}
export WORLD_SIZE=$SLURM_NTASKS
cd "$SLURM_SUBMIT_DIR"
export PYTHON=\${PYTHON:-python3}
srun bash -c 'RANK=$SLURM_PROCID LOCAL_RANK=$SLURM_LOCALID exec "$PYTHON" train.py "$@"' -- "$@"
`;
}

function torchrunScript(): string {
  return `#!/bin/bash
# One machine, every GPU: ./torchrun.sh  (extra arguments go to train.py, e.g. --runs-dir /scratch/runs;
# NPROC=2 for two processes, PYTHON=... for another interpreter than python3).
# Several machines: run it on each with NNODES, NODE_RANK, MASTER_ADDR and MASTER_PORT set.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=\${PYTHON:-python3}
NPROC=\${NPROC:-$("$PYTHON" -c 'import torch; print(max(1, torch.cuda.device_count()))')}
exec "$PYTHON" -m torch.distributed.run --nproc_per_node "$NPROC" --nnodes "\${NNODES:-1}" --node_rank "\${NODE_RANK:-0}" \\
  --master_addr "\${MASTER_ADDR:-127.0.0.1}" --master_port "\${MASTER_PORT:-29500}" train.py "$@"
`;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

function readme(model: string, config: TrainConfig, d: ImageDataset, dataBytes: number): string {
  return `CNN Studio training run: ${model} on ${describeDataset(config.dataset)}
${"=".repeat(40)}

Trains the exported model with CNN Studio's PyTorch engine; needs Python 3.8+ and PyTorch, nothing else.

  python3 train.py                     one process (CUDA when available, else the CPU)
  python3 train.py --runs-dir DIR      where the run folder is created (default runs/ here)
  python3 train.py --resume runs/RUN   continue a stopped run from its newest checkpoint
  ./torchrun.sh                        every GPU of this machine (torch.distributed.run)
  sbatch slurm.sbatch                  a SLURM cluster (edit the #SBATCH lines first)

Ctrl+C (or SIGTERM, as schedulers send before a time limit) stops at the next step with a checkpoint.

Files
  model.py            the model (cnn-studio export), with save_checkpoint / load_checkpoint
  engine/             CNN Studio's PyTorch engine (trainer.py, transfer.py, distributed.py, segmentation.py)
  train.py            runs the engine and writes the run folder (run_folder.py)
  config.json         the run's settings (${config.epochs} epochs, batch ${config.batchSize} per process, ${config.optimizer.name}, lr ${config.optimizer.lr})
  data/               the dataset, prepared: ${d.train.count} training and ${d.validation.count} validation images
                      of ${d.channels}x${d.height}x${d.width}, ${d.classes} classes, ${mb(dataBytes)} (point --data at another prepared folder)

The run folder (runs/<yyyy-mm-dd-HHMMSS>-${model}/: config.json, metrics.jsonl, log.txt, status.json,
checkpoints/) is the one CNN Studio's Runs view reads. Sync it back (rsync -a cluster:DIR/runs/ ~/remote-runs/)
or mount it (sshfs), and add that folder to the VS Code setting cnnStudio.remoteRunsDirectories: the
run shows under "Remote" with live curves while it trains.
`;
}
