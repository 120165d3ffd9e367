"""What the reader warns of in a reference (colour converted to grey) is in the status bar.

The reference was read without collecting its warnings, so they were issued with
``warnings.warn`` (stderr only, never the window).
"""

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.gui


def test_an_rgba_reference_says_it_was_converted_in_the_status_bar(window, tmp_path):
    rng = np.random.default_rng(0)
    grey, rgba = tmp_path / "grey.png", tmp_path / "rgba.png"
    Image.fromarray((rng.random((64, 64)) * 255).astype(np.uint8)).save(grey)
    Image.fromarray((rng.random((64, 64, 4)) * 255).astype(np.uint8), "RGBA").save(rgba)
    assert window.open_file(grey)
    window.statusBar().clearMessage()
    assert window.set_reference(rgba)
    message = window.statusBar().currentMessage()
    assert message.startswith("Warning: rgba.png: RGBA image converted to grayscale"), message
    assert str(rgba) not in message  # named once, by its name
