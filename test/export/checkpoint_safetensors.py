"""A CNN Studio checkpoint (.safetensors, written by the TensorFlow.js engine after training) in PyTorch.

Arguments: the exported .py, the model's name, the checkpoint's model file, the same weights in the
format before (.json index), the input (float32 .bin) and its shape as JSON. Loads the checkpoint
into the exported model three ways, each with strict=True: the exported load_checkpoint(), a
minimal safetensors reader written here with torch alone (what safetensors.torch.load_file does),
and load_checkpoint() on the old-format index; prints the eval() outputs of each, the optimiser
state's names from load_optimizer_state(), the metadata, and what a damaged sibling and a flipped bit give.
"""
import importlib.util
import json
import os
import shutil
import struct
import sys

import torch

torch.set_num_threads(2)

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def load_file(path):
    """The state_dict in a .safetensors file: its JSON header, then torch.frombuffer."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = bytearray(data[8 + n:])
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dtype = DTYPES[e["dtype"]]
        count = (end - begin) // torch.empty(0, dtype=dtype).element_size()
        out[name] = torch.frombuffer(body, dtype=dtype, count=count, offset=begin).reshape(e["shape"]) if count else torch.empty(e["shape"], dtype=dtype)
    return out


def main():
    code, name, model_file, legacy_index, input_file, shape = sys.argv[1:7]
    spec = importlib.util.spec_from_file_location("exported", code)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(input_file, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(json.loads(shape))
    outputs, result = {}, {}
    for how in ("load_checkpoint", "load_file", "legacy"):
        model = module.MODELS[name]()
        if how == "load_checkpoint":
            index = module.load_checkpoint(model, model_file)
            result["index"] = {k: index[k] for k in ("format", "checkpoint", "version", "model", "reason", "position", "optimizer")}
        elif how == "load_file":
            state = load_file(model_file)
            result["dtypes"] = {k: str(v.dtype) for k, v in state.items() if v.dtype != torch.float32}
            model.load_state_dict(state, strict=True)
        else:
            module.load_checkpoint(model, legacy_index)
        with torch.no_grad():
            outputs[how] = model.eval()(x).reshape(-1).tolist()
    result["outputs"] = outputs
    result["optimizer"] = sorted(module.load_optimizer_state(model_file))
    result["legacyOptimizer"] = sorted(module.load_optimizer_state(legacy_index))
    # the run folder is its newest checkpoint, as for the TypeScript side
    result["runFolder"] = module.load_checkpoint(module.MODELS[name](), os.path.dirname(os.path.dirname(model_file)))["position"]
    # a model file whose optimizer file is gone: its weights load, its optimizer state is refused
    lonely = os.path.join(os.path.dirname(code), "lonely")
    os.makedirs(lonely, exist_ok=True)
    shutil.copy(model_file, lonely)
    module.load_checkpoint(module.MODELS[name](), os.path.join(lonely, os.path.basename(model_file)))
    try:
        module.load_optimizer_state(os.path.join(lonely, os.path.basename(model_file)))
        result["lonely"] = "loaded"
    except ValueError as e:
        result["lonely"] = str(e)
    # the state_dict of the old format's checkpoint (what a run's --weights takes): parameters and buffers only
    state, _ = module.checkpoint_state_dict(legacy_index)
    result["legacyStateDict"] = sorted(state)
    # one bit flipped in the tensor data: load_checkpoint refuses it, naming the file and both checksums
    flipped = os.path.join(os.path.dirname(code), "flipped", os.path.basename(model_file))
    os.makedirs(os.path.dirname(flipped), exist_ok=True)
    with open(model_file, "rb") as f:
        data = bytearray(f.read())
    data[8 + struct.unpack("<Q", data[:8])[0] + 1] ^= 0x10
    with open(flipped, "wb") as f:
        f.write(data)
    try:
        module.load_checkpoint(module.MODELS[name](), flipped)
        result["flipped"] = "loaded"
    except ValueError as e:
        result["flipped"] = str(e)
    print(json.dumps(result))


main()
