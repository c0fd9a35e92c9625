"""Data-parallel training and the GPU features for trainer.py (issue 16), loaded from the file next to it.

The ranks meet with torch.distributed's env:// rendezvous: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT,
which CNN Studio's launcher (src/trainer/engines/torch/ranks.ts), torchrun and torch.distributed.run set; under
SLURM's srun without torchrun, SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID stand in for the first three (MASTER_ADDR
and MASTER_PORT must still be exported). Without them trainer.py trains in one process, as before.
The build bundles this file as text (src/trainer/engines/torch/script.ts); test/export/pythonSources.test.ts compiles it.
"""

import contextlib
import math
import os
import sys

import torch


class World:
    """Who this process is: its rank among world_size processes, its local rank on this machine."""

    def __init__(self, rank=0, size=1, local_rank=0):
        self.rank, self.size, self.local_rank = rank, size, local_rank
        self.backend = None

    @property
    def distributed(self):
        return self.size > 1

    @property
    def primary(self):
        return self.rank == 0


def _env_int(*names):
    for name in names:
        value = os.environ.get(name)
        if value not in (None, ""):
            return int(value)
    return None


def world_from_env():
    """The rank variables of torchrun (RANK, WORLD_SIZE, LOCAL_RANK) or SLURM (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID)."""
    size = _env_int("WORLD_SIZE") if "RANK" in os.environ else None
    if size is None and "MASTER_ADDR" in os.environ:
        size = _env_int("SLURM_NTASKS")
    if not size or size <= 1:
        return World()
    rank = _env_int("RANK", "SLURM_PROCID") or 0
    local_rank = _env_int("LOCAL_RANK", "SLURM_LOCALID") or 0
    return World(rank, size, local_rank)


def device_for(world, cuda, forced):
    """cuda:LOCAL_RANK for a rank of several, "cuda" for one process on CUDA, else the CPU (or $CNN_STUDIO_TORCH_DEVICE)."""
    if forced:
        return torch.device(forced)
    if not cuda:
        return torch.device("cpu")
    return torch.device(f"cuda:{world.local_rank % max(1, torch.cuda.device_count())}") if world.distributed else torch.device("cuda")


def init(world, device):
    """Joins the process group (nccl on CUDA, gloo on the CPU); rank and world size come from the env:// variables."""
    if not world.distributed:
        return
    import datetime
    import torch.distributed as dist

    if device.type == "cuda":
        torch.cuda.set_device(device)
    world.backend = "nccl" if device.type == "cuda" else "gloo"
    os.environ.setdefault("RANK", str(world.rank))
    os.environ.setdefault("WORLD_SIZE", str(world.size))
    timeout = datetime.timedelta(seconds=float(os.environ.get("CNN_STUDIO_DIST_TIMEOUT", "1800")))
    dist.init_process_group(world.backend, init_method="env://", rank=world.rank, world_size=world.size, timeout=timeout)


def finish(world):
    if world.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()


def shard(order, world):
    """torch.utils.data.DistributedSampler's split of an epoch's order: padded with its own start to a multiple of the
    world size, then every world_size-th index from this rank (so the ranks' batches s together are the one-process
    batch s of batch × world_size)."""
    if not world.distributed:
        return order
    n = order.shape[0]
    total = math.ceil(n / world.size) * world.size
    if total > n:
        order = torch.cat([order, order[: total - n]])
    return order[world.rank:total:world.size]


def shard_length(n, world):
    return math.ceil(n / world.size) if world.distributed else n


def validation_range(n, world):
    """This rank's contiguous slice of the validation split (the counts are summed over the ranks: the whole split)."""
    if not world.distributed:
        return 0, n
    return world.rank * n // world.size, (world.rank + 1) * n // world.size


def wrap(model, world, device):
    """DistributedDataParallel around the model (which stays the one checkpoints save: state_dict names unchanged)."""
    if not world.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def sum_over_ranks(values, world, device):
    """The element-wise sum of a list of numbers over every rank (one all_reduce); the list itself in one process."""
    if not world.distributed:
        return values
    import torch.distributed as dist

    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.tolist()


def fault_injection(world, global_step):
    """Tests only: $CNN_STUDIO_TEST_FAIL_RANK=R:STEP ends rank R abruptly after optimiser step STEP."""
    spec = os.environ.get("CNN_STUDIO_TEST_FAIL_RANK")
    if not spec:
        return
    rank, step = (int(x) for x in spec.split(":"))
    if world.rank == rank and global_step == step:
        sys.stderr.write(f"fault injection: rank {rank} ends at step {step}\n")
        sys.stderr.flush()
        os._exit(7)


# ---- GPU features: --precision, --channels-last, --compile ---------------------------------------------

class Precision:
    """torch.autocast for bf16 (CPU or CUDA) and fp16 (CUDA, with a GradScaler); nothing for fp32."""

    def __init__(self, name, device):
        self.name = name
        self.device = device
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(name)
        self.scaler = torch.cuda.amp.GradScaler() if name == "fp16" else None

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def backward(self, loss):
        (self.scaler.scale(loss) if self.scaler else loss).backward()

    def unscale(self, optimizer):
        if self.scaler:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer):
        if self.scaler:
            self.scaler.step(optimizer)
            self.scaler.update()
        else:
            optimizer.step()


def gpu_problem(config, device):
    """Why the GPU settings cannot run here (a message naming the setting), or None."""
    precision = config.get("precision", "fp32")
    if precision == "fp16" and device.type != "cuda":
        return ("--precision fp16 needs a CUDA GPU (float16 autocast with torch.cuda.amp.GradScaler); this run trains on the "
                f"{device.type.upper()}: use --precision bf16 (torch.autocast on the CPU) or fp32")
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return f"--precision bf16 needs a GPU with bfloat16 ({torch.cuda.get_device_name(device)} has none): use --precision fp16 or fp32"
    if config.get("compile") and not hasattr(torch, "compile"):
        return f"--compile needs PyTorch >= 2 (torch.compile); you have {torch.__version__}"
    return None


def channels_last(config, device):
    """--channels-last applies on CUDA; on the CPU it is ignored (the trainer's log says so)."""
    return bool(config.get("channelsLast")) and device.type == "cuda"


def compiled(net, config):
    return torch.compile(net) if config.get("compile") else net


def gpu_memory(device):
    """{"allocated", "maxAllocated"} in bytes on CUDA (this process's GPU), else None."""
    if device.type != "cuda":
        return None
    return {"allocated": int(torch.cuda.memory_allocated(device)), "maxAllocated": int(torch.cuda.max_memory_allocated(device))}


def gpu_names():
    """The names of the CUDA GPUs this process sees (torch.cuda.get_device_name), [] without CUDA."""
    try:
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    except Exception:  # noqa: BLE001
        return []
