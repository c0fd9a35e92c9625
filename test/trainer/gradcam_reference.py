"""Issue 18's Grad-CAM golden: PyTorch's Grad-CAM of test/fixtures/trainer/gradCam.ts on a checkpoint.

Regenerate (after `node scripts/build.mjs`):
    node dist/cli.js export test/fixtures/trainer/gradCam.ts --to pytorch --out /tmp/camNet.py
    /usr/bin/python3 test/trainer/gradcam_reference.py /tmp/camNet.py > test/golden/trainer/gradCam.json

The exported module builds camNet; its weights are PyTorch's initialisation under a fixed seed, with
BatchNorm running statistics drawn too (so that evaluation mode matters). They are written with the
exported save_checkpoint (a CNN Studio .safetensors checkpoint), read back into a fresh model with the
exported load_checkpoint (read_safetensors), and Grad-CAM is computed on that model with hooks, the
textbook way: A = the layer's output, y_c = the class's logit, alpha_k = mean over (h, w) of dy_c/dA_k,
cam = ReLU(sum_k alpha_k A_k). Prints one JSON document: the state_dict (float32, base64), the input,
and per case (layer, class or null for the predicted one) the class, the cam and the probabilities.
test/trainer/gradCam.test.ts compares the TensorFlow.js engine's Grad-CAM with it within 1e-4.
"""
import base64
import importlib.util
import json
import sys
import tempfile

import torch

torch.set_num_threads(1)


def encode(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "dtype": "float32", "b64": base64.b64encode(t.numpy().tobytes()).decode("ascii")}


def grad_cam(model, x, layer, cls):
    store = {}

    def hook(_module, _inputs, output):
        output.retain_grad()
        store["a"] = output

    handle = dict(model.named_modules())[layer].register_forward_hook(hook)
    logits = model(x)
    handle.remove()
    probs = torch.softmax(logits, dim=1)[0]
    c = int(torch.argmax(logits[0])) if cls is None else cls
    model.zero_grad()
    logits[0, c].backward()
    a = store["a"]
    alpha = a.grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((alpha * a).sum(dim=1))[0]
    return c, cam, probs


def main():
    spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(18)
    source = module.MODELS["camNet"]()
    with torch.no_grad():
        bn = source[1]
        bn.running_mean.copy_(torch.randn(4) * 0.2)
        bn.running_var.copy_(torch.rand(4) + 0.5)
        bn.weight.copy_(torch.rand(4) + 0.5)
        bn.bias.copy_(torch.randn(4) * 0.1)
    folder = tempfile.mkdtemp(prefix="gradcam-")
    checkpoint = module.save_checkpoint(source, folder, "camNet")
    model = module.MODELS["camNet"]()
    module.load_checkpoint(model, checkpoint)
    model.eval()
    x = torch.randn(1, 2, 12, 12)
    cases = []
    for layer, cls in (("0", None), ("0", 3), ("2", None), ("3", 5), ("4", None), ("5", 1)):
        c, cam, probs = grad_cam(model, x, layer, cls)
        cases.append({"layer": layer, "classIndex": cls, "explained": c, "cam": encode(cam), "probabilities": probs.tolist()})
    state = {k: encode(v) for k, v in model.state_dict().items() if v.dtype == torch.float32}
    print(json.dumps({"model": "camNet", "file": "test/fixtures/trainer/gradCam.ts",
                      "generator": f"test/trainer/gradcam_reference.py (torch {torch.__version__})",
                      "state": state, "input": encode(x), "cases": cases}))


if __name__ == "__main__":
    main()
