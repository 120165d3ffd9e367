"""Opening another image, or choosing another reference, lets go of the previous one.

Before, the residual's grey levels, the forward process's x_t and the reference's noise
estimate kept the previous image, its result and its old reference (some 5 times the
image's pixels) until they were made again.
"""

import gc
import weakref

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _save(path, seed, shape):
    pixels = np.random.default_rng(seed).normal(2000, 50, shape).astype(np.float32)
    np.save(path, pixels)
    return path


def _alive(refs):
    gc.collect()
    return [name for name, ref in refs.items() if ref() is not None]


def _show_everything(window, qtbot, settle):
    """Draw the residual and the forward process of what the window shows."""
    window.residual_action.setChecked(True)
    window.timeline.set_mode("forward")
    qtbot.waitUntil(lambda: window._forward_worker is None, timeout=20000)
    window.timeline.set_mode("reverse")
    settle(window)


def test_opening_another_image_lets_go_of_the_first_its_result_and_reference(
    window, tmp_path, qtbot, settle, denoise_quickly
):
    first = _save(tmp_path / "a.npy", 0, (256, 256))
    assert window.open_file(first)
    settle(window)
    assert window.set_reference(first)  # metrics, and the reference's noise estimate
    settle(window)
    denoise_quickly(window)
    settle(window)
    _show_everything(window, qtbot, settle)
    assert window._residual is not None and window._preview is not None
    assert window._reference_noise is not None
    refs = {
        "image": weakref.ref(window.image.pixels),
        "result": weakref.ref(window.result.image.pixels),
        "reference": weakref.ref(window.reference.pixels),
    }
    assert window.open_file(_save(tmp_path / "b.npy", 1, (64, 64)))
    settle(window)
    assert _alive(refs) == []


def test_choosing_another_reference_lets_go_of_the_old_one(window, tmp_path, qtbot, settle):
    assert window.open_file(_save(tmp_path / "a.npy", 0, (128, 128)))
    settle(window)
    assert window.set_reference(_save(tmp_path / "r1.npy", 1, (128, 128)))
    settle(window)
    _show_everything(window, qtbot, settle)  # x_0 of the forward process is the reference
    refs = {"old reference": weakref.ref(window.reference.pixels)}
    assert window.set_reference(_save(tmp_path / "r2.npy", 2, (128, 128)))
    settle(window)
    assert _alive(refs) == []
