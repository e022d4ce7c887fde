"""What a member's search loads: no peer engine, JIT compiler or plotting library on the way."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

# Libraries docqa compares against or draws with, which the search path must never load.
NOT_AT_RUN_TIME = ("bm25s", "numba", "matplotlib", "tantivy", "ir_measures", "rank_bm25")

_PROBE = """
import json, runpy, sys
sys.argv = ["retrieval", "--no-cache", "search", "When was Nosotek established?"]
try:
    runpy.run_module("retrieval", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def test_a_search_imports_only_what_it_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.startswith("[1] ")  # it did answer
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert loaded.isdisjoint(NOT_AT_RUN_TIME), sorted(loaded & set(NOT_AT_RUN_TIME))
