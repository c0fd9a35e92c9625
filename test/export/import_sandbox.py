"""Compiles and imports exported Python files in a sandbox folder, with a stub `torch` package.

Usage: python3 -I import_sandbox.py SANDBOX < files.json (a JSON list of paths). Prints one JSON
object: per file, `syntax` (the SyntaxError, if it does not compile), `error` (what importing it
raised; the stub cannot run everything) and `created` (files that appeared in the sandbox while it
was imported: code from the model file ran). The stub makes importing fast and needs no PyTorch.
"""

import importlib.util
import json
import os
import shutil
import sys

STUB = {
    "torch/__init__.py": "from . import nn\n\n\ndef __getattr__(name):\n    return nn.Module\n",
    "torch/nn/__init__.py": (
        "class Module:\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        pass\n\n\n"
        "def __getattr__(name):\n"
        "    return type(name, (Module,), {})\n"
    ),
    "torch/nn/functional.py": "def __getattr__(name):\n    return lambda *args, **kwargs: None\n",
}


def main() -> None:
    sandbox = os.path.abspath(sys.argv[1])
    stub = os.path.join(sandbox, "_stub")
    for rel, text in STUB.items():
        os.makedirs(os.path.dirname(os.path.join(stub, rel)), exist_ok=True)
        with open(os.path.join(stub, rel), "w", encoding="utf-8") as f:
            f.write(text)
    sys.path.insert(0, stub)
    work = os.path.join(sandbox, "cwd")
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    results = []
    for i, path in enumerate(json.load(sys.stdin)):
        result = {"file": path}
        with open(path, "rb") as f:
            source = f.read()
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            result["syntax"] = f"{type(e).__name__}: {e}"
        if "syntax" not in result:
            try:
                spec = importlib.util.spec_from_file_location(f"exported_{i}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            except BaseException as e:  # noqa: BLE001 - the stub cannot run everything; only what appears matters
                result["error"] = f"{type(e).__name__}: {e}"[:300]
        created = sorted(os.listdir(work))
        if created:
            result["created"] = created
            for name in created:
                target = os.path.join(work, name)
                shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
        results.append(result)
    print(json.dumps(results))


main()
