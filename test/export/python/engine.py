"""The PyTorch engine's Python files (src/trainer/engines/torch/), imported for the checks next to this file:
`from engine import trainer` (trainer.py only runs a job when it is the program, so importing it has no side effects)."""
import os
import sys

ENGINE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "trainer", "engines", "torch"))
sys.path.insert(0, ENGINE)

import distributed  # noqa: E402,F401
import trainer  # noqa: E402,F401
