"""The process's sentence encoder and the unit vectors of the corpus it embedded last.

The encoder is loaded once per process (about 0.3 s: hashing the model, building the session)
and shared by every engine and thread (an onnxruntime session may run from several threads).
When it cannot be loaded, one warning says why and every engine ranks by words alone.

Rebuilding an engine in memory (a reindex after one upload, an evaluation sweep over options)
re-embeds only the documents whose text changed: the vectors of the last corpus embedded are
kept per document.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from retrieval.semantic.errors import ModelUnavailable
from retrieval.semantic.unitvectors import F16, VECTOR_DTYPE, embed_units
from retrieval.types import Document

if TYPE_CHECKING:
    from retrieval.semantic.encoder import Encoder, Progress

__all__ = ["corpus_vectors", "shared_encoder"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: list[Encoder | None] = []
_memo: dict[tuple[str, str], F16] = {}


def shared_encoder() -> Encoder | None:
    """The installed encoder, or None (after one warning per process) when it is unavailable."""
    with _lock:
        if not _loaded:
            from retrieval.semantic.encoder import load_encoder  # noqa: PLC0415 (onnxruntime)

            try:
                _loaded.append(load_encoder())
            except ModelUnavailable as exc:
                log.warning("%s; ranking by words alone", exc)
                _loaded.append(None)
        return _loaded[0]


def corpus_vectors(
    encoder: Encoder, documents: Sequence[Document], progress: Progress | None = None
) -> F16:
    """Vectors of every unit of ``documents`` in order (shape (units, dim), float16), embedding
    only documents not embedded with the previous corpus."""
    with _lock:
        known = {(d.doc_id, d.text): _memo.get((d.doc_id, d.text)) for d in documents}
    missing = [d for d in documents if known[d.doc_id, d.text] is None]
    if missing:
        fresh = embed_units(encoder, missing, progress)
        at = 0
        for doc in missing:
            known[doc.doc_id, doc.text] = fresh[at : at + len(doc.units)]
            at += len(doc.units)
    with _lock:
        _memo.clear()
        _memo.update(known)  # type: ignore[arg-type]
    parts = [known[d.doc_id, d.text] for d in documents]
    if not parts:
        return np.zeros((0, encoder.dim), dtype=VECTOR_DTYPE)
    return np.concatenate(parts)  # type: ignore[arg-type]
