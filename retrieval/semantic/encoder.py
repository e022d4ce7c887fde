"""Sentence embeddings: verified model files in, (n, d) L2-normalised float32 vectors out.

The model runs in onnxruntime (the int8 graph :mod:`retrieval.semantic.convert` builds). Indexing
embeds thousands of units: they are sorted by token count and batched, so a batch pads to nearly
its own length (padding is pure waste in a transformer), then put back in order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import tokenizers
from tokenizers import Tokenizer

from retrieval.errors import ModelUnavailable
from retrieval.semantic.bert import mean_pool
from retrieval.semantic.files import ModelFiles, installed_model, verify
from retrieval.semantic.tokens import TokenBatch, load_tokenizer, pad, token_ids

__all__ = ["Encoder", "Progress", "embed", "load_encoder"]

log = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]
Progress = Callable[[int, int], None]
"""Called after each batch with (texts embedded so far, total)."""
Forward = Callable[[TokenBatch], F32]
"""(B, T) token batch -> (B, d) L2-normalised sentence embeddings."""

# Bounds a batch's attention scores (B x heads x T x T floats) to ~50 MB at 256 tokens.
MAX_BATCH_TOKENS = 4096
RUNTIME = "onnxruntime-int8-1"
# Threads per matrix product: measured on 2 cores (README, "The sentence-embedding model").
THREADS = 2


@dataclass(frozen=True, slots=True)
class Encoder:
    """A loaded sentence encoder; build it with :func:`load_encoder`.

    ``question_session`` runs one thread, for questions; the batch session that embeds units at
    indexing (:data:`THREADS` threads) is built on the first :meth:`encode`, so that a process
    that only searches (a command-line search) never pays for it (about 40 ms)."""

    files: ModelFiles
    question_session: ort.InferenceSession
    tokenizer: Tokenizer
    dim: int
    threads: int = THREADS
    _batch: list[ort.InferenceSession] = field(default_factory=list, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def session(self) -> ort.InferenceSession:
        """The batch session, built now if this is its first use."""
        with self._lock:
            if not self._batch:
                self._batch.append(_session(self.files, self.threads))
            return self._batch[0]

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None
    ) -> F32:
        """Embeddings (len(texts), dim), float32, each of L2 norm 1, in the order given.

        Texts longer than the model's token limit (256 for all-MiniLM-L6-v2) are truncated.
        Raises ``ValueError`` for a ``batch_size`` below 1.
        """
        return embed(
            self.tokenizer,
            partial(_forward, self.session),
            self.dim,
            texts,
            batch_size=batch_size,
            progress=progress,
        )

    def encode_question(self, text: str) -> npt.NDArray[np.float32]:
        """One text's embedding, shape (dim,), on the question session: one thread, run in the
        caller's, so that many searches at once (the bot's threads) share the cores instead of
        each starting :data:`THREADS` spinning workers."""
        forward = partial(_forward, self.question_session)
        vectors = embed(self.tokenizer, forward, self.dim, [text])
        return vectors[0]  # type: ignore[no-any-return]

    def model_fingerprint(self) -> str:
        """Identifies these vectors for an index cache: file hashes, runtime and versions."""
        parts = (
            self.files.model_sha256[:16],
            self.files.tokenizer_sha256[:16],
            RUNTIME,
            f"max{self.files.config.max_tokens}",
            f"onnxruntime{ort.__version__}",
            f"tokenizers{tokenizers.__version__}",
        )
        return "-".join(parts)


def _forward(session: ort.InferenceSession, batch: TokenBatch) -> F32:
    feed = {
        "input_ids": batch.ids.astype(np.int32),
        "attention_mask": batch.mask.astype(np.int32),
    }
    hidden = session.run(["last_hidden_state"], feed)[0]
    return mean_pool(hidden, batch.mask)


def embed(
    tokenizer: Tokenizer,
    forward: Forward,
    dim: int,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> F32:
    """:meth:`Encoder.encode` for any ``forward`` (the numpy reference uses it too)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    ids = token_ids(tokenizer, texts)
    out = np.zeros((len(ids), dim), dtype=np.float32)
    done = 0
    for rows in _batches([len(seq) for seq in ids], batch_size):
        out[rows] = forward(pad([ids[row] for row in rows]))
        done += len(rows)
        if progress is not None:
            progress(done, len(ids))
    return out


def _batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Row indices grouped by ascending token count, at most ``batch_size`` rows and
    :data:`MAX_BATCH_TOKENS` padded tokens per group (a longer single text goes alone)."""
    batch: list[int] = []
    for row in sorted(range(len(lengths)), key=lengths.__getitem__):
        full = len(batch) == batch_size or (len(batch) + 1) * lengths[row] > MAX_BATCH_TOKENS
        if batch and full:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _session(files: ModelFiles, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # onnxruntime's worker threads spin between operators (its default): with threads that
    # sleep instead, 2 threads ran at the speed of 1 on a quiet machine (README).
    # Extended, not all: what "all" adds is layout changes for convolutions, which this graph
    # has none of, and building the session then takes longer (same embeddings, bit for bit).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.log_severity_level = 3  # onnxruntime's own warnings stay out of docqa's log
    return ort.InferenceSession(str(files.model), options, providers=["CPUExecutionProvider"])


def _dim(session: ort.InferenceSession, files: ModelFiles) -> int:
    shape = session.get_outputs()[0].shape
    if len(shape) != 3 or not isinstance(shape[2], int):
        raise ModelUnavailable(f"semantic model {files.model} has no fixed embedding width")
    return shape[2]


def load_encoder(files: ModelFiles | None = None, threads: int = THREADS) -> Encoder:
    """Verify and load a sentence encoder (default: the installed all-MiniLM-L6-v2 int8).

    Takes ~0.1 s (hashing 23 MB, building the question's onnxruntime session). Raises
    :class:`ModelUnavailable` with a one-line reason when a file is absent, fails its sha256
    or cannot be parsed.
    """
    files = installed_model() if files is None else files
    verify(files)
    try:
        tokenizer = load_tokenizer(files.tokenizer, files.config.max_tokens)
        question_session = _session(files, 1)
    except Exception as exc:  # tokenizers and onnxruntime report bad files as bare Exceptions
        raise ModelUnavailable(f"semantic model files cannot be loaded: {exc!r}") from exc
    dim = _dim(question_session, files)
    log.info("semantic model loaded: %s, %d dimensions", files.model.name, dim)
    return Encoder(files, question_session, tokenizer, dim, threads)
