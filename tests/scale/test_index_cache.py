"""The index cache: loaded when nothing changed, rebuilt (one log line) when anything did."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval import EngineOptions, SearchEngine, load_or_build
from retrieval import cli as retrieval_cli
from retrieval.cache import fingerprint, libraries
from retrieval.cache import persistence as cache_module
from retrieval.cache.cachefile import _narrow
from retrieval.cache.persistence import build_cache, cache_path
from retrieval.documents.chunktable import ChunkTable
from retrieval.documents.unittokens import UnitTokenArrays, UnitTokenBuilder
from retrieval.serialize import result_record

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = ["Who founded Nosotek?", "How much is a prepaid plan?", "internet in Korea"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "seeds", tmp_path / "corpus"))


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def answers(engine: SearchEngine) -> list[dict[str, object]]:
    return [result_record(engine.search(q, 5)) for q in QUESTIONS]


def cache_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "retrieval.cache.persistence"]


def test_second_start_loads_what_the_first_built(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    built = load_or_build(corpus, None, cache_dir)
    assert len(cache_lines(caplog)) == 1  # "no index cache ... building it"
    caplog.clear()
    loaded = load_or_build(corpus, None, cache_dir)
    assert cache_lines(caplog) == []
    assert isinstance(loaded.chunks, ChunkTable)
    fresh = SearchEngine.from_directory(corpus)
    assert answers(loaded) == answers(built) == answers(fresh)
    assert list(loaded.chunks) == list(fresh.chunks)
    assert loaded.documents == fresh.documents


def test_an_edited_file_is_reindexed(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_build(corpus, None, cache_dir)
    extra = corpus / "005_new.txt"
    extra.write_text("Zanzibar cloves\n\nZanzibar exports cloves to India.\n", encoding="utf-8")
    caplog.set_level(logging.INFO)
    engine = load_or_build(corpus, None, cache_dir)
    assert len(cache_lines(caplog)) == 1
    assert "stale" in cache_lines(caplog)[0]
    assert engine.search("Zanzibar cloves").hits[0].chunk.doc_id == "005_new.txt"
    extra.write_text("Zanzibar nutmeg\n\nZanzibar exports nutmeg to India.\n", encoding="utf-8")
    os.utime(extra, ns=(1, 1))
    engine = load_or_build(corpus, None, cache_dir)
    assert "nutmeg" in engine.search("Zanzibar nutmeg").hits[0].excerpt.text


def test_a_touched_file_with_the_same_contents_is_not_reindexed(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_or_build(corpus, None, cache_dir)
    for path in corpus.iterdir():
        os.utime(path, ns=(10**18, 10**18))

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt")

    monkeypatch.setattr(cache_module, "build_cache", fail)
    load_or_build(corpus, None, cache_dir)


def test_options_and_code_are_part_of_the_key(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_build(corpus, None, cache_dir)
    other = EngineOptions(variant="plus")
    assert cache_path(corpus, other, cache_dir) != cache_path(corpus, EngineOptions(), cache_dir)
    plus = load_or_build(corpus, other, cache_dir)
    assert answers(plus) == answers(SearchEngine.from_directory(corpus, other))
    monkeypatch.setattr(cache_module, "code_version", lambda: "changed")
    caplog.set_level(logging.INFO)
    load_or_build(corpus, None, cache_dir)
    assert len(cache_lines(caplog)) == 1
    assert "code" in cache_lines(caplog)[0]


def test_library_versions_are_read_again_only_when_their_folders_moved(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_build(corpus, None, cache_dir)
    path = cache_path(corpus, EngineOptions(), cache_dir)
    caplog.set_level(logging.INFO)
    rewrite_meta(path, libraries="pypdf=0.1")  # folders unmoved: the versions are not read
    load_or_build(corpus, None, cache_dir)
    assert cache_lines(caplog) == []
    rewrite_meta(path, library_folders=[["/no/such/folder", 1]])
    load_or_build(corpus, None, cache_dir)
    assert "a library that shapes the index changed version" in cache_lines(caplog)[0]
    caplog.clear()
    load_or_build(corpus, None, cache_dir)  # rebuilt with today's versions and folders
    assert cache_lines(caplog) == []


def test_a_cache_folder_created_in_a_searched_folder_does_not_make_every_start_reread(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m retrieval`` searches the current folder for libraries, and its first build
    creates ``.cache/docqa`` there: the stamp must be taken after that."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.syspath_prepend(str(here))
    load_or_build(corpus, None, Path(".cache", "docqa"))

    def forbidden() -> object:
        raise AssertionError("library versions read although nothing moved")

    monkeypatch.setattr(libraries, "library_stamp", forbidden)
    load_or_build(corpus, None, Path(".cache", "docqa"))


def damage_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 64):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def damage_garbage(path: Path) -> None:
    path.write_bytes(b"not a zip file at all")


def damage_weights(path: Path) -> None:
    """Flip bytes inside the contribution matrix: only its CRC-32 can tell."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("weights.npy")
    data = bytearray(path.read_bytes())
    middle = info.header_offset + info.compress_size // 2
    data[middle : middle + 8] = bytes(8)
    path.write_bytes(bytes(data))


def rewrite_meta(path: Path, **changes: object) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    meta = json.loads(members["meta.json"])
    members["meta.json"] = json.dumps({**meta, **changes}).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def damage_version(path: Path) -> None:
    rewrite_meta(path, format=0)


@pytest.mark.parametrize(
    "damage", [damage_truncate, damage_flip, damage_weights, damage_garbage, damage_version]
)
def test_a_damaged_cache_is_rebuilt_with_one_log_line(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    reference = answers(load_or_build(corpus, None, cache_dir))
    path = cache_path(corpus, EngineOptions(), cache_dir)
    damage(path)  # type: ignore[operator]
    caplog.set_level(logging.INFO)
    assert answers(load_or_build(corpus, None, cache_dir)) == reference
    lines = cache_lines(caplog)
    assert len(lines) == 1
    assert str(path) in lines[0]
    assert caplog.records[0].levelno == logging.WARNING
    caplog.clear()
    load_or_build(corpus, None, cache_dir)
    assert cache_lines(caplog) == []


def test_an_unwritable_cache_folder_falls_back_to_memory(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    engine = load_or_build(corpus, None, blocker / "cache")
    assert answers(engine) == answers(SearchEngine.from_directory(corpus))
    assert any("cannot write" in line for line in cache_lines(caplog))


@pytest.mark.parametrize("ignore", [True, False])
def test_build_workers_leave_ctrl_c_to_the_parent(ignore: bool) -> None:
    """A worker starts with ``ignore_interrupts``: a SIGINT (the terminal sends it to every
    process of its group) then neither stops it nor prints its traceback."""
    code = (
        "import os, signal, time\n"
        "from retrieval.index.build import ignore_interrupts\n"
        f"if {ignore}: ignore_interrupts()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "time.sleep(0.05)\n"
        "print('still running')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode == 0) is ignore
    assert ("still running" in done.stdout) is ignore
    assert ("KeyboardInterrupt" in done.stderr) is not ignore


def test_parallel_build_equals_serial(corpus: Path, tmp_path: Path) -> None:
    serial = build_cache(corpus, EngineOptions(), tmp_path / "one", workers=1)
    parallel = build_cache(corpus, EngineOptions(), tmp_path / "two", workers=2)
    assert serial.passages == parallel.passages
    assert serial.terms == parallel.terms
    with zipfile.ZipFile(serial.path) as a, zipfile.ZipFile(parallel.path) as b:
        for name in a.namelist():
            if name != "meta.json":
                assert a.read(name) == b.read(name), name


def test_no_temporary_files_are_left_behind(corpus: Path, cache_dir: Path) -> None:
    load_or_build(corpus, None, cache_dir)
    assert [p.name for p in cache_dir.iterdir()] == [
        cache_path(corpus, EngineOptions(), cache_dir).name
    ]


def test_default_cache_folder_sits_beside_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_module.default_cache_dir("/srv/docqa/docqa.db") == Path("/srv/docqa/docqa-index")
    assert cache_module.default_cache_dir() == Path(".cache/docqa")
    # The command line's default follows the bot's database, so the two share one cache.
    monkeypatch.setenv("DOCQA_DB_PATH", "/srv/docqa/docqa.db")
    assert retrieval_cli._parser().parse_args(["docs"]).cache == Path("/srv/docqa/docqa-index")
    monkeypatch.delenv("DOCQA_DB_PATH")
    assert retrieval_cli._parser().parse_args(["docs"]).cache == Path(".cache/docqa")


def test_a_large_first_build_logs_its_progress(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(cache_module, "_PROGRESS_BYTES", 1)  # the seeds count as large
    load_or_build(corpus, None, cache_dir)
    progress = [line for line in cache_lines(caplog) if line.startswith("indexing: read")]
    percents = [int(line.split()[2].rstrip("%")) for line in progress]
    assert percents == sorted(set(percents))
    assert len(percents) >= 3
    assert all(p % 10 == 0 and p < 100 for p in percents)


def test_a_small_first_build_logs_no_progress(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    load_or_build(corpus, None, cache_dir)
    assert not [line for line in cache_lines(caplog) if line.startswith("indexing")]


def test_unit_tokens_out_of_the_vocabulary_make_the_cache_unusable(
    corpus: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    finish = UnitTokenBuilder.finish

    def past_the_end(self: UnitTokenBuilder, index_terms: Sequence[str]) -> UnitTokenArrays:
        arrays = finish(self, index_terms)
        return replace(arrays, ids=arrays.ids + len(index_terms) + 2)

    reference = answers(load_or_build(corpus, None, cache_dir))
    path = cache_path(corpus, EngineOptions(), cache_dir)
    with monkeypatch.context() as patch:
        patch.setattr(UnitTokenBuilder, "finish", past_the_end)
        build_cache(corpus, EngineOptions(), cache_dir)
    caplog.set_level(logging.INFO)
    assert answers(load_or_build(corpus, None, cache_dir)) == reference
    assert "term ids out of range" in cache_lines(caplog)[0]
    assert str(path) in cache_lines(caplog)[0]


def test_a_cached_index_repeats_what_indexing_said_about_skipped_files(tmp_path, caplog) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "notes.txt").write_text("Tides follow the moon.", encoding="utf-8")
    (corpus / "copy.txt").write_text("Tides follow the moon.", encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (corpus / "slides.odp").write_bytes(b"PK")

    def warnings_of_one_start() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="retrieval"):
            load_or_build(corpus, EngineOptions(), tmp_path / "cache")
        return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

    built = warnings_of_one_start()
    assert len(built) == 3  # the unknown type, the damaged PDF, the copy: one line each
    assert warnings_of_one_start() == built  # a cache hit says the same again


def test_unit_offsets_are_stored_narrow_and_read_wide(corpus: Path, cache_dir: Path) -> None:
    info = build_cache(corpus, EngineOptions(semantic=False), cache_dir)
    with np.load(info.path) as stored:
        assert stored["unit_start"].dtype == stored["unit_end"].dtype == np.int32
    loaded = load_or_build(corpus, EngineOptions(semantic=False), cache_dir)
    fresh = SearchEngine.from_directory(corpus, EngineOptions(semantic=False))
    assert loaded.units.start.dtype == np.int64
    assert np.array_equal(loaded.units.start, fresh.units.start)
    assert np.array_equal(loaded.units.end, fresh.units.end)
    assert [d.units for d in loaded.documents] == [d.units for d in fresh.documents]
    huge = np.array([0, 2**31], dtype=np.int64)  # text past 2 GiB keeps 8-byte offsets
    assert _narrow(huge).dtype == np.int64
    assert _narrow(huge[:1]).dtype == np.int32


def test_a_corpus_file_that_cannot_be_read_does_not_stop_the_cache(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    locked = corpus / "001_5ddac0f6dba44465.txt"
    hashed = fingerprint._sha256

    def sha256(path: Path) -> str:  # as for a file without read permission (tests run as root)
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return hashed(path)

    monkeypatch.setattr(fingerprint, "_sha256", sha256)
    monkeypatch.setattr(fingerprint.os, "access", lambda path, mode: Path(path) != locked)
    caplog.set_level(logging.INFO)
    load_or_build(corpus, EngineOptions(semantic=False), cache_dir)
    assert list(cache_dir.glob("index-*.npz"))  # written, the file's hash marked unreadable
    caplog.clear()
    load_or_build(corpus, EngineOptions(semantic=False), cache_dir)
    assert cache_lines(caplog) == []  # loaded, not rebuilt on every start
    monkeypatch.undo()  # its permissions fixed: size and modification time do not say so
    load_or_build(corpus, EngineOptions(semantic=False), cache_dir)
    assert any("could not be read can be now" in line for line in cache_lines(caplog))
