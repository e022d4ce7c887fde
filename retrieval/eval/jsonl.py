"""Reading JSONL files with errors that point at the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.errors import EvalError

__all__ = ["read_jsonl"]


def read_jsonl(path: Path, what: str) -> Iterator[tuple[str, Any]]:
    """``("path:line", object)`` for each non-blank line; ``what`` names the file in errors."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read {what} {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            where = f"{path}:{number}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalError(f"{where}: not a JSON object ({exc.msg})") from exc
