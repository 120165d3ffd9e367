"""Auto views: 4 where the network runs in float16 or bfloat16, 2 in float32; the count used
is the one the result's settings, description and summary name."""

import pytest
import torch

from core.denoise import DenoiseSettings, TileProgress, auto_views, denoise_steps
from core.device import cpu_has_amx


def _denoise(tiny_model, image, **changes):
    settings = DenoiseSettings(device="cpu", tile_size=64, tile_overlap=8, **changes)
    events = list(denoise_steps(image, tiny_model, settings, step_images=False))
    prepared = next(e for e in events if isinstance(e, TileProgress))
    return prepared, events[-1]


def test_auto_views_is_4_in_half_precision_and_2_in_float32():
    assert auto_views(torch.float16) == auto_views(torch.bfloat16) == 4
    assert auto_views(torch.float32) == 2


def test_views_are_auto_by_default_and_described_so_until_chosen():
    settings = DenoiseSettings()
    assert settings.views is None
    assert settings.describe() == "DDIM, 1 step, strength 1, auto views"
    assert settings.with_views_for(torch.bfloat16).views == 4
    assert settings.with_views_for(torch.float32).views == 2
    chosen = DenoiseSettings(views=8)
    assert chosen.with_views_for(torch.float32) is chosen  # an explicit count is kept


def test_float32_takes_2_views_and_the_result_names_them(tiny_model, noisy_phantom):
    prepared, result = _denoise(tiny_model, noisy_phantom, precision="float32")
    assert result.precision == "float32 on CPU"
    assert result.settings.views == 2 and prepared.n_tiles == 4 * 2  # 2 x 2 tiles per view
    assert result.settings.describe() == "DDIM, 1 step, strength 1, 2 views"
    assert "strength 1, 2 views, float32 on CPU; noise" in result.description()
    assert result.summary()["views"] == 2


@pytest.mark.skipif(not cpu_has_amx(), reason="this CPU has no AMX: auto stays float32 on it")
def test_bfloat16_on_an_amx_cpu_takes_4_views_and_the_result_names_them(tiny_model, noisy_phantom):
    prepared, result = _denoise(tiny_model, noisy_phantom)
    assert result.precision == "bfloat16 on CPU"
    assert result.settings.views == 4 and prepared.n_tiles == 4 * 4
    assert "strength 1, 4 views, bfloat16 on CPU; noise" in result.description()
    assert result.summary()["views"] == 4


@pytest.mark.parametrize(("precision", "views"), [("auto", 1), ("float32", 8)])
def test_an_explicit_count_is_kept_whatever_the_precision(
    tiny_model, noisy_phantom, precision, views
):
    prepared, result = _denoise(tiny_model, noisy_phantom, precision=precision, views=views)
    assert result.settings.views == views and prepared.n_tiles == 4 * views
    assert result.summary()["views"] == views


@pytest.mark.parametrize("bad", [0, 3, 16, True, 2.0, "4"])
def test_a_count_other_than_1_2_4_or_8_is_refused(bad):
    with pytest.raises(ValueError, match=r"^views must be 1, 2, 4 or 8, got "):
        DenoiseSettings(views=bad)
