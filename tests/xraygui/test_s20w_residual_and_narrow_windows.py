"""The Residual pane is mid-grey at 0 for every source, and a dragged window stops at what
LINEAR can show.

Before, the residual was windowed with DICOM's LINEAR (its c - 0.5 and w - 1): a float
image's residual, spread under 0.5, showed all white, an integer image's 0 showed 0.6 grey;
and a right-drag narrowed a LINEAR window to width 0.27 (shown as width 1), after which the
level barely moved and 410 px of drag changed nothing on screen.
"""

import numpy as np
import pytest

from core.image import Window
from core.io import write_new_dicom
from xraygui.session import residual_grey, residual_spread


@pytest.mark.parametrize("kind", ["float", "integer"])
def test_the_residual_is_mid_grey_at_zero_and_spans_its_spread(window, tmp_path, kind):
    rng = np.random.default_rng(0)
    if kind == "float":
        clean = rng.uniform(0.2, 0.8, (64, 64)).astype(np.float32)
        noisy = (clean + rng.normal(0, 0.02, clean.shape)).astype(np.float32)
        path = tmp_path / "noisy.npy"
        np.save(path, noisy)
    else:
        clean = rng.integers(1000, 3000, (64, 64)).astype(np.float32)
        noisy = np.clip(clean + rng.normal(0, 3, clean.shape).round(), 0, 4095)
        path = write_new_dicom(noisy.astype(np.uint16), tmp_path / "noisy.dcm", bits_stored=12)
    assert window.open_file(path)
    image = window.image
    denoised = image.with_pixels(clean)
    residual = image.pixels - denoised.pixels
    grey = residual_grey(image, denoised)
    spread = residual_spread(image, denoised)
    assert np.all(grey[residual == 0] == 0.5) if np.any(residual == 0) else True
    assert grey.min() < 0.1 and grey.max() > 0.9  # not one grey
    inside = np.abs(residual) < spread
    expected = 0.5 + residual[inside] / (2 * spread)
    np.testing.assert_allclose(grey[inside], expected, atol=1 / 255 + 1e-6)


def test_a_narrowed_linear_window_stops_at_width_one_and_its_level_still_moves(window, tmp_path):
    stored = np.random.default_rng(1).integers(1000, 3000, (64, 64)).astype(np.uint16)
    path = write_new_dicom(stored, tmp_path / "int.dcm", bits_stored=12, window=Window(2000, 2000))
    assert window.open_file(path)
    for _ in range(40):
        window.drag_window(-60, 0)  # narrow it
    assert window.window_override.width == 1.0
    centre = window.window_override.center
    for _ in range(10):
        window.drag_window(0, 30)  # 300 px down
    assert window.window_override.center - centre > 10  # stored units, not 0.27
