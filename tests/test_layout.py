"""The layout's rules, read from the source (ast, nothing imported): no import cycles in bot/
or retrieval/ (imports under ``TYPE_CHECKING`` or inside functions count too); retrieval/
imports neither discord, a database driver nor bot, and reads no ``DOCQA_`` environment
variable; every folder says what it holds; no module is over 300 lines; no two modules of bot/,
retrieval/ and benchmarks/ share a name."""

from __future__ import annotations

import ast
from collections.abc import Container, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "retrieval")
FORBIDDEN_IN_RETRIEVAL = ("discord", "aiosqlite", "sqlite3", "asyncpg", "bot")
MAX_LINES = 300
# Command-line edges allowed to read DOCQA_ settings as the bot does: the CLI's default index
# cache sits beside the bot's database (DOCQA_DB_PATH), and DOCQA_SEMANTIC, as the README says.
ENV_READERS = {"retrieval.cli"}
MAKES_LOGGER = "log = logging.getLogger(__name__)"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def imported(module: str, path: Path, known: Container[str] = ()) -> Iterator[str]:
    """Every module ``module`` imports, anywhere in the file, absolute: ``from p import n`` is
    ``p.n`` when that is a module in ``known``, else ``p``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                name = f"{base}.{alias.name}"
                yield name if name in known else base


def graph() -> dict[str, set[str]]:
    """Each module's imports of our own modules."""
    mods = sources()
    return {m: {d for d in imported(m, p, mods) if d in mods and d != m} for m, p in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_retrieval_imports_no_discord_database_or_bot() -> None:
    bad = {
        (module, name)
        for module, path in sources().items()
        if module.startswith("retrieval")
        for name in imported(module, path)
        if name.split(".")[0] in FORBIDDEN_IN_RETRIEVAL
    }
    assert bad == set()


def env_reads(path: Path) -> Iterator[str]:
    """``DOCQA_*`` names the file reads from the environment (``os.environ[...]``,
    ``os.environ.get(...)``, ``os.getenv(...)``), or any ``DOCQA_`` string literal passed to
    such a call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript | ast.Call):
            text = ast.unparse(node)
            reads_env = "environ" in text or "getenv" in text
            if reads_env and "DOCQA_" in text:
                yield text


def test_retrieval_reads_no_docqa_setting() -> None:
    found = {
        module: list(env_reads(path))
        for module, path in sources().items()
        if module.startswith("retrieval") and module not in ENV_READERS
    }
    assert {module: reads for module, reads in found.items() if reads} == {}


def test_the_environment_check_sees_a_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('import os\npath = os.environ.get("DOCQA_DB_PATH")\n', encoding="utf-8")
    assert list(env_reads(sample)) == ["os.environ.get('DOCQA_DB_PATH')"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_folder_says_what_it_holds(package: str) -> None:
    silent = []
    for init in sorted((REPO / package).rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if not docstring or not docstring.strip():
            silent.append(str(init.relative_to(REPO)))
    folders = {p.parent for p in (REPO / package).rglob("*.py")} - {REPO / package / "data"}
    missing = [
        str(f.relative_to(REPO)) for f in sorted(folders) if not (f / "__init__.py").exists()
    ]
    assert (silent, missing) == ([], [])


def test_no_module_is_over_300_lines() -> None:
    long = {
        module: count
        for module, path in sources().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_two_modules_share_a_name() -> None:
    """Across bot/, retrieval/ and benchmarks/ and within each (folders included), a module's
    name says which one it is."""
    where: dict[str, list[str]] = {}
    for package in (*PACKAGES, "benchmarks"):
        for path in sorted((REPO / package).rglob("*.py")):
            if path.stem not in {"__init__", "__main__"}:
                where.setdefault(path.stem, []).append(str(path.relative_to(REPO)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def test_every_logger_logs() -> None:
    """A module that makes ``log = logging.getLogger(__name__)`` uses it (else it is dead)."""
    silent = []
    for module, path in sources().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        makes = any(
            isinstance(node, ast.Assign)
            and ast.unparse(node) == "log = logging.getLogger(__name__)"
            for node in tree.body
        )
        used = any(
            isinstance(node, ast.Name) and node.id == "log" and isinstance(node.ctx, ast.Load)
            for node in ast.walk(tree)
        )
        if makes and not used:
            silent.append(module)
    assert silent == []
