"""Plain PyTorch training loop: the reference that bench/gpu.sh compares the PyTorch engine with.

Trains the model that `cnn-studio export --to pytorch` wrote (its MODELS table) the way a short
hand-written script would: one fixed batch of random inputs resident on the device, Adam at
PyTorch's default lr 1e-3 (the CLI's default optimiser), cross-entropy, zero_grad/backward/step,
no per-step synchronisation. Optionally bf16 autocast, and DistributedDataParallel over several
processes (nccl on CUDA, gloo on the CPU; started with torch.multiprocessing, no torchrun needed).

Prints one JSON line: {"imagesPerSecond": global images/s over the last --window steps, ...}.
Usage: python bench/gpu_reference.py --module FILE.py --model NAME --batch B --steps S --window W
       [--precision fp32|bf16] [--nproc N] [--device cuda|cpu] [--classes K]
"""
import argparse, importlib.util, json, os, socket, sys, time

import torch
import torch.nn.functional as F


def load_models(path):
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logits_of(output):
    if isinstance(output, dict):
        output = output.get("out", next(iter(output.values())))
    if isinstance(output, (list, tuple)):
        output = output[0]
    return output


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def worker(rank, args, world, port, results):
    distributed = world > 1
    if args.device == "cuda":
        device = torch.device("cuda", rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if distributed:
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    module = load_models(args.module)
    model = module.MODELS[args.model]().to(device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank] if device.type == "cuda" else None) if distributed else model
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    shape = module.INPUTS[args.model][0][1:]
    x = torch.randn(args.batch, *shape, device=device)
    y = torch.randint(0, args.classes, (args.batch,), device=device)
    bf16 = args.precision == "bf16"
    window = max(1, min(args.window, args.steps))
    t0 = time.perf_counter()
    for step in range(args.steps):
        if step == args.steps - window:
            sync(device)
            if distributed:
                torch.distributed.barrier()
            t0 = time.perf_counter()
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(logits_of(net(x)), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    sync(device)
    if distributed:
        torch.distributed.barrier()
    seconds = time.perf_counter() - t0
    if rank == 0:
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
        result = {"imagesPerSecond": window * args.batch * world / seconds, "steps": args.steps, "window": window,
                  "batch": args.batch, "worldSize": world, "precision": args.precision, "device": name,
                  "torch": torch.__version__, "loss": float(loss)}
        if results is None:
            print(json.dumps(result), flush=True)
        else:
            results.put(result)
    if distributed:
        torch.distributed.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--module", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--window", type=int, default=50)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--nproc", type=int, default=1)
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    p.add_argument("--classes", type=int, default=10)
    args = p.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_reference.py: CUDA is not available to this PyTorch")
    if args.nproc <= 1:
        worker(0, args, 1, 0, None)
        return
    import torch.multiprocessing as mp
    ctx = mp.get_context("spawn")
    results = ctx.SimpleQueue()
    mp.start_processes(worker, args=(args, args.nproc, free_port(), results), nprocs=args.nproc, join=True, start_method="spawn")
    print(json.dumps(results.get()), flush=True)


if __name__ == "__main__":
    main()
