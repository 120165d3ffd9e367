"""At 1:1 a change of layout draws only parts in sight, or a stand-in: never all of it.

While panes change size (the window resized, a pane or the swipe turned on or off) the
views pass through scales the user never chose. A view that leaves the part drawn has
the part in sight drawn (a stand-in where the passing scale is under 1:1), from the
values shown: nothing is computed again, no block statistics are made, and the picture
is the whole image's once the layout settles.
"""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.display import to_display
from core.image import Window
from xraygui.main_window import STAND_IN, ZOOM_SETTLE_MS
from xraygui.minified import BlockStats

pytestmark = pytest.mark.gui


@pytest.fixture
def drawn(noise_window, qtbot, monkeypatch, settle):
    """A noise image at 1:1, and what is drawn from then on.

    ``refresh``: the blocks shown at each refresh; ``blocks``: the minification of each
    drawing of the Before pane; ``stats``: the blocks of each BlockStats built.
    """
    window = noise_window(11)
    window.window_override = Window(2000.0, 1500.0)
    window.views.one_to_one()
    settle(window)
    qtbot.waitUntil(lambda: window._part is not None and window._blocks_drawn == (1, 1))
    qtbot.wait(ZOOM_SETTLE_MS + 30)
    draws = {"refresh": [], "blocks": [], "stats": []}
    before = window.views.panes["before"]
    real_refresh, real_show = window.refresh, before.show_grey

    def refresh():
        draws["refresh"].append(before.blocks())
        real_refresh()

    def show_grey(grey, **kwargs):
        draws["blocks"].append(window._blocks_drawn)
        real_show(grey, **kwargs)

    real_of = BlockStats.of.__func__

    def of(cls, pixels, blocks):
        draws["stats"].append(blocks)
        return real_of(cls, pixels, blocks)

    monkeypatch.setattr(window, "refresh", refresh)
    monkeypatch.setattr(before, "show_grey", show_grey)
    monkeypatch.setattr(BlockStats, "of", classmethod(of))
    return window, draws


def _grab(pane):
    image = pane.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32)
    return pixels.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()].copy()


def _same_as_whole(window):
    pane = window.views.panes["before"]
    drawn = _grab(pane)
    whole = to_display(window.image, window.window_override, invert=window.invert)
    pane.show_grey(whole, extent=window.image.shape)
    np.testing.assert_array_equal(drawn, _grab(pane))


@pytest.mark.parametrize("size", [(1300, 950), (600, 500), (1700, 700)])
def test_a_resized_window_at_1_to_1_draws_parts_only(drawn, qtbot, size):
    window, draws = drawn
    window.resize(*size)
    qtbot.wait(ZOOM_SETTLE_MS + 60)
    assert window.views.panes["before"].blocks() == (1, 1)
    assert draws["refresh"] == [] and draws["stats"] == []
    assert set(draws["blocks"]) <= {(1, 1), STAND_IN} and len(draws["blocks"]) <= 2
    _same_as_whole(window)


@pytest.mark.parametrize(
    "toggle",
    [
        lambda w, on: w.set_swipe(on),
        lambda w, on: w.residual_action.setChecked(on),
        lambda w, on: w.uncertainty_action.setChecked(on),
    ],
    ids=["swipe", "residual", "uncertainty"],
)
def test_turning_a_pane_on_or_off_at_1_to_1_draws_parts_only(drawn, qtbot, toggle):
    window, draws = drawn
    for on in (True, False):
        for kept in draws.values():
            kept.clear()
        toggle(window, on)
        qtbot.wait(ZOOM_SETTLE_MS + 60)
        assert draws["refresh"] == [] and draws["stats"] == [], on
        assert set(draws["blocks"]) <= {(1, 1), STAND_IN} and len(draws["blocks"]) <= 2, on
        _same_as_whole(window)
    assert window._minified == [] or all(kept.blocks != (2, 2) for kept in window._minified)


def test_the_residual_pane_is_drawn_when_turned_on_at_1_to_1(drawn, qtbot, tiny_model_path):
    window, _ = drawn
    window.residual_action.setChecked(True)
    qtbot.wait(ZOOM_SETTLE_MS + 60)
    pane = window.views.panes["residual"]
    assert pane.isVisible()
    assert pane.image_item.image is None  # no result yet: nothing to show, and no error
    assert window.errors == []
