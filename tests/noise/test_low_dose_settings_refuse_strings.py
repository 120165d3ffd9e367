"""LowDoseSettings refuses strings and bools, and keeps the numbers it takes as floats.

Whatever ``float()`` reads as one number is taken, as before strings were refused: a
0-d array, a ``Fraction``, a ``Decimal``, a one-element tensor.
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import torch

from core.noise import DetectorModel, LowDoseSettings
from core.noise.dose import simulate_counts


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"dose": "0.5"}, r"the dose must be a number, got '0.5'"),
        ({"photons_per_pixel": "20000"}, r"the quanta per pixel must be a number, got '20000'"),
        ({"electronic_noise": "4"}, r"the electronic noise must be a number, got '4'"),
        ({"max_attenuation": "5"}, r"the maximum attenuation must be a number, got '5'"),
        ({"dose": True}, r"the dose must be a number, got True"),
        ({"photons_per_pixel": True}, r"the quanta per pixel must be a number, got True"),
        ({"dose": b"0.5"}, r"the dose must be a number, got b'0.5'"),
        ({"dose": np.str_("0.5")}, r"the dose must be a number, got np.str_\('0.5'\)"),
        ({"dose": np.array("0.5")}, r"the dose must be a number, got array\('0.5'"),
        ({"dose": np.True_}, r"the dose must be a number, got np.True_"),
        ({"dose": 0.5 + 0j}, r"the dose must be a number, got \(0.5\+0j\)"),
        ({"dose": np.array([0.5])}, r"the dose must be a number, got array\(\[0.5\]\)"),
        ({"electronic_noise": [4.0]}, r"the electronic noise must be a number, got \[4.0\]"),
        ({"electronic_noise": None}, r"the electronic noise must be a number, got None"),
    ],
)
def test_a_setting_that_is_no_number_is_refused_by_name(changes, reason):
    with pytest.raises(ValueError, match=reason):
        LowDoseSettings(**{"dose": 0.5, **changes})


def test_ints_and_numpy_numbers_are_kept_as_floats():
    settings = LowDoseSettings(
        dose=1,
        photons_per_pixel=np.int64(20000),
        electronic_noise=np.float32(4.0),
        max_attenuation=np.float64(5.0),
    )
    for name, value in (
        ("dose", 1.0),
        ("photons_per_pixel", 20000.0),
        ("electronic_noise", 4.0),
        ("max_attenuation", 5.0),
    ):
        assert type(getattr(settings, name)) is float
        assert getattr(settings, name) == value


@pytest.mark.parametrize(
    "dose",
    [np.array(0.25), Fraction(1, 4), Decimal("0.25"), torch.tensor(0.25)],
    ids=["0-d array", "Fraction", "Decimal", "tensor"],
)
def test_what_float_reads_as_one_number_is_taken_and_kept_as_a_float(dose):
    settings = LowDoseSettings(
        dose=dose, photons_per_pixel=dose * 80_000, electronic_noise=dose * 16
    )
    assert (settings.dose, settings.photons_per_pixel, settings.electronic_noise) == (
        0.25,
        20_000.0,
        4.0,
    )
    assert all(
        type(value) is float
        for value in (settings.dose, settings.photons_per_pixel, settings.electronic_noise)
    )


def test_the_detector_and_the_simulation_take_a_0_d_array():
    detector = DetectorModel(4095.0, -500.0, photons_per_pixel=np.array(2e4))
    assert detector.photons_per_pixel == 2e4
    counts = simulate_counts(
        np.full((4, 4), 100.0),
        dose=np.array(0.5),
        electronic_noise=Decimal(0),
        rng=np.random.default_rng(0),
    )
    assert counts.shape == (4, 4)
