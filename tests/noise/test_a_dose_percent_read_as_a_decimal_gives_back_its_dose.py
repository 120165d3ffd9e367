"""A dose's percent, written exactly and read as a decimal, gives back the dose.

``dose_fraction`` read the percent as a float, which cannot hold every decimal: the
percent written for a dose of 1/6, 16.666666666666666, gave 0.16666666666666663. And
a simulation refused too small a dose in a fraction written with an exponent
("a 1e-05 dose"), where the dialog speaks percent.
"""

import math
import random
from decimal import Decimal

import numpy as np
import pytest

from core.noise.dose import (
    MAX_PHOTONS_PER_PIXEL,
    MIN_DOSE,
    DetectorModel,
    dose_fraction,
    dose_percent,
    simulate_low_dose,
    smallest_dose_percent,
)


def _doses(count=20000):
    rng = random.Random(0)
    for i in range(count):
        yield rng.uniform(MIN_DOSE, 1.0) if i % 2 else 10 ** rng.uniform(-12, 0)


def test_every_dose_comes_back_from_its_percent_read_as_a_decimal():
    assert dose_fraction(Decimal(dose_percent(1 / 6, exact=True))) == 1 / 6
    for dose in _doses():
        assert dose_fraction(Decimal(dose_percent(dose, exact=True))) == dose


@pytest.mark.parametrize(
    ("percent", "cli"),
    [
        ("16.666666666666666", "0.16666666666666666"),
        ("75.79544029405445", "0.7579544029405445"),
        ("0.0000000001", "0.000000000001"),
        ("1e-5", "1e-7"),
        ("0.1234567890123456789012345678901234567", "0.001234567890123456789012345678901234567"),
    ],
)
def test_a_decimal_percent_is_the_dose_the_command_line_reads(percent, cli):
    assert dose_fraction(Decimal(percent)) == float(cli)


@pytest.mark.parametrize(
    ("quanta", "least"),
    [(50000.0, "0.002"), (19899.39, "0.0050253"), (1e12, "0.0000000001"), (1.0, "100")],
)
def test_the_least_dose_is_named_in_plain_percent(quanta, least):
    assert f"{smallest_dose_percent(quanta):f}" == least


def test_the_least_dose_is_the_least_a_simulation_takes_to_its_digits():
    rng = random.Random(1)
    for _ in range(20000):
        quanta = 10 ** rng.uniform(0, 12)
        least = smallest_dose_percent(quanta)
        assert len(least.as_tuple().digits) <= 5
        assert dose_fraction(least) * quanta >= 1
        below = least - Decimal(1).scaleb(least.adjusted() - 4)
        assert dose_fraction(below) * quanta < 1 or least.adjusted() > below.adjusted()


def test_a_dose_refused_is_said_in_plain_percent_with_the_least_taken():
    detector = DetectorModel.from_range(0.0, 4095.0, photons_per_pixel=50000.0)
    pixels = np.full((4, 4), 100.0)
    with pytest.raises(ValueError) as refused:
        simulate_low_dose(pixels, dose=1e-5, detector=detector, rng=np.random.default_rng(0))
    message = str(refused.value)
    assert message.startswith("a 0.00001 dose (0.001 %) of 50000 quanta per unattenuated pixel")
    assert message.endswith("choose a dose of at least 0.002 %") and "e-" not in message
    detector = DetectorModel.from_range(0.0, 4095.0, photons_per_pixel=MAX_PHOTONS_PER_PIXEL)
    with pytest.raises(ValueError, match=r"at least 0\.0000000001 %$"):
        simulate_low_dose(
            pixels,
            dose=math.nextafter(MIN_DOSE, 0.0),
            detector=detector,
            rng=np.random.default_rng(0),
        )
