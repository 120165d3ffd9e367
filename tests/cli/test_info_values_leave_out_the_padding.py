"""``info`` gives the range of the values that are not padding, as simulate and metrics use.

The padding value (often the largest storable) is said on its own line, not in the range.
"""

import json

import numpy as np
import pydicom

from core.cli import main


def _padded(path, columns):
    """A 12-bit phantom whose first `columns` columns are PixelPaddingValue 4095."""
    assert main(["phantom", str(path), "--size", "64", "--photons", "20000"]) == 0
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array.copy()
    stored[:, :columns] = 4095
    ds.PixelData = stored.tobytes()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.add_new(0x00280120, "US", 4095)  # PixelPaddingValue
    ds.RescaleSlope, ds.RescaleIntercept = 0.5, -100
    ds.save_as(path)
    return stored[:, columns:]


def test_info_values_are_those_of_the_pixels_that_are_not_padding(tmp_path, capsys):
    path = tmp_path / "padded.dcm"
    data = _padded(path, 16)
    assert data.max() < 4095
    low, high = data.min() * 0.5 - 100, data.max() * 0.5 - 100
    capsys.readouterr()
    assert main(["info", "--json", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["value_min"], summary["value_max"]) == (low, high)
    assert summary["padding"]["pixels"] == 64 * 16
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert f"  values          {low:g} .. {high:g} (rescaled: stored x 0.5 - 100)\n" in text
    assert "  padding         stored value 4095, 25.0 % of the pixels (not in the values" in text


def test_info_of_an_image_that_is_all_padding_has_no_range(tmp_path, capsys):
    path = tmp_path / "padding.dcm"
    _padded(path, 64)
    capsys.readouterr()
    assert main(["info", "--json", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["value_min"] is None and summary["value_max"] is None
    assert main(["info", str(path)]) == 0
    assert "  values          none: every pixel is padding\n" in capsys.readouterr().out
    assert np.isclose(summary["padding"]["share"], 1.0)
