"""torchvision's answers for test/trainer/data/transforms.test.ts: one JSON job on argv, JSON on stdout.

Each case names an image file (read with PIL, as ImageFolder does) and a transform; the answer is
its pixels as nested lists (C, H, W), 0-255 for PIL results and floats for tensors."""
import json
import sys

import torch
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as F


def run(case):
    op = case["op"]
    if op == "save":  # the image again in another PIL mode (P: palette, RGBA, LA), as a PNG
        Image.open(case["file"]).convert(case["as"]).save(case["out"])
        return None
    img = Image.open(case["file"]).convert(case.get("mode", "RGB"))
    if op == "resizeCenterCrop":
        H, W = case["size"]
        out = T.Compose([T.Resize(round(max(H, W) * 256 / 224)), T.CenterCrop((H, W))])(img)
    elif op == "resizedCrop":
        out = F.resized_crop(img, case["top"], case["left"], case["h"], case["w"], list(case["size"]))
    elif op == "resize":
        out = F.resize(img, list(case["size"]))
    elif op == "normalize":
        t = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])(T.ToTensor()(img))
        return t.tolist()
    elif op in ("brightness", "contrast", "saturation"):
        t = T.PILToTensor()(img).float() / 255
        fn = {"brightness": F.adjust_brightness, "contrast": F.adjust_contrast, "saturation": F.adjust_saturation}[op]
        return (fn(t, case["factor"]) * 255).tolist()
    else:
        raise ValueError(op)
    return T.PILToTensor()(out).tolist()


job = json.loads(sys.argv[1])
print(json.dumps([run(c) for c in job]))
