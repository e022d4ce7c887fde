"""``python -m retrieval``: the command line (:mod:`retrieval.cli`)."""

from __future__ import annotations

import gc
import sys

from retrieval.cli import main

status = main()
# At exit the interpreter runs full garbage collections over every object still alive (all of
# numpy and onnxruntime, the loaded index): about 20 ms of a 0.35 s search, to free memory that
# the OS takes back anyway. Frozen objects are skipped; everything else about exit is unchanged.
gc.freeze()
sys.exit(status)
