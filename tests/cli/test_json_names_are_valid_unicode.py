"""The CLI's JSON names files whose names are not UTF-8 by their bytes, as the reports do."""

import json
import os
import sys

import numpy as np
import pytest
from PIL import Image

from core.cli import main

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="file names there are always Unicode"
)

LATIN1 = os.fsdecode(b"M\xfcller.png")  # the name as Linux gives it: a lone surrogate


@pytest.fixture
def pair(tmp_path):
    pixels = np.random.default_rng(0).integers(1000, 3000, (48, 48)).astype(np.uint16)
    reference, test = tmp_path / LATIN1, tmp_path / "test.png"
    Image.fromarray(pixels).save(reference)
    Image.fromarray(pixels + 5).save(test)
    return reference, test


def test_metrics_json_names_the_reference_by_its_bytes(pair, capsys):
    reference, test = pair
    assert main(["metrics", str(reference), str(test), "--json"]) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")  # valid UTF-8: no lone surrogate, escaped or not
    assert "\\udc" not in out
    assert json.loads(out)["reference"].endswith("M\\xfcller.png")


def test_denoise_json_names_the_input_by_its_bytes(pair, tiny_model, tmp_path, capsys):
    reference, _ = pair
    args = ["denoise", str(reference), "--output-dir", str(tmp_path / "out"), "--json"]
    assert main([*args, "--model", str(tiny_model)]) == 0
    out = capsys.readouterr().out
    assert "\\udc" not in out
    record = json.loads(out.splitlines()[-1])
    assert record["input"].endswith("M\\xfcller.png")
    assert record["output"].endswith("M\\xfcller.png")
