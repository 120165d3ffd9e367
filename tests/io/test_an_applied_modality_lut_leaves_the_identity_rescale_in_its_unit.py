"""An applied Modality LUT Sequence leaves RescaleSlope 1, RescaleIntercept 0, its unit.

The reader removed the sequence and the Rescale attributes together, so a derived CR or
DX image lacked its Type 1 RescaleSlope, RescaleIntercept and RescaleType, and the
table's unit (ModalityLUTType) was lost.
"""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from core.io import read_image, write_image

TABLE = np.rint(np.sqrt(np.arange(4096) / 4095) * 60000 + 100).astype(np.uint16)


def lut_item(unit):
    item = Dataset()
    item.LUTDescriptor = [TABLE.size, 0, 16]
    if unit is not None:
        item.ModalityLUTType = unit
    item.add_new(0x00283006, "OW", TABLE.astype("<u2").tobytes())  # LUTData
    return item


def stored():
    return (np.arange(48 * 64).reshape(48, 64) * 11 % 4096).astype(np.uint16)


@pytest.mark.parametrize(("unit", "expected"), [("OD", "OD"), (None, "US")])
def test_the_kept_header_has_the_identity_rescale_in_the_tables_unit(write_dx, unit, expected):
    path = write_dx(stored(), ModalityLUTSequence=[lut_item(unit)])
    image = read_image(path)
    np.testing.assert_array_equal(image.pixels, TABLE[stored()])
    assert "ModalityLUTSequence" not in image.dataset
    assert image.dataset.RescaleSlope == 1
    assert image.dataset.RescaleIntercept == 0
    assert image.dataset.RescaleType == expected


def test_the_source_rescale_is_replaced_not_applied_again(tmp_path, write_dx):
    path = write_dx(
        stored(),
        ModalityLUTSequence=[lut_item("OD")],
        RescaleSlope=2,
        RescaleIntercept=-1000,
        RescaleType="HU",
    )
    image = read_image(path)
    out = write_image(image, tmp_path / "derived.dcm", description="denoised")
    ds = pydicom.dcmread(out)
    assert "ModalityLUTSequence" not in ds
    assert (ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType) == (1, 0, "OD")
    np.testing.assert_array_equal(ds.pixel_array, TABLE[stored()])
    np.testing.assert_array_equal(read_image(out).pixels, image.pixels)
