"""The panel's red low-quanta warning belongs to the result: once a batch's summary replaces
the result's status line, the warning no longer sits under it.

A 200-quanta chest phantom is denoised (it warns), then a folder of one 5000-quanta
phantom (it does not) is batch-denoised.
"""

import pytest

from core.io import write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def _phantom(path, photons):
    stored = phantom_image((96, 96), photons_per_pixel=photons, seed=1)
    return write_new_dicom(stored, path, bits_stored=12)


def test_a_batch_summary_has_no_warning_of_the_result_under_it(
    window, qtbot, denoise_quickly, tmp_path
):
    assert window.open_file(_phantom(tmp_path / "low.dcm", 200))
    denoise_quickly(window)
    assert window.result.low_quanta is not None and window.controls.warning.isVisible()
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    target.mkdir()
    _phantom(source / "high.dcm", 5000)
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    assert window.controls.status.text().startswith("Batch: 1 of 1 file(s) written")
    assert "warning" not in window.controls.status.text()  # the batch's file did not warn
    assert not window.controls.warning.isVisible()
