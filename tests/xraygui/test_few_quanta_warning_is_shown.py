"""After a Denoise of an image whose anatomy detected few quanta, the window and every
report file say that its denoised values read low; of a high dose, none does.

Chest phantoms simulated at 200 quanta per unattenuated pixel (a quarter of the pixels
under 5 quanta) and at 5000 (none), denoised with the tiny model.
"""

import pytest

from core.denoise import DenoiseSettings, denoise_image
from core.diffusion import load_model
from core.io import read_image, write_new_dicom
from core.noise import phantom_image

pytestmark = pytest.mark.gui

WARNING = "under 5 X-ray quanta per pixel in about"


def _phantom(folder, photons):
    stored = phantom_image((96, 96), photons_per_pixel=photons, seed=1)
    return write_new_dicom(stored, folder / f"phantom{photons:g}.dcm", bits_stored=12)


def test_the_panel_shows_the_warning_under_the_result_without_a_dialog(
    window, dialogs, denoise_quickly, tmp_path
):
    assert window.open_file(_phantom(tmp_path, 200))
    denoise_quickly(window)
    assert window.result.low_quanta is not None
    warning = window.controls.warning
    assert warning.isVisible()
    assert warning.text() == f"Warning: {window.result.low_quanta.describe()}."
    assert warning.text().startswith(f"Warning: {WARNING}")
    assert dialogs == []  # shown in the panel, not in a box that holds every run up

    assert window.open_file(_phantom(tmp_path, 5000))
    assert not warning.isVisible()  # a new image: the result and its warning are gone
    denoise_quickly(window)
    assert window.result.low_quanta is None
    assert not warning.isVisible()


def test_a_cancelled_run_shows_the_warning_of_the_result_it_kept(
    window, qtbot, denoise_quickly, tmp_path
):
    assert window.open_file(_phantom(tmp_path, 200))
    denoise_quickly(window)
    shown = window.controls.warning.text()
    worker = window.start_denoise()
    assert not window.controls.warning.isVisible()  # no result while it runs
    with qtbot.waitSignal(worker.finished, timeout=30000):
        window.cancel()
    assert window.controls.warning.isVisible() and window.controls.warning.text() == shown


def test_every_report_file_and_the_batch_table_carry_the_warning(
    qapp, tiny_model_path, tmp_path, written_report
):
    from xraygui.jobs import _batch_row

    path = _phantom(tmp_path, 200)
    image = read_image(path)
    result = denoise_image(image, load_model(tiny_model_path), DenoiseSettings(views=1))
    text = result.low_quanta.describe()
    js, (row,), pdf = written_report(source=image, image=image, result=result)
    assert js["denoising"]["low_quanta"] == result.low_quanta.to_dict()
    assert row["low_quanta_warning"] == text
    assert float(row["share_below_5_quanta"]) == result.low_quanta.share_below_low
    assert float(row["share_below_2_quanta"]) == result.low_quanta.share_below_very_low
    assert float(row["share_below_5_quanta_min"]) == result.low_quanta.share_below_low_min
    assert float(row["share_below_2_quanta_min"]) == result.low_quanta.share_below_very_low_min
    assert float(row["share_clipped"]) == result.low_quanta.share_clipped
    assert WARNING in pdf
    assert _batch_row(path, tmp_path / "out.dcm", image, result)["low_quanta_warning"] == text
