"""A batch's summary goes to the status bar: the panel keeps describing the result shown.

A 200-quanta chest phantom is denoised (its result warns of few quanta), then a folder
of one 5000-quanta phantom is batch-denoised; the denoised image stays shown.
"""

import pytest

from core.io import write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui


def _phantom(path, photons):
    stored = phantom_image((96, 96), photons_per_pixel=photons, seed=1)
    return write_new_dicom(stored, path, bits_stored=12)


def test_a_batch_keeps_the_results_status_and_warning(window, qtbot, denoise_quickly, tmp_path):
    assert window.open_file(_phantom(tmp_path / "low.dcm", 200))
    denoise_quickly(window)
    status, warning = window.controls.status.text(), window.controls.warning.text()
    assert warning and window.controls.warning.isVisible()
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    target.mkdir()
    _phantom(source / "high.dcm", 5000)
    worker = window.start_batch(source, target)
    with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=60000):
        pass
    assert window.result is not None  # still shown, and still described
    assert window.controls.status.text() == status
    assert window.controls.warning.text() == warning and window.controls.warning.isVisible()
    message = window.batch_label.text()
    assert window.batch_label.isVisible()
    assert message.startswith("Batch: 1 of 1 file(s) written") and str(target) in message
