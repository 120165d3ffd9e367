import numpy as np
import pytest
import torch

from core.denoise import DenoiseSettings, TileProgress, denoise_image, denoise_steps
from core.denoise.tiling import TiledEvaluator
from core.denoise.views import DIHEDRAL_VIEWS, ViewEnsemble, views


def test_every_view_is_undone_exactly_and_the_eight_differ():
    x = torch.arange(3 * 5, dtype=torch.float32).reshape(1, 1, 3, 5)  # not square
    seen = set()
    for view in DIHEDRAL_VIEWS:
        shown = view.apply(x)
        assert shown.is_contiguous()
        torch.testing.assert_close(view.undo(shown), x, rtol=0, atol=0)
        seen.add(tuple(shown.flatten().tolist()))
    assert len(seen) == 8
    assert [len(views(n)) for n in (1, 2, 4, 8)] == [1, 2, 4, 8]
    assert views(1) == (DIHEDRAL_VIEWS[0],) and not views(1)[0].flip
    with pytest.raises(ValueError, match="1, 2, 4 or 8"):
        views(3)


def test_the_ensemble_averages_the_undone_predictions(tiny_model):
    evaluator = TiledEvaluator(tiny_model, tile=64, overlap=8, batch=1)
    x = torch.randn(1, 1, 80, 72, generator=torch.Generator().manual_seed(0))
    ensemble = ViewEnsemble(evaluator, views(4))
    reports = []
    generator = ensemble.evaluate(x, 300.0, lambda done, calls: reports.append((done, calls)))
    with pytest.raises(StopIteration) as stop:
        while True:
            next(generator)
    averaged = stop.value.value

    def single(view):
        run = evaluator.evaluate(view.apply(x), 300.0, lambda done, calls: None)
        with pytest.raises(StopIteration) as end:
            while True:
                next(run)
        return view.undo(end.value.value)

    each = [single(view) for view in views(4)]
    torch.testing.assert_close(averaged, sum(each) / 4)
    assert not torch.allclose(each[0], each[1], atol=1e-4)  # the tiny U-Net is not equivariant
    n_calls = len(reports)
    assert reports == [(i, n_calls) for i in range(1, n_calls + 1)] and n_calls % 4 == 0


def test_views_reach_the_denoise_and_its_description(tiny_model, noisy_phantom):
    settings = DenoiseSettings(views=2, tile_size=64, tile_overlap=8, device="cpu")
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))
    progress = [e for e in events if isinstance(e, TileProgress)]
    assert [(p.tile, p.n_tiles) for p in progress] == [(i, 8) for i in range(9)]  # 0: prepared
    result = events[-1]
    assert "DDIM, 1 step, strength 1, 2 views" in result.description()
    single = denoise_image(noisy_phantom, tiny_model, DenoiseSettings(device="cpu", views=1))
    assert not np.array_equal(result.image.pixels, single.image.pixels)
    assert DenoiseSettings().views is None  # auto: chosen from the network's precision


def test_uncertainty_samples_use_the_image_alone(tiny_model, noisy_phantom):
    settings = DenoiseSettings(
        views=2,
        n_uncertainty_samples=2,
        uncertainty_steps=2,
        tile_size=64,
        tile_overlap=8,
        device="cpu",
    )
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))
    calls = {(e.run, e.n_tiles) for e in events if isinstance(e, TileProgress)}
    assert calls == {(0, 8), (1, 4), (2, 4)}


@pytest.mark.parametrize("bad", [0, 3, 16, 2.0, True])
def test_views_are_checked(bad):
    with pytest.raises(ValueError, match="views must be 1, 2, 4 or 8"):
        DenoiseSettings(views=bad)
