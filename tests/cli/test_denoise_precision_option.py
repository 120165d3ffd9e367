"""``denoise --precision auto|float32``: in --help, used, said on stderr and recorded."""

import json

import pydicom
import pytest
import torch

from core.cli import main
from core.device import inference_dtype, precision_label

CPU = torch.device("cpu")


def _denoise(ct, tmp_path, *options):
    out = tmp_path / "out"
    argv = ["denoise", str(ct), "--output-dir", str(out), "--device", "cpu", "--views", "1"]
    return main([*argv, *options]), out / "ct.dcm"


def test_help_lists_the_precisions(capsys):
    with pytest.raises(SystemExit) as done:
        main(["denoise", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--precision PRECISION" in text and "auto (default:" in text and "or float32" in text


@pytest.mark.parametrize("precision", ["float32", "auto"])
def test_the_precision_used_is_said_and_recorded(ct, tiny_model, tmp_path, capsys, precision):
    status, output = _denoise(
        ct, tmp_path, "--model", str(tiny_model), "--precision", precision, "--json"
    )
    assert status == 0
    used = precision_label(inference_dtype(CPU, precision), CPU)  # float32 or bfloat16 on CPU
    captured = capsys.readouterr()
    assert f"xray-denoise: the network runs in {used}\n" in captured.err
    (record,) = [json.loads(line) for line in captured.out.splitlines()]
    assert record["denoising"]["precision"] == used
    assert f", 1 view, {used}; noise estimated" in record["denoising"]["description"]
    assert f", 1 view, {used}; noise estimated" in pydicom.dcmread(output).DerivationDescription


def test_a_bad_precision_is_one_line_and_nothing_is_written(ct, tiny_model, tmp_path, capsys):
    status, output = _denoise(ct, tmp_path, "--model", str(tiny_model), "--precision", "half")
    assert status == 2
    err = capsys.readouterr().err
    assert err == "xray-denoise: error: precision must be 'auto' or 'float32', got 'half'\n"
    assert not output.parent.exists()
