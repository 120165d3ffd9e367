"""A noise estimate that fails (out of memory, a bug) is said, and the panel stops waiting.

Before, only its result was connected: any error but ValueError was dropped, and the
panel said "estimating..." for ever. Every job the window starts now has its errors
handled.
"""

import numpy as np
import pytest
from PySide6.QtCore import QMetaMethod

import xraygui.main_window
from core.noise import LowDoseSettings
from xraygui import jobs

pytestmark = pytest.mark.gui


@pytest.fixture
def noisy(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.random.default_rng(0).normal(2000, 50, (128, 128)).astype(np.float32))
    return path


def test_the_panel_shows_the_noise_unknown_and_the_status_bar_says_why(
    window, noisy, qtbot, monkeypatch
):
    def fail(image):
        raise MemoryError("Unable to allocate 1.07 GiB for an array")

    monkeypatch.setattr(jobs, "noise_sigma", fail)
    assert window.open_file(noisy)
    qtbot.waitUntil(lambda: not window.estimating_noise, timeout=10000)
    assert window.metrics.noise_label.text().startswith("Input noise (std, pixel values): -\n")
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot estimate the noise of a.npy: ")
    assert "\n" not in message and "Traceback" not in message


def test_every_job_the_window_starts_has_its_errors_handled(
    window, noisy, small_dicom, tmp_path, qtbot, settle, denoise_quickly, monkeypatch
):
    started = []
    keep = window._keep

    def record(worker):
        errored = QMetaMethod.fromSignal(worker.errored)
        started.append((worker._runner._func.__name__, worker.isSignalConnected(errored)))
        keep(worker)

    monkeypatch.setattr(window, "_keep", record)
    monkeypatch.setattr(xraygui.main_window, "FORWARD_AT_ONCE_PIXELS", 0)  # x_t in a worker
    assert window.open_file(small_dicom)  # a read, a noise estimate
    settle(window)
    assert window.set_reference(small_dicom)  # a read, the metrics
    settle(window)
    denoise_quickly(window)
    settle(window)
    window.timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._forward_worker is None, timeout=20000)
    window.timeline.set_mode("reverse")
    assert window.simulate_low_dose(LowDoseSettings(dose=0.5, seed=1)) is not None
    settle(window)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert window.start_batch(empty, tmp_path / "out") is not None
    settle(window)
    with qtbot.waitSignal(window.open_folder(empty).finished, timeout=10000):
        pass
    window.timeline.demo_steps.setValue(1)
    assert window.start_demo() is not None
    settle(window)
    names = {name for name, _ in started}
    assert {"read_job", "noise_job", "metrics_job", "denoise_job", "forward_job"} <= names
    assert {"simulate_job", "batch_job", "scan_images", "demo_job"} <= names
    assert [name for name, handled in started if not handled] == []
