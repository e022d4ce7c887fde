"""``python -m retrieval``: the command line (:mod:`retrieval.cli`)."""

from __future__ import annotations

import gc
import os
import sys

from retrieval.cli import main

try:
    status = main()
    sys.stdout.flush()  # a reader that went away (`| head -1`) shows here, not at exit
except BrokenPipeError:
    # No traceback, and exit's own flush goes to /dev/null (Python's documentation of the
    # signal module, "Note on SIGPIPE").
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    status = 1
# At exit the interpreter runs full garbage collections over every object still alive (all of
# numpy and onnxruntime, the loaded index): about 20 ms of a 0.35 s search, to free memory that
# the OS takes back anyway. Frozen objects are skipped; everything else about exit is unchanged.
gc.freeze()
sys.exit(status)
