"""Compiles each Python source given after the output folder (pythonSources.test.ts): a syntax error fails."""
import os
import py_compile
import sys

out_dir, sources = sys.argv[1], sys.argv[2:]
for i, source in enumerate(sources):
    py_compile.compile(source, cfile=os.path.join(out_dir, f"{i}.pyc"), doraise=True)
