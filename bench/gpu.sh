#!/usr/bin/env bash
# The GPU check of issue 16 (bench/README.md): on a CUDA machine, builds, then trains LeNet-5 and the
# MNIST ResNet (the bundled MNIST sample) and ResNet-18 at 224x224 (synthetic images) with the
# PyTorch engine (`cnn-studio train --backend torch`) and with a plain PyTorch loop of the same
# exported model (bench/gpu_reference.py), same batch size and steps, in the same run; prints
# images/s of both and their ratio, fp32 and bf16, one GPU and all GPUs. Sized for one call under
# 8 minutes (60 steps a row; rows past BENCH_GPU_BUDGET seconds, default 420, are skipped).
#
# Usage: bench/gpu.sh [--cpu-dry-run] [--no-build] [gpu_bench.py options: --models, --precisions, --procs, --steps, --json-out]
#   --cpu-dry-run  tiny runs on the CPU through every path of the script (figures mean nothing)
#   --no-build     use the dist/ already built
# Environment: PYTHON (an interpreter whose torch has CUDA; default: the first of /usr/bin/python3,
# python3 whose torch sees a GPU), NODE (default node), BENCH_GPU_BUDGET, BENCH_KEEP=1 keeps the temp folder.
# Exit codes: 0 measured (or "no CUDA GPU: skipped"), 1 a row failed, 2 a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."

dry=0
build=1
args=()
for a in "$@"; do
  case "$a" in
    --cpu-dry-run) dry=1; args+=("$a") ;;
    --no-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

NODE="${NODE:-node}"
export NODE
if ! command -v "$NODE" >/dev/null 2>&1; then
  echo "bench/gpu.sh: node not found (NODE=$NODE); install Node 20+ and run npm ci" >&2
  exit 2
fi

has_torch() { "$1" -c 'import torch' >/dev/null 2>&1; }
has_cuda() { "$1" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; }

gpus=0
if [ "$dry" = 0 ]; then
  if command -v nvidia-smi >/dev/null 2>&1; then
    gpus=$(timeout 20 nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
  fi
  if [ "$gpus" = 0 ]; then
    echo "no CUDA GPU: skipped (nvidia-smi $(command -v nvidia-smi >/dev/null 2>&1 && echo 'lists no GPU' || echo 'not found'))"
    exit 0
  fi
  if [ -z "${PYTHON:-}" ]; then
    for p in /usr/bin/python3 "$(command -v python3 || true)" "$(command -v python || true)"; do
      if [ -n "$p" ] && [ -x "$p" ] && has_cuda "$p"; then PYTHON="$p"; break; fi
    done
  fi
  if [ -z "${PYTHON:-}" ] || ! has_cuda "$PYTHON"; then
    echo "no CUDA GPU usable by PyTorch: skipped (nvidia-smi lists $gpus GPU(s), but ${PYTHON:-no python3} has no torch with CUDA; set PYTHON to one that has)"
    exit 0
  fi
else
  PYTHON="${PYTHON:-/usr/bin/python3}"
  if ! has_torch "$PYTHON"; then
    echo "bench/gpu.sh: $PYTHON has no torch (set PYTHON)" >&2
    exit 2
  fi
fi

echo "python: $PYTHON ($("$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'))"
[ "$gpus" != 0 ] && timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

if [ "$build" = 1 ]; then
  echo "building (node scripts/build.mjs)…"
  "$NODE" scripts/build.mjs >/dev/null
fi
if [ ! -f dist/cli.bundle.js ]; then
  echo "bench/gpu.sh: dist/cli.bundle.js is missing (run without --no-build)" >&2
  exit 2
fi

exec "$PYTHON" bench/gpu_bench.py --gpus "$gpus" "${args[@]}"
