"""``denoise --views auto|1|2|4|8``: auto by default (from the network's precision), recorded."""

import json

import pydicom
import pytest

from core.cli import main
from core.device import cpu_has_amx


def _denoise(source, tmp_path, tiny_model, *options):
    out = tmp_path / "out"
    argv = ["denoise", str(source), "--output-dir", str(out), "--model", str(tiny_model)]
    return main([*argv, "--device", "cpu", "--json", *options])


def test_help_states_the_auto_rule(capsys):
    with pytest.raises(SystemExit) as done:
        main(["denoise", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "(default auto: 4 where the network runs in float16 or bfloat16, 2 where" in text


@pytest.mark.parametrize(
    ("precision", "used"), [("auto", 4 if cpu_has_amx() else 2), ("float32", 2)]
)
@pytest.mark.parametrize("views", [(), ("--views", "auto")])
def test_the_default_is_auto_and_records_the_count_used(
    png16, tmp_path, tiny_model, capsys, precision, used, views
):
    assert _denoise(png16, tmp_path, tiny_model, "--precision", precision, *views) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["denoising"]["views"] == used  # auto: 4 in bfloat16 (an AMX CPU), else 2
    assert f"strength 1, {used} views, " in record["denoising"]["description"]


def test_views_8_is_used_and_named_in_the_derived_dicom(ct, tmp_path, tiny_model, capsys):
    assert _denoise(ct, tmp_path, tiny_model, "--views", "8") == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["denoising"]["views"] == 8
    derived = pydicom.dcmread(tmp_path / "out" / "ct.dcm")
    assert "DDIM, 1 step, strength 1, 8 views, " in derived.DerivationDescription


@pytest.mark.parametrize("bad", ["3", "0", "16"])
def test_a_bad_count_is_refused_in_one_line(png16, tmp_path, tiny_model, capsys, bad):
    assert _denoise(png16, tmp_path, tiny_model, "--views", bad) == 2
    err = capsys.readouterr().err
    assert err == f"xray-denoise: error: views must be 1, 2, 4 or 8, got {bad}\n"
    assert not (tmp_path / "out").exists()


def test_a_count_that_is_no_number_is_refused_in_one_line(png16, tmp_path, tiny_model, capsys):
    with pytest.raises(SystemExit) as done:
        _denoise(png16, tmp_path, tiny_model, "--views", "many")
    assert done.value.code == 2
    assert "argument --views: expected auto, 1, 2, 4 or 8, got 'many'" in capsys.readouterr().err
