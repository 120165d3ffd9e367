"""`xray-denoise info` names the VOI LUT shown and lists every VOI LUT beside the windows."""

import json

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from core.cli import main

SQRT = np.rint(65535 * np.sqrt(np.arange(4096) / 4095)).astype(np.uint16)


def _item(table, first, explanation):
    item = Dataset()
    item.add_new(0x00283002, "US", [table.size, first, 16])  # LUTDescriptor
    item.add_new(0x00283006, "OW", table.astype("<u2").tobytes())  # LUTData
    if explanation:
        item.LUTExplanation = explanation
    return item


@pytest.fixture
def phantom(tmp_path):
    """Write a 12-bit phantom with two VOI LUTs, and the given window attributes."""

    def write(**attributes):
        path = tmp_path / "voi.dcm"
        assert main(["phantom", str(path), "--size", "64", "--photons", "20000"]) == 0
        ds = pydicom.dcmread(path)
        for keyword in ("WindowCenter", "WindowWidth"):
            if keyword in ds:
                delattr(ds, keyword)
        ds.VOILUTSequence = [_item(SQRT, 0, "NORMAL"), _item(SQRT[:256], 100, "")]
        for keyword, value in attributes.items():
            setattr(ds, keyword, value)
        ds.save_as(path)
        return path

    return write


def _info(path, capsys, *options):
    capsys.readouterr()
    assert main(["info", *options, str(path)]) == 0
    return capsys.readouterr().out


def test_a_voi_lut_shown_by_default_is_named_instead_of_a_window(phantom, capsys):
    path = phantom()
    assert (
        "window          VOI LUT NORMAL (4096 entries, first 0, 16 bits); "
        "also VOI LUT (256 entries, first 100, 16 bits)\n"
    ) in _info(path, capsys)
    summary = json.loads(_info(path, capsys, "--json"))
    assert summary["default_view"] == "voi_lut"
    assert summary["voi_luts"] == [
        {"explanation": "NORMAL", "entries": 4096, "first": 0, "bits": 16},
        {"explanation": "", "entries": 256, "first": 100, "bits": 16},
    ]


def test_voi_luts_are_listed_after_the_windows_of_a_file_with_both(phantom, capsys):
    path = phantom(WindowCenter=[2048, 1200], WindowWidth=[4096, 800])
    assert (
        "window          center 2048, width 4096 (LINEAR); also window 1200/800, "
        "VOI LUT NORMAL (4096 entries, first 0, 16 bits), "
        "VOI LUT (256 entries, first 100, 16 bits)\n"
    ) in _info(path, capsys)
    summary = json.loads(_info(path, capsys, "--json"))
    assert summary["default_view"] == "window"
    assert (summary["window_center"], summary["window_width"]) == (2048.0, 4096.0)
    assert [lut["explanation"] for lut in summary["voi_luts"]] == ["NORMAL", ""]
