"""A long session keeps no dead jobs: workers, their threads and images are freed."""

import gc

import pytest

from core.image import XrayImage
from core.noise import LowDoseSettings
from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


def _alive(cls) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cls)


@pytest.mark.slow
def test_open_simulate_denoise_cycles_keep_no_dead_images_or_workers(
    window, qtbot, settle, small_dicom
):
    window.controls.steps.setValue(1)
    before = (_alive(XrayImage), _alive(GeneratorWorker))  # of earlier tests, if any
    counts = []
    for cycle in range(5):
        assert window.open_file(small_dicom)
        settle(window)
        window.simulate_low_dose(LowDoseSettings(dose=0.25, seed=cycle))
        settle(window)
        assert window.start_denoise() is not None
        settle(window)
        assert window.result is not None, window.errors
        qtbot.waitUntil(lambda: not window._running, timeout=10_000)
        counts.append((_alive(XrayImage) - before[0], _alive(GeneratorWorker) - before[1]))
    # At most the opened image (the reference), the simulated one and the result; the
    # workers are gone. Before, each cycle left 3 more images and 6 more workers.
    assert all(images <= 3 and workers <= 0 for images, workers in counts), counts
