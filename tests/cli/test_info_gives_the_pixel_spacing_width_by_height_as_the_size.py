"""``info`` gives the pixel spacing in the order of the size: width x height.

The size line is columns x rows ("64 x 48 px"), while the spacing line gave DICOM's
PixelSpacing order, between rows first: a 0.1 mm wide, 0.2 mm high pixel read "0.2 x
0.1 mm" under "64 x 48 px". It now reads "0.1 x 0.2 mm (width x height)"; the JSON keeps
PixelSpacing's order in ``pixel_spacing_mm``.
"""

import json

import numpy as np

from core.cli import main
from core.io.dicom_write import new_dataset, write_dataset


def test_the_text_gives_width_then_height_and_the_json_pixelspacing_order(tmp_path, capsys):
    rng = np.random.default_rng(8)
    ds = new_dataset(
        rng.integers(1000, 3000, size=(48, 64), dtype=np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=(0.2, 0.1),  # between rows, between columns
        patient_name="",
        patient_id="SP-1",
        description="anisotropic",
        modality="OT",
        window=None,
    )
    path = write_dataset(ds, tmp_path / "wide.dcm")
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "  size            64 x 48 px\n" in text
    assert "  pixel spacing   0.1 x 0.2 mm (width x height)\n" in text
    assert main(["info", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["pixel_spacing_mm"] == [0.2, 0.1]
