"""Keys 2 and 3 (Auto, Full range) show the lowest value black and the highest white.

An integer image is shown LINEAR, whose ``c - 0.5`` and ``w - 1`` made "Full range" of
0..4095 show 4094 white, as 4095: the presets' windows now allow for them, and the label
gives the window shown. Key 1 keeps the file's own window as the file gives it.
"""

import numpy as np
import pytest
import tifffile

pytestmark = pytest.mark.gui


@pytest.fixture
def every_value(tmp_path):
    """0..4095 and 100 more 0s and 4095s (the 0.5 and 99.5 percentiles), shuffled."""
    ends = np.repeat(np.array([0, 4095]), 100)
    values = np.random.default_rng(1).permutation(np.concatenate([np.arange(4096), ends]))
    path = tmp_path / "every_value.tif"
    tifffile.imwrite(path, values.reshape(24, -1).astype(np.uint16))
    return path


def _drawn(window) -> dict[int, float]:
    """The grey levels the Before pane draws for 0, 1, 4094 and 4095."""
    grey = window.views.panes["before"]._shown[0]
    assert grey.shape == window.image.shape
    return {v: float(grey[window.image.pixels == v][0]) for v in (0, 1, 4094, 4095)}


@pytest.mark.parametrize(("key", "name"), [(2, "Auto (0.5-99.5 %)"), (3, "Full range")])
def test_a_percentile_preset_shows_its_ends_black_and_white(window, every_value, key, name):
    assert window.open_file(every_value)
    window.apply_preset(key)
    assert window.statusBar().currentMessage() == f"Window: {name}"
    assert window.window_label.text() == "W 4096 C 2048"  # the window applied, LINEAR
    grey = _drawn(window)
    assert grey[0] == 0 and grey[4095] == 1
    assert 0 < grey[1] < grey[4094] < 1


def test_key_1_keeps_the_files_window(window, small_dicom):
    window.open_file(small_dicom)  # its window: C 2048, W 4096
    window.apply_preset(3)
    window.apply_preset(1)
    assert window.window_override is None
    assert window.shown_view() == window.image.file_windows[0]
    assert window.window_label.text() == "W 4096 C 2048"
