"""Checks of the standalone trainer (torchStandalone.test.ts).

    standalone_check.py compile FILE...                 each file compiles as Python (no PyTorch needed)
    standalone_check.py load OUT MODEL CHECKPOINT       OUT/model.py builds MODEL and loads CHECKPOINT; prints its epoch
"""
import sys

if sys.argv[1] == "compile":
    for source in sys.argv[2:]:
        with open(source, encoding="utf-8") as f:
            compile(f.read(), source, "exec")
else:
    out, name, checkpoint = sys.argv[2:5]
    sys.path.insert(0, out)
    import model  # noqa: E402  (the exported model.py)

    net = model.MODELS[name]()
    print(model.load_checkpoint(net, checkpoint)["position"]["epoch"])
