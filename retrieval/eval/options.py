"""Engine options from the command line, from ``key=value`` strings, or from TOML files.

Keys are :class:`~retrieval.types.EngineOptions` field names; dashes work as underscores, and
``overlap`` and ``chunk`` are short for ``overlap_tokens`` and ``chunk_tokens``. A TOML file holds
the keys at top level or in an ``[engine]`` table.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retrieval.errors import EvalError
from retrieval.types import EngineOptions

__all__ = [
    "add_engine_arguments",
    "describe",
    "load_options",
    "options_from_args",
    "options_from_mapping",
]

_DEFAULTS = EngineOptions()
_FIELDS = {f.name: type(getattr(_DEFAULTS, f.name)) for f in dataclasses.fields(EngineOptions)}
_ALIASES = {"overlap": "overlap_tokens", "chunk": "chunk_tokens"}
_KINDS = {int: "whole number", float: "number", str: "string", bool: "boolean"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _key(name: str) -> str:
    key = name.strip().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _FIELDS:
        raise EvalError(f"unknown engine option {name!r}; use one of {', '.join(_FIELDS)}")
    return key


def _value(key: str, raw: Any) -> Any:
    kind = _FIELDS[key]
    if kind is bool and isinstance(raw, str):
        if raw.lower() not in _TRUE | _FALSE:
            raise EvalError(f"engine option {key} takes true or false, not {raw!r}")
        return raw.lower() in _TRUE
    if kind is int and isinstance(raw, float) and not raw.is_integer():
        raise EvalError(f"engine option {key} takes a whole number, not {raw!r}")
    try:
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise EvalError(f"engine option {key}: {raw!r} is not a {_KINDS[kind]}") from exc


def options_from_mapping(
    values: Mapping[str, Any], base: EngineOptions = _DEFAULTS
) -> EngineOptions:
    """``base`` with ``values`` applied; invalid combinations raise :class:`EvalError`."""
    changes = {_key(name): raw for name, raw in values.items()}
    try:
        return dataclasses.replace(base, **{k: _value(k, v) for k, v in changes.items()})
    except ValueError as exc:
        raise EvalError(f"invalid engine options: {exc}") from exc


def load_options(spec: str) -> EngineOptions:
    """Options from a TOML file path, or from a string like ``"k1=1.2 b=0.5 variant=plus"``."""
    if spec.endswith(".toml"):
        try:
            data = tomllib.loads(Path(spec).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise EvalError(f"cannot read engine options from {spec}: {exc}") from exc
        return options_from_mapping(data.get("engine", data))
    pairs = [part for part in shlex.split(spec.replace(",", " ")) if part]
    if any("=" not in part for part in pairs):
        raise EvalError(f"engine options {spec!r}: write key=value pairs, e.g. 'k1=1.2 b=0.5'")
    return options_from_mapping(dict(part.split("=", 1) for part in pairs))


def describe(options: EngineOptions, base: EngineOptions = _DEFAULTS) -> str:
    """The options that differ from ``base`` as ``key=value`` pairs ("defaults" if none)."""
    changed = [
        f"{name}={getattr(options, name)}"
        for name in _FIELDS
        if getattr(options, name) != getattr(base, name)
    ]
    return " ".join(changed) or "defaults"


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """A flag per engine option (``--k1``, ``--no-stem``, ...); unset flags keep the defaults."""
    group = parser.add_argument_group("engine options (default: the engine's defaults)")
    group.add_argument("--options", metavar="SPEC", help="key=value pairs or a TOML file")
    for name, kind in _FIELDS.items():
        flag = "--" + name.replace("_", "-")
        short = [f"--{alias}" for alias, target in _ALIASES.items() if target == name]
        if kind is bool and getattr(_DEFAULTS, name):
            group.add_argument(f"--no-{name}", dest=name, action="store_false", default=None)
        elif kind is bool:
            group.add_argument(flag, dest=name, action="store_true", default=None)
        elif name == "variant":
            group.add_argument(flag, choices=("okapi", "l", "plus", "lucene"))
        else:
            group.add_argument(flag, *short, dest=name, type=kind, metavar=kind.__name__.upper())


def options_from_args(args: argparse.Namespace) -> EngineOptions:
    base = load_options(args.options) if args.options else _DEFAULTS
    given = {name: getattr(args, name, None) for name in _FIELDS}
    return options_from_mapping({k: v for k, v in given.items() if v is not None}, base)
