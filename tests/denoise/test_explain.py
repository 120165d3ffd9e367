import numpy as np
import pytest

from core.denoise import ModelDomain, NoiseEstimate, forward_process, generate_demo
from core.denoise.models import default_model_path, open_model
from core.diffusion.model import save_model
from core.errors import ModelFileError


def test_forward_process_fades_the_image_into_noise(tiny_model, noisy_phantom):
    domain = ModelDomain.from_image(noisy_phantom, NoiseEstimate.from_pixels(noisy_phantom.pixels))
    start = forward_process(noisy_phantom, tiny_model, 0.0, seed=1, domain=domain)
    np.testing.assert_allclose(start, noisy_phantom.pixels, atol=0.05)
    end = forward_process(noisy_phantom, tiny_model, 1000.0, seed=1)
    assert end.shape == noisy_phantom.shape and end.dtype == np.float32
    correlation = np.corrcoef(end.ravel(), noisy_phantom.pixels.ravel())[0, 1]
    assert abs(correlation) < 0.1
    middle = [forward_process(noisy_phantom, tiny_model, 300.0, seed=s) for s in (2, 2, 3)]
    np.testing.assert_array_equal(middle[0], middle[1])
    assert not np.array_equal(middle[0], middle[2])


def test_generation_from_pure_noise_yields_every_step(tiny_model):
    states = list(generate_demo(tiny_model, (32, 24), n_steps=3, seed=0))
    assert [s.step for s in states] == [1, 2, 3] and states[-1].t == 0.0
    assert states[-1].x0_pred.shape == (32, 24) and np.all(np.abs(states[-1].x0_pred) <= 1)


def test_the_shipped_model_path_and_a_clear_error_when_it_is_missing(monkeypatch, tmp_path):
    assert default_model_path().parts[-3:] == ("resources", "models", "xray-diffusion.safetensors")
    monkeypatch.setattr(
        "core.denoise.models.default_model_path", lambda: tmp_path / "none.safetensors"
    )
    with pytest.raises(ModelFileError) as caught:
        open_model()
    assert str(caught.value) == (
        f"{tmp_path / 'none.safetensors'}: the shipped model is missing from this installation "
        "(reinstall, or use another model file)"
    )


def test_open_model_loads_a_file(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path / "m.safetensors")
    loaded = open_model(tmp_path / "m.safetensors")
    assert loaded.card.weights_sha256 == tiny_model.card.weights_sha256
