"""retrieval/ is pure: it never imports discord, aiosqlite or the bot package."""

from __future__ import annotations

import ast

from conftest import REPO

FORBIDDEN = {"discord", "aiosqlite", "bot"}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_retrieval_imports_no_discord_storage_or_bot() -> None:
    files = sorted((REPO / "retrieval").rglob("*.py"))
    assert files
    offenders = {f.relative_to(REPO).as_posix(): _imports(f) & FORBIDDEN for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}
