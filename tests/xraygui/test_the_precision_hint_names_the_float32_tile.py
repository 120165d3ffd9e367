"""The Precision hint says that float32 also fixes the tile, on every device.

float32 runs in tiles of :data:`~core.denoise.tiling.FLOAT32_TILE` px wherever the tile is
auto (a GPU's auto tile reaches :data:`~core.denoise.tiling.GPU_MAX_TILE`), and the tile
changes the result: the hint names it beside the precision.
"""

import pytest

from core.denoise.tiling import FLOAT32_TILE, GPU_MAX_TILE
from xraygui.controls import ControlPanel

pytestmark = pytest.mark.gui


def test_the_precision_hint_says_float32_means_tiles_of_512_on_every_device(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    hint = " ".join(panel.precision.toolTip().split())
    assert FLOAT32_TILE == 512
    assert "float32: no half-precision rounding" in hint
    assert f"and tiles of {FLOAT32_TILE} px on every device" in hint
    assert f"up to {GPU_MAX_TILE} on a GPU" in hint
