"""A tile size asked for is checked once per run (by the run's ``TiledEvaluator``), not also
while the tile is chosen; ``planned_tiles`` still checks it before a batch."""

import pytest

from core.denoise import DenoiseSettings, denoise_image, pipeline, tiling


@pytest.fixture
def checks(monkeypatch):
    """Count the calls of ``check_tile_size``, wherever it is called from."""
    calls = []
    check = tiling.check_tile_size

    def counted(model, tile, *, overlap=0):
        calls.append(tile)
        check(model, tile, overlap=overlap)

    monkeypatch.setattr(tiling, "check_tile_size", counted)
    monkeypatch.setattr(pipeline, "check_tile_size", counted)
    return calls


def test_a_run_checks_the_tile_once(tiny_model, noisy_phantom, checks):
    settings = DenoiseSettings(tile_size=64, tile_overlap=8, n_steps=2, views=1, device="cpu")
    result = denoise_image(noisy_phantom, tiny_model, settings)
    assert checks == [64]
    assert result.tile_sizes == (64,)


def test_planned_tiles_checks_the_tile_asked_for(tiny_model, checks):
    with pytest.raises(ValueError, match="tile size 66 must be a multiple of 4"):
        pipeline.planned_tiles(tiny_model, DenoiseSettings(tile_size=66, tile_overlap=8))
    assert checks == [66]
    assert pipeline.planned_tiles(tiny_model, DenoiseSettings(tile_size=64, tile_overlap=8)) == (
        "tile 64 overlap 8"
    )
