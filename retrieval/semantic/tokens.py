"""WordPiece tokens for the encoder, with the model's own tokenizer.json (``tokenizers``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

__all__ = ["TokenBatch", "load_tokenizer", "pad", "token_ids"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """Token ids and attention mask, both (B, T) int64, right-padded with id 0."""

    ids: I64
    mask: I64


def load_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """The tokenizer in ``path``, truncating to ``max_tokens`` (with [CLS] and [SEP]).

    Padding saved in the file is switched off (all-MiniLM-L6-v2's pads every text to 128
    tokens); :func:`pad` pads each batch only to its longest text.
    """
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


def token_ids(tokenizer: Tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Each text's token ids, [CLS] … [SEP] (the tokenizer's post-processor); a lone
    surrogate (not encodable as UTF-8, so refused by the tokenizer) reads as "?"."""
    valid = [text.encode("utf-8", "replace").decode("utf-8") for text in texts]
    return [encoding.ids for encoding in tokenizer.encode_batch(valid)]


def pad(sequences: Sequence[Sequence[int]]) -> TokenBatch:
    """Right-pad token id lists to the longest one; raises ``ValueError`` when empty."""
    if not sequences:
        raise ValueError("cannot pad an empty batch")
    length = max(len(seq) for seq in sequences)
    ids = np.zeros((len(sequences), length), dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return TokenBatch(ids, mask)
