"""A BERT encoder's forward pass in numpy: the float32 reference the int8 runtime is held to.

The layout is Hugging Face's ``BertModel`` (the tensor names of its safetensors files); the
pooling and L2 normalisation are sentence-transformers' ``Pooling(mean)`` + ``Normalize``, which
is how all-MiniLM-L6-v2 is meant to be used. Every matrix product is a 2-D float32 BLAS call
(numpy's stacked 3-D ``@`` with a 2-D right operand bypasses BLAS and is ~10x slower).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["BertConfig", "BertLayer", "BertWeights", "forward", "load_weights", "mean_pool"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

_SQRT_2_OVER_PI = np.float32(np.sqrt(2.0 / np.pi))
_INV_SQRT_2 = np.float32(1.0 / np.sqrt(2.0))
_MASKED = np.float32(-1e9)


@dataclass(frozen=True, slots=True)
class BertConfig:
    """What a BERT checkpoint's tensors do not say: head count, token limit, epsilon.

    ``exact_gelu`` selects GELU with ``erf`` (the checkpoint's own activation) instead of the
    tanh approximation (Hendrycks & Gimpel 2016, section 2), which is ~10x cheaper in numpy;
    all-MiniLM-L6-v2's embeddings move by less than 1e-5 in cosine (0.999996 at worst on 300
    sentences of the evaluation corpora).
    """

    heads: int
    max_tokens: int
    layer_norm_eps: float = 1e-12
    exact_gelu: bool = False


@dataclass(frozen=True, slots=True)
class BertLayer:
    """One transformer layer; matrices are (in, out), Q, K and V fused into one (d, 3d)."""

    qkv: F32
    qkv_bias: F32
    out: F32
    out_bias: F32
    norm1: tuple[F32, F32]
    up: F32
    up_bias: F32
    down: F32
    down_bias: F32
    norm2: tuple[F32, F32]


@dataclass(frozen=True, slots=True)
class BertWeights:
    """Embedding tables (vocab, d), (positions, d), token type 0 (d,) and the layers."""

    words: F32
    positions: F32
    token_type: F32
    norm: tuple[F32, F32]
    layers: tuple[BertLayer, ...]

    @property
    def dim(self) -> int:
        return int(self.words.shape[1])


def _linear(tensors: dict[str, F32], name: str) -> tuple[F32, F32]:
    """``x @ W.T + b`` in PyTorch's layout, returned as (W.T contiguous, b)."""
    return np.ascontiguousarray(tensors[name + ".weight"].T), tensors[name + ".bias"]


def _norm(tensors: dict[str, F32], name: str) -> tuple[F32, F32]:
    return tensors[name + ".weight"], tensors[name + ".bias"]


def _layer(tensors: dict[str, F32], prefix: str, heads: int) -> BertLayer:
    q, k, v = (_linear(tensors, f"{prefix}.attention.self.{n}") for n in ("query", "key", "value"))
    scale = np.float32(1 / np.sqrt(q[0].shape[1] // heads))  # softmax(q k^T / sqrt(d_head))
    q = (q[0] * scale, q[1] * scale)
    out, out_bias = _linear(tensors, f"{prefix}.attention.output.dense")
    up, up_bias = _linear(tensors, f"{prefix}.intermediate.dense")
    down, down_bias = _linear(tensors, f"{prefix}.output.dense")
    return BertLayer(
        qkv=np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1)),
        qkv_bias=np.concatenate([q[1], k[1], v[1]]),
        out=out,
        out_bias=out_bias,
        norm1=_norm(tensors, f"{prefix}.attention.output.LayerNorm"),
        up=up,
        up_bias=up_bias,
        down=down,
        down_bias=down_bias,
        norm2=_norm(tensors, f"{prefix}.output.LayerNorm"),
    )


def load_weights(path: Path, heads: int) -> BertWeights:
    """Read a ``BertModel`` safetensors file (float32) into :class:`BertWeights`.

    ``heads`` is needed to fold attention's 1/sqrt(d_head) into the query projection.

    Raises ``KeyError`` naming a missing tensor and ``safetensors.SafetensorError`` (or
    ``OSError``) for an unreadable file; the caller turns those into one line.
    """
    from safetensors.numpy import load_file  # noqa: PLC0415 (the encoder needs none of this)

    tensors = {k: v.astype(np.float32, copy=False) for k, v in load_file(str(path)).items()}
    count = 0
    while f"encoder.layer.{count}.output.dense.weight" in tensors:
        count += 1
    return BertWeights(
        words=tensors["embeddings.word_embeddings.weight"],
        positions=tensors["embeddings.position_embeddings.weight"],
        token_type=tensors["embeddings.token_type_embeddings.weight"][0],
        norm=_norm(tensors, "embeddings.LayerNorm"),
        layers=tuple(_layer(tensors, f"encoder.layer.{i}", heads) for i in range(count)),
    )


def _layer_norm(x: F32, params: tuple[F32, F32], eps: float) -> F32:
    """LayerNorm over the last axis, in place (``x`` is a temporary the caller gives up)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None] / np.float32(x.shape[-1])
    x /= np.sqrt(var + np.float32(eps))
    x *= params[0]
    x += params[1]
    return x


def _gelu(x: F32, exact: bool) -> F32:
    """GELU in place: exact (erf) or the tanh approximation, with as few temporaries."""
    from scipy.special import erf  # noqa: PLC0415 (0.1-0.9 s to import; the reference only)

    if exact:
        x *= np.float32(0.5) * (1 + erf(x * _INV_SQRT_2))
        return x
    inner = x * x
    inner *= np.float32(0.044715)
    inner += 1
    inner *= x
    inner *= _SQRT_2_OVER_PI
    np.tanh(inner, out=inner)
    inner += 1
    inner *= np.float32(0.5)
    x *= inner
    return x


def _attention(x: F32, layer: BertLayer, bias: F32, heads: int) -> F32:
    """Multi-head self-attention of (B, T, d) with an additive key mask (B, 1, 1, T)."""
    batch, length, dim = x.shape
    qkv = x.reshape(-1, dim) @ layer.qkv
    qkv += layer.qkv_bias
    split = qkv.reshape(batch, length, 3, heads, dim // heads).transpose(2, 0, 3, 1, 4)
    q, k, v = np.ascontiguousarray(split)
    scores = np.matmul(q, k.transpose(0, 1, 3, 2))  # queries are pre-scaled by 1/sqrt(d_head)
    scores += bias
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    context = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(-1, dim)
    out: F32 = context @ layer.out
    out += layer.out_bias
    return out.reshape(batch, length, dim)


def _block(x: F32, layer: BertLayer, bias: F32, config: BertConfig) -> F32:
    eps = config.layer_norm_eps
    attended = _attention(x, layer, bias, config.heads)
    attended += x
    x = _layer_norm(attended, layer.norm1, eps)
    hidden = x.reshape(-1, x.shape[-1]) @ layer.up
    hidden += layer.up_bias
    out = _gelu(hidden, config.exact_gelu) @ layer.down
    out += layer.down_bias
    out = out.reshape(x.shape)
    out += x
    return _layer_norm(out, layer.norm2, eps)


def forward(weights: BertWeights, config: BertConfig, ids: I64, mask: I64) -> F32:
    """Sentence embeddings (B, d), float32, L2-normalised, of token ids and masks (B, T).

    Padding positions (``mask == 0``) are excluded from attention and from the mean, so a
    sentence's vector does not depend on what it is batched with (up to float rounding).
    """
    length = ids.shape[1]
    x = weights.words[ids] + weights.positions[:length] + weights.token_type
    x = _layer_norm(x, weights.norm, config.layer_norm_eps)
    bias = np.where(mask[:, None, None, :] > 0, np.float32(0), _MASKED).astype(np.float32)
    for layer in weights.layers:
        x = _block(x, layer, bias, config)
    return mean_pool(x, mask)


def mean_pool(hidden: F32, mask: npt.NDArray[np.integer]) -> F32:
    """L2-normalised mean over the unmasked tokens: (B, T, d) and (B, T) -> (B, d) float32.

    sentence-transformers' ``Pooling(mean)`` then ``Normalize``.
    """
    keep = mask[:, :, None].astype(np.float32)
    pooled = (hidden * keep).sum(axis=1) / np.maximum(keep.sum(axis=1), np.float32(1))
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    out: F32 = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return out
