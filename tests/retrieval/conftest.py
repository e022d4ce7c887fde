from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import SearchEngine

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def seed_engine() -> SearchEngine:
    return SearchEngine.from_directory(SEEDS)


def write_corpus(root: Path, files: dict[str, str | bytes]) -> Path:
    """A corpus folder under ``root`` holding ``files`` (name -> text or raw bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
