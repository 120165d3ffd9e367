"""``metrics --region`` under SSIM's 11 x 11 window: MSE and PSNR given, SSIM unknown and why."""

import json
import math

import numpy as np
import pytest
from PIL import Image

from core.cli import main

WHY = "SSIM needs at least 11 x 11 pixels; the region 4,6,8,5 is 5 x 8"


@pytest.fixture
def pair(tmp_path):
    """A 16-bit film and a copy with a known error."""
    rng = np.random.default_rng(9)
    reference = rng.integers(20000, 30000, (40, 48)).astype(np.uint16)
    test = reference + rng.integers(0, 200, reference.shape).astype(np.uint16)
    paths = tmp_path / "ref.png", tmp_path / "test.png"
    for path, pixels in zip(paths, (reference, test), strict=True):
        Image.fromarray(pixels).save(path)
    error = np.mean((reference[4:12, 6:11].astype(float) - test[4:12, 6:11]) ** 2)
    return paths, error


def test_json_gives_mse_and_psnr_with_ssim_null_and_its_reason(pair, capsys):
    (reference, test), error = pair
    assert main(["metrics", str(reference), str(test), "--region", "4,6,8,5", "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["mse"] == pytest.approx(error)
    # values up to 30199: 15-bit data in the 16-bit PNG, scored against 32767
    assert values["psnr"] == pytest.approx(10 * math.log10(32767**2 / error))
    assert values["ssim"] is None and values["ssim_problem"] == WHY
    assert values["region"] == "4,6,8,5"


def test_text_gives_mse_and_psnr_and_says_why_ssim_is_missing(pair, capsys):
    (reference, test), error = pair
    assert main(["metrics", str(reference), str(test), "--region", "4,6,8,5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("MSE   ") and float(lines[0].split()[1]) == pytest.approx(
        error, rel=1e-3
    )
    assert "in region 4,6,8,5" in lines[1]
    assert lines[2] == f"SSIM  - ({WHY})"


def test_a_small_region_outside_the_image_is_still_refused(pair, capsys):
    (reference, test), _ = pair
    assert main(["metrics", str(reference), str(test), "--region", "38,0,8,5"]) == 2
    assert "region 38,0,8,5 does not fit in an image of 40 x 48 pixels" in capsys.readouterr().err
