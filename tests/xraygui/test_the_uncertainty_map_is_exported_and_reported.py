"""The uncertainty map is exported (32-bit float TIFF) and in the report (PDF, JSON, CSV).

The TIFF holds each pixel's std over the samples in pixel values, and its description says
so, with the model and settings, the notice and the version, as the result's exports do.
The report shows the map with its grey scale and gives its median and 99.5th percentile.
"""

import numpy as np
import pytest
import tifffile

from core import __version__
from core.errors import ImageWriteError
from core.io.notice import DISCLAIMER

pytestmark = pytest.mark.gui


@pytest.fixture
def with_uncertainty(window, small_dicom, settle, denoise_quickly):
    window.open_file(small_dicom)
    settle(window)
    window.controls.samples.setValue(2)
    denoise_quickly(window)
    settle(window)
    assert window.result.uncertainty is not None
    return window


def test_the_uncertainty_map_is_written_as_float_pixel_values(with_uncertainty, tmp_path):
    window = with_uncertainty
    written = window.export_uncertainty(tmp_path / "map.tif")
    with tifffile.TiffFile(written) as tiff:
        pixels = tiff.asarray()
        description = tiff.pages[0].description
    assert pixels.dtype == np.float32
    np.testing.assert_array_equal(pixels, window.result.uncertainty)
    # After the source's own history, as every export's description.
    assert "uncertainty map: per-pixel standard deviation, in pixel values" in description
    assert "of 2 DDPM samples of 10 steps" in description
    assert window.result.model_name in description
    assert window.result.settings.describe() in description
    assert "source sha256" in description  # the source's record, as the result's export
    assert DISCLAIMER in description and __version__ in description
    assert window.export_stem("uncertainty") == "phantom_uncertainty"
    with pytest.raises(ImageWriteError, match="32-bit float TIFF"):
        window.export_uncertainty(tmp_path / "map.png")
    assert not (tmp_path / "map.png").exists()


def test_the_file_menu_offers_it_and_says_when_there_is_none(window, small_dicom, dialogs):
    assert window.export_uncertainty_action.text() == "Export &Uncertainty Map..."
    window.open_file(small_dicom)
    window.export_uncertainty_action.trigger()
    assert dialogs[-1][1] == "No uncertainty map"


def test_the_report_gives_the_map_and_its_numbers(with_uncertainty, written_report):
    window = with_uncertainty
    spread = window.result.uncertainty
    js, rows, drawn = written_report(source=window.source, image=window.image, result=window.result)
    median, top = np.percentile(spread, [50, 99.5])
    summary = js["uncertainty"]
    assert summary["samples"] == 2 and summary["units"] == "pixel values"
    assert summary["std_median"] == pytest.approx(median)
    assert summary["std_p99_5"] == pytest.approx(top)
    assert float(rows[0]["uncertainty_std_median"]) == pytest.approx(median)
    assert float(rows[0]["uncertainty_std_p99_5"]) == pytest.approx(top)
    assert f"median {median:.4g}, 99.5th percentile {top:.4g}." in drawn
    assert f"black 0 to white {top:.4g} pixel values" in drawn


def test_a_report_without_samples_has_no_uncertainty(
    window, small_dicom, settle, denoise_quickly, written_report
):
    window.open_file(small_dicom)
    settle(window)
    denoise_quickly(window)
    js, rows, drawn = written_report(source=window.source, image=window.image, result=window.result)
    assert js["uncertainty"] is None and rows[0]["uncertainty_std_median"] == ""
    assert "Uncertainty (std" not in drawn
