"""Engine options from flags, key=value strings and TOML files."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from retrieval.errors import EvalError
from retrieval.eval.options import (
    add_engine_arguments,
    describe,
    load_options,
    options_from_args,
)
from retrieval.types import EngineOptions


def test_option_strings() -> None:
    options = load_options("k1=0.9, b=0.5 variant=plus chunk=128 overlap=16 stem=off")
    assert (options.k1, options.b, options.variant) == (0.9, 0.5, "plus")
    assert (options.chunk_tokens, options.overlap_tokens, options.stem) == (128, 16, False)
    assert load_options("") == EngineOptions()


def test_toml_files_with_or_without_an_engine_table(tmp_path: Path) -> None:
    flat, nested = tmp_path / "flat.toml", tmp_path / "nested.toml"
    flat.write_text("k1 = 0.9\nstopwords = false\n", encoding="utf-8")
    nested.write_text("[engine]\nk1 = 0.9\nstopwords = false\n", encoding="utf-8")
    expected = EngineOptions(k1=0.9, stopwords=False)
    assert load_options(str(flat)) == load_options(str(nested)) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("k2=1", "unknown engine option"),
        ("k1", "key=value"),
        ("stem=maybe", "true or false"),
        ("k1=fast", "not a number"),
        ("chunk_tokens=64.5", "not a whole number"),
        ("b=2", "invalid engine options"),
        ("missing.toml", "cannot read"),
    ],
)
def test_bad_options_are_errors(spec: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        load_options(spec)


def test_flags_apply_over_an_options_spec() -> None:
    parser = argparse.ArgumentParser()
    add_engine_arguments(parser)
    args = parser.parse_args(
        ["--options", "k1=2 b=0.5", "--k1", "0.9", "--no-stem", "--overlap", "8"]
    )
    assert options_from_args(args) == EngineOptions(k1=0.9, b=0.5, stem=False, overlap_tokens=8)
    assert options_from_args(parser.parse_args([])) == EngineOptions()


def test_describe_lists_what_differs_from_the_defaults() -> None:
    assert describe(EngineOptions()) == "defaults"
    assert describe(EngineOptions(k1=0.9, stem=False)) == "k1=0.9 stem=False"
