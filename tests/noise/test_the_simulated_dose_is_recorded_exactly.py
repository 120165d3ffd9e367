"""A simulation's record states its dose so that it reads back as the same --dose."""

import re
from decimal import Decimal

import numpy as np
import pytest

from core.noise import LowDoseSettings

PERCENT = re.compile(r"^simulated (\S+) % dose \(")


def _percent(settings, *, exact):
    return PERCENT.match(settings.describe(exact=exact)).group(1)


def _as_dose(percent):
    """The percent as a person gives it back as --dose: its decimal point moved two places."""
    return float(Decimal(percent).scaleb(-2))


def test_a_dose_of_many_digits_reads_back_exactly_or_rounded_to_read():
    settings = LowDoseSettings(dose=0.0123456789, photons_per_pixel=20000, seed=3)
    assert _percent(settings, exact=True) == "1.23456789"
    assert _as_dose(_percent(settings, exact=True)) == 0.0123456789
    assert _percent(settings, exact=False) == "1.2346"


@pytest.mark.parametrize(("dose", "text"), [(0.25, "25"), (0.5, "50"), (1.0, "100"), (0.07, "7")])
def test_a_round_dose_reads_as_before(dose, text):
    settings = LowDoseSettings(dose=dose, photons_per_pixel=20000, seed=3)
    assert _percent(settings, exact=True) == text == _percent(settings, exact=False)


def test_any_dose_reads_back_exactly():
    for dose in np.random.default_rng(0).uniform(1e-6, 1.0, 1000):
        settings = LowDoseSettings(dose=float(dose), photons_per_pixel=20000, seed=3)
        percent = _percent(settings, exact=True)
        assert "e" not in percent.lower() and _as_dose(percent) == dose
