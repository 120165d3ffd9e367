"""A denoise of an image whose anatomy detected few quanta warns that its values read low.

Chest phantoms simulated at 200 quanta per unattenuated pixel (a quarter of the pixels
under 5 quanta) and at 5000 (none), denoised with the tiny model.
"""

import json

import pydicom
import pytest

from core.cli import main
from core.denoise import DenoiseSettings, denoise_image, open_model
from core.io import read_image, write_new_dicom
from core.io.dicom_write import ST_MAX
from core.noise import phantom_image

PROG = "xray-denoise"
WARNING = "under 5 X-ray quanta per pixel in about"


@pytest.fixture
def phantoms(tmp_path):
    """96 px 12-bit chest phantom DICOMs: ``low.dcm`` at 200 quanta, ``high.dcm`` at 5000."""
    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for name, photons in (("low", 200.0), ("high", 5000.0)):
        stored = phantom_image((96, 96), photons_per_pixel=photons, seed=1)
        paths.append(write_new_dicom(stored, folder / f"{name}.dcm", bits_stored=12))
    return paths


def _denoise(model, out, *arguments):
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]
    return main(["denoise", *map(str, arguments), *options])


def test_the_result_of_a_low_dose_carries_the_warning_and_a_high_dose_none(phantoms, tiny_model):
    low, high = phantoms
    model = open_model(tiny_model)
    settings = DenoiseSettings(views=1)
    warned = denoise_image(read_image(low), model, settings)
    assert warned.low_quanta is not None
    assert warned.low_quanta.share_below_low >= 0.01
    assert warned.description().startswith(
        f"WARNING: {warned.low_quanta.describe()}; denoised by diffusion model"
    )
    assert warned.summary()["low_quanta"] == warned.low_quanta.to_dict()
    quiet = denoise_image(read_image(high), model, settings)
    assert quiet.low_quanta is None
    assert "WARNING" not in quiet.description()
    assert quiet.summary()["low_quanta"] is None


def test_the_command_warns_on_stderr_once_per_file_and_in_its_dicom(
    phantoms, tiny_model, tmp_path, capsys
):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, *phantoms) == 0  # a warning, not a failure
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if WARNING in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{PROG}: warning: {out / 'low.dcm'}: {WARNING}")
    assert "Traceback" not in err
    described = pydicom.dcmread(out / "low.dcm").DerivationDescription
    assert f"WARNING: {WARNING}" in described and len(described) <= ST_MAX
    assert "WARNING" not in pydicom.dcmread(out / "high.dcm").DerivationDescription


def test_the_json_record_carries_the_warning(phantoms, tiny_model, tmp_path, capsys):
    assert _denoise(tiny_model, tmp_path / "out", *phantoms, "--json") == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    low, high = (record["denoising"]["low_quanta"] for record in records)
    assert low["warning"].startswith(WARNING) and low["share_below_5_quanta"] >= 0.01
    assert 0 <= low["share_below_2_quanta"] <= low["share_below_5_quanta"]
    assert 0 <= low["share_below_5_quanta_min"] <= low["share_below_5_quanta"]
    assert 0 <= low["share_below_2_quanta_min"] <= low["share_below_2_quanta"]
    assert high is None
