"""The white-noise estimate run on a result is called the pixel-scale noise left, not its noise.

It sees only pixel-to-pixel noise, not the correlated error a denoiser leaves, so the
description says so and does not pair it with the input's noise as "residual noise".
"""

from pathlib import Path

from core.cli.denoise_report import WRITTEN, Outcome
from core.denoise import DenoiseSettings, denoise_steps
from core.denoise.events import NOISE_LEFT_NOTE


def test_the_description_names_the_pixel_scale_noise_left(tiny_model, noisy_phantom):
    settings = DenoiseSettings(n_steps=1, views=1, device="cpu")
    result = list(denoise_steps(noisy_phantom, tiny_model, settings))[-1]
    description = result.description()
    left = f"; pixel-scale noise left {result.noise_after:.3g} ({NOISE_LEFT_NOTE})"
    assert description.endswith(left)
    assert NOISE_LEFT_NOTE == "white-noise estimate; not the remaining error, which is correlated"
    assert "residual noise" not in description
    # The JSON record keeps its field's name, for scripts that read it.
    record = Outcome(Path("in.png"), 0, Path("out.png"), WRITTEN, result=result).record(
        "CPU", input_sha256=None
    )
    assert record["residual_sigma"] == result.noise_after
    assert record["denoising"]["description"] == description
