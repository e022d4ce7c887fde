"""The float32 numpy reference encoder over a checkpoint's safetensors (tests and checks).

The runtime is the int8 ONNX graph (:mod:`retrieval.semantic.encoder`); this is what it is
measured against: the same tokenizer, batching and pooling, with :func:`bert.forward` in float32
and the checkpoint's exact (erf) GELU. It needs the ~91 MB safetensors file, which ``make
install`` does not keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors import SafetensorError
from tokenizers import Tokenizer

from retrieval.errors import ModelUnavailable
from retrieval.semantic.bert import BertConfig, BertWeights, forward, load_weights
from retrieval.semantic.encoder import embed
from retrieval.semantic.files import MINILM_L6
from retrieval.semantic.tokens import TokenBatch, load_tokenizer

__all__ = ["ReferenceEncoder", "load_reference"]

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ReferenceEncoder:
    """A BERT sentence encoder in float32 numpy; build it with :func:`load_reference`."""

    weights: BertWeights
    config: BertConfig
    tokenizer: Tokenizer

    @property
    def dim(self) -> int:
        return self.weights.dim

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Embeddings (len(texts), dim), float32, L2-normalised, as ``Encoder.encode``."""
        return embed(self.tokenizer, self._forward, self.dim, texts, batch_size=batch_size)

    def _forward(self, batch: TokenBatch) -> F32:
        return forward(self.weights, self.config, batch.ids, batch.mask)


def _check_shapes(config: BertConfig, weights: BertWeights, tokenizer: Tokenizer) -> None:
    if not weights.layers or weights.dim % config.heads:
        raise ModelUnavailable(
            f"{len(weights.layers)} layers of width {weights.dim}, which {config.heads} "
            "attention heads cannot use"
        )
    if config.max_tokens > weights.positions.shape[0]:
        raise ModelUnavailable(
            f"{weights.positions.shape[0]} positions, fewer than the {config.max_tokens} "
            "tokens the model is configured to read"
        )
    if tokenizer.get_vocab_size() > weights.words.shape[0]:
        raise ModelUnavailable("the tokenizer has more tokens than the embedding table")


def load_reference(
    weights: Path, tokenizer: Path, config: BertConfig = MINILM_L6, exact_gelu: bool = True
) -> ReferenceEncoder:
    """The reference encoder of a ``BertModel`` safetensors file and its tokenizer.json.

    ``exact_gelu=False`` uses the tanh approximation (~2x faster, cosine > 0.99999 on
    all-MiniLM-L6-v2). Raises :class:`ModelUnavailable` with a one-line reason when a file
    cannot be read or the shapes do not fit the config. The files' hashes are the caller's.
    """
    config = replace(config, exact_gelu=exact_gelu)
    try:
        loaded = load_weights(weights, config.heads)
        tokens = load_tokenizer(tokenizer, config.max_tokens)
    except (KeyError, OSError, SafetensorError, ValueError) as exc:
        raise ModelUnavailable(f"reference model files cannot be loaded: {exc!r}") from exc
    except Exception as exc:  # tokenizers reports a malformed file as a bare Exception
        raise ModelUnavailable(f"reference model files cannot be loaded: {exc!r}") from exc
    _check_shapes(config, loaded, tokens)
    return ReferenceEncoder(loaded, config, tokens)
