"""A fine-tune's comparison with its starting model counts the scores at doses too.

``validation_change`` gets ``at_doses``: per dose scored by both (matched by value), only
where the two were scored with the same settings but the doses; the warning at the end
of the run names the doses that fell.
"""

import logging
from pathlib import Path

from core.training.config import TrainConfig
from core.training.loop import _warn_if_worse, validation_change

SETTINGS = {"photons_per_pixel": "measured", "electronic_noise": 4.0, "seed": 0, "crop": 64,
            "views": 1, "quanta": {"measured": 2, "fallback": 0}}  # fmt: skip


def _validation(step, doses, **settings):
    at_doses = {
        "step": step,
        "settings": {"doses": list(doses), **SETTINGS, **settings},
        "scores": [
            {"dose": d, "n_images": 2, "noisy_psnr": p - 3, "psnr": p, "ssim": 0.9}
            for d, p in doses.items()
        ],
    }
    level = {"scale": 1.0, "noisy_psnr_db": 43.0, "psnr": 45.0}
    return {"step": step, "scores": [level], "at_doses": at_doses}


def test_the_change_compares_each_dose_of_both_by_value():
    start = _validation(0, {0.05: 30.0, 0.25: 38.0})
    final = _validation(9, {0.05: 29.5, 0.1: 33.0, 0.25: 38.2})
    change = validation_change(start, final)
    assert change["worse_at"] == []  # the Gaussian level did not change
    doses = change["at_doses"]
    assert [(d["dose"], d["change_db"]) for d in doses["doses"]] == [(0.05, -0.5), (0.25, 0.2)]
    assert doses["worse_at"] == ["dose 0.05: -0.50 dB"]


def test_scores_at_other_settings_are_not_compared():
    start = _validation(0, {0.05: 30.0}, electronic_noise=8.0)
    assert "at_doses" not in validation_change(start, _validation(9, {0.05: 29.0}))
    assert "at_doses" not in validation_change(
        _validation(0, {0.05: 30.0}), {"step": 9, "scores": []}
    )


def test_the_warning_names_the_doses_that_fell(caplog):
    change = validation_change(_validation(0, {0.05: 30.0}), _validation(9, {0.05: 29.0}))
    config = TrainConfig(data=Path("data"), output=Path("m.safetensors"))
    with caplog.at_level(logging.WARNING, logger="core.training.loop"):
        _warn_if_worse(config, change)
    assert len(caplog.messages) == 1
    assert "1 of 1 doses (dose 0.05: -1.00 dB)" in caplog.messages[0]
