"""The process's sentence encoder and the unit vectors of the corpus it embedded last.

The encoder is loaded once per process (about 0.1 s: hashing the model, building a session)
and shared by every engine and thread (an onnxruntime session may run from several threads).
When it cannot be loaded, one warning says why and every engine ranks by words alone.

Rebuilding an index (a reindex after one upload, an evaluation sweep over options) re-embeds only
the documents whose text changed: the vectors of the documents embedded last are kept per
document, up to :data:`MEMO_UNITS` units (about 150 MB), the oldest forgotten first.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from retrieval.errors import ModelUnavailable
from retrieval.semantic.unitvectors import F16, VECTOR_DTYPE, embed_units
from retrieval.types import Document

if TYPE_CHECKING:
    from retrieval.semantic.encoder import Encoder, Progress

__all__ = ["MEMO_UNITS", "corpus_vectors", "remember", "shared_encoder"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: list[Encoder | None] = []
_memo: OrderedDict[tuple[str, str, str], F16] = OrderedDict()  # (model, doc_id, text)
MEMO_UNITS = 200_000


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
    only the documents not embedded lately (same model, name and text)."""
    model = encoder.model_fingerprint()
    keys = [(model, d.doc_id, d.text) for d in documents]
    with _lock:
        known = {key: _memo.get(key) for key in keys}
    missing = [d for d, key in zip(documents, keys, strict=True) if known[key] is None]
    if missing:
        fresh = embed_units(encoder, missing, progress)
        at = 0
        for doc in missing:
            known[model, doc.doc_id, doc.text] = fresh[at : at + len(doc.units)]
            at += len(doc.units)
    parts = [known[key] for key in keys]
    _keep(zip(keys, parts, strict=True))  # type: ignore[arg-type]
    if not parts:
        return np.zeros((0, encoder.dim), dtype=VECTOR_DTYPE)
    return np.concatenate(parts)  # type: ignore[arg-type]


def remember(encoder: Encoder, documents: Sequence[Document], vectors: F16) -> None:
    """Keep ``vectors`` (every unit of ``documents`` in order, as an index cache stores them,
    made by ``encoder``) for the next :func:`corpus_vectors`; raises ``ValueError`` when they
    do not fit the documents' units."""
    if len(vectors) != sum(len(d.units) for d in documents):
        raise ValueError("unit vectors do not fit the documents' units")
    model = encoder.model_fingerprint()
    bounds = np.cumsum([0] + [len(d.units) for d in documents]).tolist()
    _keep(
        ((model, d.doc_id, d.text), vectors[bounds[n] : bounds[n + 1]])
        for n, d in enumerate(documents)
    )


def _keep(items: Iterable[tuple[tuple[str, str, str], F16]]) -> None:
    """Add to the kept vectors, forgetting the oldest past :data:`MEMO_UNITS` units."""
    with _lock:
        for key, vectors in items:
            _memo[key] = vectors
            _memo.move_to_end(key)
        total = sum(len(v) for v in _memo.values())
        while _memo and total > MEMO_UNITS:
            total -= len(_memo.popitem(last=False)[1])
