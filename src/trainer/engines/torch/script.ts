import TRAINER_PY from "./trainer.py";

/**
 * The PyTorch training engine's Python side (src/trainer/engines/torch/trainer.py, bundled as text by the build's
 * `.py` loader), written to a private temporary folder and run with the user's interpreter.
 */
export const TORCH_TRAINER_PY: string = TRAINER_PY;

import TRANSFER_PY from "./transfer.py";

/** transfer.py (--weights, --freeze, --lr-for), written next to trainer.py, which loads it. */
export const TORCH_TRANSFER_PY: string = TRANSFER_PY;

import DISTRIBUTED_PY from "./distributed.py";

/** distributed.py (data-parallel ranks, --precision, --channels-last, --compile), written next to trainer.py, which loads it. */
export const TORCH_DISTRIBUTED_PY: string = DISTRIBUTED_PY;

import SEGMENTATION_PY from "./segmentation.py";

/** segmentation.py (the loss and metrics of segmentation models), written next to trainer.py, which loads it for mask data. */
export const TORCH_SEGMENTATION_PY: string = SEGMENTATION_PY;
